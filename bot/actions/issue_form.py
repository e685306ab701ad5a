"""The issue_invoice_form: what each answer means, and which questions remain."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.drafts import ENTERPRISE, NON_ENTERPRISE, SPECIAL_KINDS, kind_from_words
from actions.money import find_amount, format_yuan, split_trailing_amount
from actions.replies import (
    api_for,
    entity_values,
    latest_intent,
    latest_text,
    slot_before_latest_message,
)
from actions.tax_rates import RATES, find_tax_rate

# Intents whose free text may answer the question asked (a company name, an item).
ANSWERING_INTENTS = {"inform", "issue_invoice", "nlu_fallback"}
TAX_ID_SHAPE = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{18}|[0-9A-Z]{20}")
_TAX_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{15,20}(?![0-9A-Za-z])")
_REMARK = re.compile(r"备注\s*(?:栏)?\s*(?:写|填|是|为|:|：)?\s*(.+)$")
_NO_REMARK = re.compile(r"备注\s*(?:不用|不需要|无|没有|空着|不填)")
_EXCLUSIVE = re.compile(r"不含税|未税|税前|不含税价|另加税|价外税")
_INCLUSIVE = re.compile(r"(?<!不)含税|价税合计|税后")
_DIGITAL_ONLY = re.compile(r"数电|全电|电子|电票")
_ITEM_PREFIX = re.compile(r"^(项目|品名|货物名称|项目名称|商品)(是|为|写|:|：)?")
_BUYER_PREFIX = re.compile(r"^(抬头|购方|购买方|买方|公司名|客户)(是|为|:|：)?")
# "项目改成软件开发服务", "抬头改为…": a correction names the detail it changes.
_CORRECTION = re.compile(
    r"(?P<what>项目名称|项目|品名|商品名称|货物名称|购买方名称|购买方|购方|抬头|买方)\s*"
    r"(?:改成|改为|换成|更正为|更改为|应该是|应为|写成)\s*[:：]?\s*(?P<value>[^，。,；;！!？?\s]+)"
)
_CORRECTED_SLOT = {"项目名称": "item", "项目": "item", "品名": "item", "商品名称": "item"}
_CORRECTED_SLOT |= {"货物名称": "item", "购买方名称": "buyer_name", "购买方": "buyer_name"}
_CORRECTED_SLOT |= {"购方": "buyer_name", "抬头": "buyer_name", "买方": "buyer_name"}
# Words that show a message is about the buyer, so a buyer name in it may replace the one
# given before ("给…开", "抬头…"); elsewhere a stray name entity is not a correction.
_BUYER_CUE = re.compile(r"给|购买方|购方|抬头|买方|客户|公司|单位")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# "给张三开一张普票", "帮我给武汉光谷科技有限公司开票": the buyer between 给 and 开.
_GIVEN_TO = re.compile(r"给(?P<name>[\u4e00-\u9fff·（）()]{2,60}?)(?:开|出具)")
# A message that is only a name: Chinese, Latin letters, digits, brackets and ·.
_NAME_ONLY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·（）()]{2,100}")
_NOT_A_BUYER = {"客户", "对方", "他们", "我们", "公司", "单位", "人家", "别人", "这家", "那家"}
# "不填税号", "没有税号", "是个人": answering the taxpayer id question without one.
_NO_TAX_ID = re.compile(
    r"不填|不用填|没有税号|无税号|不是企业|非企业|^(无|没有|个人)$|是个人|事业单位|机关"
)
# A new taxpayer id is checked again and the summary shown again before issuing.
RECHECK_TAX_ID = {"tax_id_warning": None, "tax_id_confirmed": None, "issue_confirmed": None}
RATE_CHOICES = "、".join((*RATES, "免税", "不征税"))


class ValidateIssueInvoiceForm(FormValidationAction):
    """Validates and normalises the answers of issue_invoice_form."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_issue_invoice_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """A taxpayer id unless a general invoice goes to a non-enterprise; its confirmation
        only after a warning."""
        slots = list(domain_slots)
        if not _needs_tax_id(tracker) and not tracker.get_slot("tax_id"):
            slots.remove("tax_id")
        if not tracker.get_slot("tax_id_warning"):
            slots.remove("tax_id_confirmed")
        return slots

    # Extraction from free text, for answers the NLU left without an entity.

    async def extract_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "一万二吧" answering "金额是多少？"."""
        if not _answers(tracker, "amount") or entity_values(tracker, "amount"):
            return {}
        amount = find_amount(latest_text(tracker))
        return {"amount": str(amount)} if amount is not None else {}

    async def extract_tax_rate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "按6个点算" answering "税率是多少？"."""
        if not _answers(tracker, "tax_rate") or entity_values(tracker, "tax_rate"):
            return {}
        rate = find_tax_rate(latest_text(tracker))
        return {"tax_rate": rate} if rate else {}

    async def extract_item(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "项目改成软件开发服务"; "软件开发服务" answering the item question, whole even when
        the NLU marked only "服务"."""
        corrected = _correction(tracker, "item")
        if corrected or not _answers(tracker, "item"):
            return corrected
        entities = (tracker.latest_message or {}).get("entities", [])
        values = entity_values(tracker, "item")
        text = latest_text(tracker).strip()
        if len(entities) == 1 and values and text.endswith(values[0]) and _CJK_RUN.fullmatch(text):
            return {"item": text}
        return {}

    async def extract_buyer_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "购买方改为武汉光谷科技有限公司"; "给张三开…" where the tokenizer glued the name to
        the verb ("张三开") and the NLU found no name."""
        corrected = _correction(tracker, "buyer_name")
        if corrected:
            return corrected
        text = latest_text(tracker).strip()
        if _answers(tracker, "buyer_name") and _NAME_ONLY.fullmatch(text) and _CJK_RUN.search(text):
            # A bare name answering the question is the name, whole: the NLU may have marked
            # only "湖北省" of "湖北省图书馆".
            return {"buyer_name": text}
        if entity_values(tracker, "buyer_name") or latest_intent(tracker) not in ANSWERING_INTENTS:
            return {}
        found = _GIVEN_TO.search(text)
        if found and found["name"] not in _NOT_A_BUYER:
            return {"buyer_name": found["name"]}
        return {}

    async def extract_tax_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A taxpayer id typed alone, in lower case or with spaces."""
        if not _answers(tracker, "tax_id") or entity_values(tracker, "tax_id"):
            return {}
        compact = unicodedata.normalize("NFKC", latest_text(tracker)).replace(" ", "")
        found = _TAX_ID_IN_TEXT.search(compact)
        return {"tax_id": found.group()} if found else {}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Also read the optional answers no question asks for: tax basis and remark."""
        extras = {
            **_tax_included(tracker),
            **_remark(tracker),
            **_without_tax_id(dispatcher, tracker),
        }
        _acknowledge_extras(dispatcher, tracker, extras)
        tracker.slots.update(extras)
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        return [SlotSet(name, value) for name, value in extras.items()] + events

    # Validation of every value, however it was filled.

    def validate_invoice_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the four API kinds; words like 专票 or 纸质普票 are mapped."""
        kind = kind_from_words(str(value))
        if kind is None and _DIGITAL_ONLY.search(str(value)):
            dispatcher.utter_message(response="utter_digital_kind_which")
        elif kind is None:
            dispatcher.utter_message(response="utter_invoice_kind_invalid")
        return {"invoice_kind": kind}

    async def validate_buyer_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The buyer's full name, 2 to 100 characters, and whether the app reads it as an
        enterprise (whose taxpayer id a general invoice needs too)."""
        name = _BUYER_PREFIX.sub("", str(value).strip())
        named = entity_values(tracker, "buyer_name")
        if name in named:
            # Two names in one message ("给武汉光谷科技有限公司开…软件开发服务…"): the fuller one.
            name = max(named, key=len)
        previous = slot_before_latest_message(tracker, "buyer_name")
        if previous and name != previous and not _may_rename_buyer(tracker):
            return {"buyer_name": previous}
        if _is_other_detail(name):
            return {"buyer_name": None}
        if not 2 <= len(name) <= 100:
            dispatcher.utter_message(response="utter_buyer_name_invalid")
            return {"buyer_name": None}
        try:
            found = await api_for(tracker).get("/buyers/type", {"name": name})
            buyer_type = found["type"]
        except ApiError:
            buyer_type = None  # unknown: the taxpayer id is asked, with leave to go without
        return {"buyer_name": name, "buyer_type": buyer_type}

    def validate_tax_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """18 characters (or a legacy 15/20); the check character is the app's to judge."""
        tax_id = "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()
        if not TAX_ID_SHAPE.fullmatch(tax_id):
            dispatcher.utter_message(response="utter_tax_id_invalid", value=value)
            return {"tax_id": None}
        if tax_id == slot_before_latest_message(tracker, "tax_id"):
            return {"tax_id": tax_id}
        return {"tax_id": tax_id, **RECHECK_TAX_ID}

    def validate_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The goods or service name as it will be printed; an amount the NLU took in with
        it ("技术服务费一千元") is the amount, when none was given."""
        item, amount = split_trailing_amount(_ITEM_PREFIX.sub("", str(value).strip()))
        if _is_other_detail(item):
            return {"item": None}
        if not 1 <= len(item) <= 100:
            dispatcher.utter_message(response="utter_item_invalid")
            return {"item": None}
        if amount is not None and not tracker.get_slot("amount"):
            return {"item": item, "amount": str(amount)}
        return {"item": item}

    def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A positive amount in yuan, kept as "12000.00"."""
        amount = find_amount(str(value))
        if amount is None or amount <= 0:
            dispatcher.utter_message(response="utter_amount_invalid")
            return {"amount": None}
        if _changed(tracker, "amount", str(amount)):
            shown = f"{format_yuan(amount)}元"
            dispatcher.utter_message(response="utter_amount_changed", new_amount=shown)
        return {"amount": str(amount)}

    def validate_tax_rate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A rate the API accepts: 13%, 9%, 6%, 5%, 3%, 1%, 0%, 免税, 不征税."""
        rate = find_tax_rate(str(value))
        if rate is None:
            dispatcher.utter_message(
                response="utter_tax_rate_invalid", value=value, choices=RATE_CHOICES
            )
            return {"tax_rate": None}
        if _changed(tracker, "tax_rate", rate):
            dispatcher.utter_message(response="utter_tax_rate_changed", new_rate=rate)
        return {"tax_rate": rate}

    def validate_tax_id_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A "no" to the check-character warning asks for the id again."""
        if value:
            return {"tax_id_confirmed": True}
        return {"tax_id": None, **RECHECK_TAX_ID}


