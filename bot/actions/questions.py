"""The questions the forms ask (action_ask_<slot>), one table, filled from the slots."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.drafts import ENTERPRISE, SPECIAL_KINDS
from actions.red_letter import REASON_BUTTONS

Buttons = list[dict[str, str]]


def choices(entity: str, options: list[tuple[str, str]]) -> Buttons:
    """Buttons that answer with an entity value, whatever the NLU would make of the title."""
    return [
        {"title": title, "payload": f'/inform{{"{entity}": "{value}"}}'} for title, value in options
    ]


def yes_or_no(yes: str, no: str = "取消") -> Buttons:
    """An explicit yes and a no."""
    return [{"title": yes, "payload": "/affirm"}, {"title": no, "payload": "/deny"}]


KINDS = [
    ("数电专票", "digital_special"),
    ("数电普票", "digital_general"),
    ("纸质专票", "paper_special"),
    ("纸质普票", "paper_general"),
]
RATES = [(rate, rate) for rate in ("13%", "9%", "6%", "3%", "1%", "免税")]

# slot: (question, with {slot} placeholders; buttons)
QUESTIONS: dict[str, tuple[str, Buttons]] = {
    "invoice_kind": ("请问要开哪种发票？", choices("invoice_kind", KINDS)),
    "buyer_name": ("请问购买方（抬头）是哪家单位？请提供完整名称，个人请提供姓名。", []),
    "tax_id": ("{tax_id_reason}请提供购买方的纳税人识别号（18位统一社会信用代码）。", []),
    "item": ("请问开票项目是什么？例如“技术服务费”“办公用品”。", []),
    "amount": (
        "请问金额是多少？默认按含税价（价税合计）计算，如果是不含税金额请说明“不含税”。",
        [],
    ),
    "tax_rate": ("请问税率是多少？", choices("tax_rate", RATES)),
    "tax_id_confirmed": (
        "{tax_id_warning}\n税号确认无误吗？",
        yes_or_no("税号无误，继续开具", "重新输入税号"),
    ),
    "void_reason": ("请说明作废原因，例如“金额开错了”“购买方信息有误”。", []),
    "void_confirmed": (
        "确认作废发票{invoice_number}吗？作废原因：{void_reason}。作废后不能恢复。",
        yes_or_no("确认作废"),
    ),
    "red_reason": ("请问红冲的原因是？", REASON_BUTTONS),
    "red_confirmed": (
        "确认为发票{invoice_number}开具红字发票全额冲销吗？原因：{red_reason}。"
        "红字发票开具后不能撤销。",
        yes_or_no("确认红冲"),
    ),
}


class AskSlot(Action, ABC):
    """Asks the question of one slot; the classes below are made from QUESTIONS."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot asked for."""

    def name(self) -> str:
        """action_ask_<slot>, the name forms look for."""
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask, with the slots the question names filled in."""
        question, buttons = QUESTIONS[self.slot]
        values = {name: "" if value is None else value for name, value in tracker.slots.items()}
        if self.slot == "tax_id":
            values["tax_id_reason"], buttons = _tax_id_reason(tracker)
        dispatcher.utter_message(text=question.format(**values), buttons=buttons or None)
        return []


def _tax_id_reason(tracker: Tracker) -> tuple[str, Buttons]:
    """Why the taxpayer id is asked, and leave to go without when the buyer may be no enterprise."""
    if tracker.get_slot("invoice_kind") in SPECIAL_KINDS:
        return "开专票需要购买方的纳税人识别号。", []
    if tracker.get_slot("buyer_type") == ENTERPRISE:
        return "购买方是企业，开普票也需要填写其纳税人识别号（国家税务总局公告2017年第16号）。", []
    return (
        "购买方如是企业，开普票也需要填写其纳税人识别号；是个人或机关、事业单位等非企业的，可以不填。",
        [{"title": "不是企业，不填税号", "payload": "购买方不是企业，不填税号"}],
    )


def _question_class(slot: str) -> type[AskSlot]:
    name = "Ask" + "".join(part.title() for part in slot.split("_"))
    return type(name, (AskSlot,), {"slot": slot, "__doc__": f"Asks for {slot}."})


ASK_ACTIONS = [_question_class(slot) for slot in QUESTIONS]
