"""A month's received invoices (收票汇总): "本月收到多少专票", "上个月进项税多少"."""

from __future__ import annotations

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import received_summary_card
from actions.invoice_lookup import period_in_message, today
from actions.received_invoices import LEDGER
from actions.replies import api_for, report_refusal, send_card_with


class ActionReceivedInvoiceSummary(Action):
    """GET /received-invoices/summary for the month the user named (this month by default)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_received_invoice_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The ledger sums by month: a day or range is summed by its first month, a year is
        asked to name a month."""
        period = period_in_message(tracker)
        if period is not None and period.granularity == "year":
            dispatcher.utter_message(response="utter_received_summary_name_a_month")
            return []
        if period is not None and period.granularity != "month":
            dispatcher.utter_message(response="utter_received_summary_by_month")
        month = period.start if period is not None else today()
        try:
            summary = await api_for(tracker).get(f"{LEDGER}/summary", {"month": f"{month:%Y-%m}"})
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []
        title = f"{month.year}年{month.month}月收票汇总"
        send_card_with(
            dispatcher,
            domain,
            "utter_received_summary",
            received_summary_card(summary, title),
            title=title,
            count=summary.get("count", 0),
            tax=summary.get("tax"),
            special_tax=summary.get("special_tax"),
        )
        return []