def _correction(tracker: Tracker, slot: str) -> dict[str, Any]:
    """The new value of `slot` if the latest message corrects it ("项目改成…")."""
    if latest_intent(tracker) not in ANSWERING_INTENTS:
        return {}
    found = _CORRECTION.search(latest_text(tracker))
    if found and _CORRECTED_SLOT[found["what"]] == slot:
        return {slot: found["value"]}
    return {}


def _may_rename_buyer(tracker: Tracker) -> bool:
    """Whether the latest message may change the buyer: it answers the buyer question,
    corrects the buyer, or speaks of one."""
    asked = tracker.get_slot("requested_slot") == "buyer_name"
    return (
        asked
        or bool(_correction(tracker, "buyer_name"))
        or bool(_BUYER_CUE.search(latest_text(tracker)))
    )


def _needs_tax_id(tracker: Tracker) -> bool:
    """Special invoices always; general ones unless the buyer is known not to be an enterprise."""
    special = tracker.get_slot("invoice_kind") in SPECIAL_KINDS
    return special or tracker.get_slot("buyer_type") != NON_ENTERPRISE


def _without_tax_id(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """ "不填税号" answering the taxpayer id question: allowed for a non-enterprise buyer of a
    general invoice, which the user vouches for; refused, with the reason, otherwise."""
    text = latest_text(tracker).strip()
    if tracker.get_slot("requested_slot") != "tax_id" or not _NO_TAX_ID.search(text):
        return {}
    if tracker.get_slot("invoice_kind") in SPECIAL_KINDS:
        dispatcher.utter_message(response="utter_tax_id_required_special")
        return {"tax_id": None}
    if tracker.get_slot("buyer_type") == ENTERPRISE:
        dispatcher.utter_message(response="utter_tax_id_required")
        return {"tax_id": None}
    return {"buyer_type": NON_ENTERPRISE}


def _acknowledge_extras(
    dispatcher: CollectingDispatcher, tracker: Tracker, extras: dict[str, Any]
) -> None:
    """Say back a change of tax basis or remark, which no question asked for."""
    if tracker.get_slot("requested_slot") is None:
        return  # the first message of the form: the summary will show them
    if "tax_included" in extras and extras["tax_included"] != tracker.get_slot("tax_included"):
        included = extras["tax_included"]
        dispatcher.utter_message(
            response="utter_tax_included" if included else "utter_tax_excluded"
        )
    if extras.get("remark") and extras["remark"] != tracker.get_slot("remark"):
        dispatcher.utter_message(response="utter_remark_set", new_remark=extras["remark"])


def _is_other_detail(text: str) -> bool:
    """ "不含税", "数电的" or "备注…" answering "购买方是？": another detail, not a name."""
    basis = _EXCLUSIVE.search(text) or _INCLUSIVE.search(text)
    kind = kind_from_words(text) or _DIGITAL_ONLY.search(text) or "纸质" in text
    short = len(text) <= 6 and bool(basis or kind)
    return short or bool(_REMARK.search(text) or _NO_REMARK.search(text))


def _answers(tracker: Tracker, slot: str) -> bool:
    """Whether the latest message answers the question for `slot`."""
    return (
        tracker.get_slot("requested_slot") == slot and latest_intent(tracker) in ANSWERING_INTENTS
    )


def _changed(tracker: Tracker, slot: str, new: str) -> bool:
    """A correction mid-form ("不对，金额是8000"), which is confirmed back to the user."""
    previous = slot_before_latest_message(tracker, slot)
    return previous is not None and str(previous) != new


def _tax_included(tracker: Tracker) -> dict[str, Any]:
    """ "不含税" anywhere in an answer switches the amount to tax-exclusive."""
    if latest_intent(tracker) not in ANSWERING_INTENTS:
        return {}
    text = latest_text(tracker)
    if _EXCLUSIVE.search(text):
        return {"tax_included": False}
    if _INCLUSIVE.search(text) and tracker.get_slot("tax_included") is False:
        return {"tax_included": True}
    return {}


def _remark(tracker: Tracker) -> dict[str, Any]:
    """ "备注写合同号HT-118" sets the remark; "备注不用填" clears it."""
    if latest_intent(tracker) not in ANSWERING_INTENTS:
        return {}
    text = latest_text(tracker).strip()
    if _NO_REMARK.search(text):
        return {"remark": None}
    found = _REMARK.search(text)
    return {"remark": found.group(1).strip()[:230]} if found else {}
