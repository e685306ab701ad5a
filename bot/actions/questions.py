"""The questions the forms ask for each slot (action_ask_<slot>)."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


def _choices(entity: str, options: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Buttons that answer with an entity value, whatever the NLU would make of the title."""
    return [
        {"title": title, "payload": f'/inform{{"{entity}": "{value}"}}'} for title, value in options
    ]


class AskSlot(Action):
    """Asks one question; subclasses name the slot, the words and the buttons."""

    slot: ClassVar[str] = ""
    question: ClassVar[str] = ""
    buttons: ClassVar[list[dict[str, Any]]] = []

    def name(self) -> str:
        """action_ask_<slot>, the name forms look for."""
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask the question."""
        dispatcher.utter_message(text=self.question, buttons=self.buttons or None)
        return []


class AskInvoiceKind(AskSlot):
    """Which kind of invoice."""

    slot = "invoice_kind"
    question = "请问要开哪种发票？"
    buttons = _choices(
        "invoice_kind",
        [
            ("数电专票", "digital_special"),
            ("数电普票", "digital_general"),
            ("纸质专票", "paper_special"),
            ("纸质普票", "paper_general"),
        ],
    )


class AskBuyerName(AskSlot):
    """Who buys."""

    slot = "buyer_name"
    question = "请问购买方（抬头）是哪家单位？请提供完整名称，个人请提供姓名。"


class AskTaxId(AskSlot):
    """The buyer's taxpayer id, required on special invoices."""

    slot = "tax_id"
    question = "开专票需要购买方的纳税人识别号（18位统一社会信用代码），请提供。"


class AskItem(AskSlot):
    """What is sold."""

    slot = "item"
    question = "请问开票项目是什么？例如“技术服务费”“办公用品”。"


class AskAmount(AskSlot):
    """How much, tax-inclusive unless said otherwise."""

    slot = "amount"
    question = "请问金额是多少？默认按含税价（价税合计）计算，如果是不含税金额请说明“不含税”。"


class AskTaxRate(AskSlot):
    """Which rate."""

    slot = "tax_rate"
    question = "请问税率是多少？"
    buttons = _choices(
        "tax_rate", [(rate, rate) for rate in ("13%", "9%", "6%", "3%", "1%", "免税")]
    )


class AskVoidReason(AskSlot):
    """Why the invoice is voided."""

    slot = "void_reason"
    question = "请说明作废原因，例如“金额开错了”“购买方信息有误”。"
