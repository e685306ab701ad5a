"""The console's customer panel: who the user is, their company and recent invoices.

All of it comes from the core's own HTTP API, read in-process and acting for the
conversation's user (the path the action server uses), so the agent sees exactly
what that user may see and the channels need no access to the core's internals.
"""

from __future__ import annotations

from typing import Any

import httpx
import structlog

from channels.web.core_call import CoreForConversation

RECENT_INVOICES = 5
log = structlog.get_logger(__name__)


async def customer_through_the_api(
    core: CoreForConversation, conversation_id: str, username: str
) -> dict[str, Any]:
    """The panel's JSON: {username, display_name, company, invoices}; a deleted user keeps
    their transcript, shown without the rest."""
    me = await _read(core, conversation_id, "/api/v1/auth/me", {})
    listed = await _read(core, conversation_id, "/api/v1/invoices", {"size": RECENT_INVOICES})
    items = listed.get("items", [])
    return {
        "username": username,
        "display_name": me.get("display_name"),
        "company": me.get("company"),
        "invoices": [_summary(invoice) for invoice in items],
    }


async def _read(
    core: CoreForConversation, conversation_id: str, path: str, params: dict[str, Any]
) -> dict[str, Any]:
    """The core's answer acting for the conversation's user; {} when it has none to give."""
    try:
        response = await core("GET", path, conversation_id, params=params)
        body = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.warning("customer_panel_unavailable", path=path, error=repr(exc))
        body = {}
    return body if isinstance(body, dict) else {}


def _summary(invoice: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": invoice.get("number"),
        "kind": invoice.get("kind_label") or invoice.get("kind"),
        "status": invoice.get("status_label") or invoice.get("status"),
        "status_code": invoice.get("status"),
        "issued_at": str(invoice.get("issued_at", ""))[:10],
        "buyer": (invoice.get("buyer") or {}).get("name"),
        "total_with_tax": invoice.get("total_with_tax"),
    }
