"""The received invoice a conversation is about: the newest one read or recorded in it.

The widget's and WeChat's recognition and record turns keep the core's answer as a card
(`recognition`, `received_invoice`). As the store keeps such a card it notes its invoice
on the conversation, so that each turn can tell the bot which invoice "这张发票" is (in
the message's metadata, channels/chat/service.py) without reading the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from channels.conversations.model import Reply

INVOICE_CARDS = frozenset({"recognition", "received_invoice"})


def newest_invoice_card(replies: Sequence[Reply]) -> dict[str, Any] | None:
    """The last recognition or ledger card among `replies`, if any."""
    cards = [reply.card for reply in replies if reply.card is not None]
    return next((card for card in reversed(cards) if card.get("type") in INVOICE_CARDS), None)


def invoice_of(card: dict[str, Any]) -> dict[str, Any] | None:
    """{kind, code, number, received_invoice_id} of a ledger entry's or a recognition's card
    (the id None until recorded); None when the recognition read no number."""
    if card.get("type") == "received_invoice":
        found = {name: card.get(name) for name in ("kind", "code", "number")}
        return {**found, "received_invoice_id": card.get("id")}
    fields = card.get("fields") or {}
    read = {name: (fields.get(name) or {}).get("value") or None for name in ("kind", "code")}
    number = (fields.get("number") or {}).get("value")
    return {**read, "number": number, "received_invoice_id": None} if number else None
