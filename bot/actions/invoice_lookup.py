"""Finding the invoice a user means: by number, "the last one", "this one", buyer or date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import invoice_path
from actions.cards import invoice_list_card
from actions.invoice_refs import find_invoice_number, refers_to_current, refers_to_latest
from actions.periods import Period, parse_period
from actions.replies import api_for, entity_values, latest_text, send_card_with
from actions.slots import CURRENT_INVOICE

CHINA = timezone(timedelta(hours=8))
CHOICES = 5


def today() -> date:
    """Today in China, where invoices are dated."""
    return datetime.now(CHINA).date()


def in_china(moment: Any) -> datetime | None:
    """An API timestamp ("2026-12-07T01:02:03Z" and the like) in China's time; None when
    it is not one."""
    try:  # Python 3.10's fromisoformat wants +00:00 for Z
        return datetime.fromisoformat(str(moment or "").replace("Z", "+00:00")).astimezone(CHINA)
    except ValueError:
        return None


def number_in_message(tracker: Tracker) -> str | None:
    """An invoice number the user typed (entity first, then the text itself)."""
    for value in entity_values(tracker, "invoice_number"):
        number = find_invoice_number(value)
        if number:
            return number
    return find_invoice_number(latest_text(tracker))


def period_in_message(tracker: Tracker) -> Period | None:
    """The date or range the user named, from the date entity or the text."""
    for value in [*entity_values(tracker, "date"), latest_text(tracker)]:
        period = parse_period(value, today())
        if period:
            return period
    return None


def search_params(tracker: Tracker) -> dict[str, Any]:
    """GET /invoices filters from the buyer and date the user named."""
    params: dict[str, Any] = {}
    buyers = entity_values(tracker, "buyer_name")
    if buyers:
        params["buyer"] = buyers[-1]
    period = period_in_message(tracker)
    if period:
        params["from"], params["to"] = period.start.isoformat(), period.end.isoformat()
    return params


async def fetch(tracker: Tracker, number: str) -> dict[str, Any]:
    """GET /invoices/{number} (raises ApiError, 404 when there is none)."""
    invoice: dict[str, Any] = await api_for(tracker).get(invoice_path(number))
    return invoice


async def newest(tracker: Tracker, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """GET /invoices, newest first: {items, total, page, size}."""
    page: dict[str, Any] = await api_for(tracker).get(
        "/invoices", {**(params or {}), "size": CHOICES}
    )
    return page


async def pick(tracker: Tracker) -> tuple[str | None, dict[str, Any] | None]:
    """(number, candidates): the one invoice the latest message names, else what matched.

    Candidates are None when the message names nothing to search by.
    """
    number = number_in_message(tracker)
    if number:
        return number, None
    text = latest_text(tracker)
    current = tracker.get_slot(CURRENT_INVOICE)
    if refers_to_current(text) and current and not refers_to_latest(text):
        return str(current), None
    params = search_params(tracker)
    if not params and not refers_to_latest(text):
        return None, None
    page = await newest(tracker, params)
    items = page.get("items") or []
    if items and (refers_to_latest(text) or len(items) == 1):
        return str(items[0]["number"]), page
    return None, page


async def resolve(
    tracker: Tracker, dispatcher: CollectingDispatcher, domain: DomainDict
) -> str | None:
    """The number of the one invoice the latest message means, or None after saying why."""
    number, page = await pick(tracker)
    if number or page is None:
        return number
    items = page.get("items") or []
    if not items:
        dispatcher.utter_message(response="utter_no_invoice_found_ask_number")
        return None
    offer_choices(dispatcher, domain, items, int(page.get("total", len(items))))
    return None


def offer_choices(
    dispatcher: CollectingDispatcher, domain: DomainDict, items: list[dict[str, Any]], total: int
) -> None:
    """Several invoices match: list them and let the user pick one (a button per invoice,
    built from the API's data, under the domain's words)."""
    card = invoice_list_card(items, total, "符合条件的发票")
    send_card_with(dispatcher, domain, "utter_invoices_to_pick", card, total=total)
    dispatcher.utter_message(
        response="utter_pick_invoice",
        buttons=[
            {
                "title": f"{item['number']} {(item.get('buyer') or {}).get('name', '')}",
                "payload": f'/inform{{"invoice_number":"{item["number"]}"}}',
            }
            for item in items
        ],
    )
