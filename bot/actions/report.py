"""Reports: a day's, month's or year's invoicing as a card."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import report_card
from actions.invoice_lookup import period_in_message, today
from actions.replies import api_for, latest_text, report_refusal, send_card_with

_PERIOD_WORDS = (
    ("day", r"日报|每日|当日|今日|今天"),
    ("year", r"年报|年度|全年"),
    ("month", r"月报|月度"),
)


def report_period(text: str, named: tuple[str, date] | None, day: date) -> tuple[str, date]:
    """(period, any day in it): what the user named, else words like 年报, else this month."""
    if named:
        return named
    for period, words in _PERIOD_WORDS:
        if re.search(words, text):
            return period, day
    return "month", day


def title_of(period: str, day: date) -> str:
    """ "2026年11月开票汇总" and the like: the card's title, built from the period (as the
    cards' words are, in code), and the start of its caption."""
    if period == "day":
        return f"{day.year}年{day.month}月{day.day}日开票汇总"
    if period == "year":
        return f"{day.year}年开票汇总"
    return f"{day.year}年{day.month}月开票汇总"


class ActionReport(Action):
    """GET /reports/summary for the period the user named."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Totals with the breakdowns by kind, rate and status."""
        found = period_in_message(tracker)
        named = None
        if found and found.granularity in ("day", "month", "year"):
            named = (found.granularity, found.start)
        elif found:
            dispatcher.utter_message(response="utter_report_by_month")
            named = ("month", found.start)
        period, day = report_period(latest_text(tracker), named, today())
        try:
            summary = await api_for_report(tracker, period, day)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []
        title = title_of(period, day)
        voided = summary.get("voided_count") or 0
        send_card_with(
            dispatcher,
            domain,
            "utter_report_with_voided" if voided else "utter_report",
            report_card(summary, title),
            title=title,
            count=summary.get("count", 0),
            total=summary.get("total_with_tax"),
            tax=summary.get("total_tax"),
            voided=voided,
        )
        return []


async def api_for_report(tracker: Tracker, period: str, day: date) -> dict[str, Any]:
    """GET /reports/summary?period=&date=."""
    summary: dict[str, Any] = await api_for(tracker).get(
        "/reports/summary", {"period": period, "date": day.isoformat()}
    )
    return summary
