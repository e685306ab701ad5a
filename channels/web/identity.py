"""Who is on the other end of a socket or request, as the composition root resolves a token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Identity:
    """A logged-in user: their name, the name shown to others, whether they are an agent
    (and a supervisor of agents)."""

    username: str
    display_name: str
    is_agent: bool
    is_supervisor: bool = False


# Resolves a bearer token; None for a token that is not (or no longer) valid.
Identify = Callable[[str], Awaitable[Identity | None]]
# The customer panel of the console: (conversation id, customer's user name) → JSON.
CustomerLookup = Callable[[str, str], Awaitable[dict[str, Any]]]


async def nobody(_token: str) -> Identity | None:
    """The default before the composition root plugs in the accounts: no token is valid."""
    return None


async def no_customer(_conversation_id: str, username: str) -> dict[str, Any]:
    """The default customer panel: only the user name is known."""
    return {"username": username, "invoices": []}
