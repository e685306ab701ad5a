"""What a red-letter request asked for (pure: no Rasa imports, tested in tests/unit/bot).

The chat negates everything left; a request naming a part is told so before the yes
(utter_red_letter_full_only in domain.yml).
"""

from __future__ import annotations

from typing import Any


def asks_for_a_part(events: list[dict[str, Any]]) -> bool:
    """Whether the latest red-letter request named an amount or a part ("部分红冲2000元")."""
    for event in reversed(events):
        parsed = event.get("parse_data") or {}
        if event.get("event") != "user" or parsed.get("intent", {}).get("name") != "red_invoice":
            continue
        named_amount = any(e.get("entity") == "amount" for e in parsed.get("entities") or [])
        return named_amount or "部分" in (event.get("text") or "")
    return False
