"""The console's customer panel: who the user is, their company and recent invoices.

The invoices come from the core's own HTTP API, read in-process and acting for the
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
    core: CoreForConversation, conversation_id: str, username: str, display_name: str | None
) -> dict[str, Any]:
    """The panel's JSON: {username, display_name, company, invoices}."""
    try:
        response = await core(
            "GET", "/api/v1/invoices", conversation_id, params={"size": RECENT_INVOICES}
        )
        items = response.json().get("items", []) if response.status_code == 200 else []
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.warning("customer_invoices_unavailable", error=repr(exc))
        items = []
    seller = items[0].get("seller") or {} if items else {}
    return {
        "username": username,
        "display_name": display_name,
        "company": {"name": seller.get("name"), "tax_id": seller.get("tax_id")} if seller else None,
        "invoices": [_summary(invoice) for invoice in items],
    }


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
