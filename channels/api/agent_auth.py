"""Dependencies of the agent API: the live services and the calling agent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from channels.api.dependencies import ServicesDep
from channels.handoff.agent_presence import Agent
from channels.handoff.assembly import LiveServices
from channels.web.errors import Forbidden, Unauthorized
from channels.web.identity import Identity


def live(services: ServicesDep) -> LiveServices:
    """The worker's live services, as built by the lifespan."""
    return services.live


LiveDep = Annotated[LiveServices, Depends(live)]


async def logged_in(live: LiveServices, token: str | None) -> Identity:
    """The logged-in user behind a bearer token; 401 without a valid one."""
    if not token:
        raise Unauthorized("not_logged_in", "请先以客服身份登录。")
    identity = await live.identify(token[:512])
    if identity is None:
        raise Unauthorized("not_logged_in", "登录已失效，请重新登录。")
    return identity


async def identify(live: LiveServices, token: str | None) -> Identity:
    """The logged-in agent behind a bearer token; 401 without a valid one, 403 for non-agents."""
    identity = await logged_in(live, token)
    if not identity.is_agent:
        raise Forbidden("forbidden", "只有客服人员可以使用客服工作台。")
    return identity


def bearer_token(request: Request) -> str | None:
    """The request's bearer token, if it has one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def current_agent(request: Request, live: LiveDep) -> Agent:
    """The agent calling the API."""
    identity = await identify(live, bearer_token(request))
    return Agent(identity.username, identity.display_name, identity.is_supervisor)


CurrentAgent = Annotated[Agent, Depends(current_agent)]


async def current_supervisor(agent: CurrentAgent) -> Agent:
    """The supervisor calling the API; 403 for other agents."""
    if not agent.supervisor:
        raise Forbidden("forbidden", "只有客服主管可以设置客服的技能。")
    return agent


CurrentSupervisor = Annotated[Agent, Depends(current_supervisor)]
