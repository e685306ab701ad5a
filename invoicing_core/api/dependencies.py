"""Dependencies of the core's routes: the core itself and the calling user.

The app that mounts these routers opens the core in its lifespan and keeps it
as `app.state.invoicing_core`.
"""

from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from invoicing_core.core import InvoicingCore
from invoicing_core.domain.account import NotAuthenticated
from invoicing_core.persistence.tables import CLIENT_ADDRESS_LENGTH
from invoicing_core.services.accounts import Principal

_bearer = HTTPBearer(auto_error=False, description="POST /api/v1/auth/token 取得的访问令牌")


def invoicing_core(request: Request) -> InvoicingCore:
    """The core opened by the app's lifespan."""
    core: InvoicingCore = request.app.state.invoicing_core
    return core


def client_address(request: Request) -> str:
    """The caller's address, as the app's rate limits count it: who connected, or whom a
    trusted proxy forwarded for (the app's outermost middleware sets it)."""
    return (request.client.host if request.client else "unknown")[:CLIENT_ADDRESS_LENGTH]


CoreDep = Annotated[InvoicingCore, Depends(invoicing_core)]
ClientAddress = Annotated[str, Depends(client_address)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def optional_principal(core: CoreDep, credentials: Credentials) -> Principal | None:
    """The caller, or None when no token came; a bad or expired token is refused."""
    if credentials is None:
        return None
    return await to_thread.run_sync(core.accounts.authenticate, credentials.credentials)


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The caller; refused when no valid token came."""
    if principal is None:
        raise NotAuthenticated("请先登录。")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
