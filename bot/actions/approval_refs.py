"""How users point at an approval request in chat ("第2个", "审批单 7", "同意" right after
one card) and give a reason ("驳回第2个，金额不对"); what the bot says about a request.

Standard library only, so it can be unit-tested outside Rasa's environment. The bot
computes nothing about money: totals are the API's strings, relayed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from actions.numerals import NotANumber, parse_number

CHINA = timezone(timedelta(hours=8))

_ID = re.compile(r"审批单\s*(?:号|编号)?\s*[:：]?\s*(\d+)")
_ORDINAL = re.compile(r"第\s*(\d+|[一二两三四五六七八九十]+)\s*(?:个|张|条|份|项|笔|单|号)?")
_LAST = re.compile(r"最后(?:一个|那个|一张|一条|一份)")
# Where a reason is named outright: "理由是…", "原因：…", "因为…".
_REASON_MARK = re.compile(r"(?:理由|原因)\s*(?:是|为)?\s*[:：，,]?|因为|由于")
# What opens a clause asking for the rejection, none of it a reason: "把第2个驳回了".
_NOT_A_REASON = re.compile(
    r"(?:驳回|拒绝|拒|不同意|不批准|不批|不予通过|不通过|退回|打回去|打回|否决|审批|"
    r"把|将|帮我|给我|请|这个|那个|这张|那张|这笔|申请|掉|吧|了|"
    + _ORDINAL.pattern
    + "|"
    + _LAST.pattern
    + r")\s*"
)
_PUNCTUATION = re.compile(r"[\s，,。.;；:：!！、…]+")


def ordinal_in(text: str) -> int | None:
    """ "第2个", "第二张", "第十个": the position named, from 1."""
    match = _ORDINAL.search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    try:
        value = int(parse_number(match.group(1)))
    except NotANumber:
        return None
    return value if value >= 1 else None


def request_id_in(text: str) -> int | None:
    """ "审批单 7", "审批单号7": a request named by its id."""
    match = _ID.search(unicodedata.normalize("NFKC", text))
    return int(match.group(1)) if match else None


def reason_in(text: str) -> str | None:
    """The reason a rejection gives: "驳回第2个，金额不对" → "金额不对"; None without one."""
    text = unicodedata.normalize("NFKC", text)
    marked = _REASON_MARK.search(text)
    if marked:
        rest = _PUNCTUATION.sub(" ", text[marked.end() :]).strip()
        return rest or None
    clauses = [_opening_stripped(clause) for clause in _PUNCTUATION.split(_ID.sub("", text))]
    said = "，".join(clause for clause in clauses if len(clause) >= 2)
    return said or None


def _opening_stripped(clause: str) -> str:
    """The clause without the words that open it asking for the rejection."""
    while True:
        opening = _NOT_A_REASON.match(clause)
        if not opening or not opening.group(0):
            return clause
        clause = clause[opening.end() :]


@dataclass(frozen=True)
class Choice:
    """The request a message means, or why there is none: `none_shown` (no list to pick
    from), `which` (several shown, none named), `out_of_range` (`ordinal` past `count`)."""

    request_id: int | None = None
    problem: str | None = None
    ordinal: int | None = None
    count: int = 0


def choose(text: str, shown: list[int] | None) -> Choice:
    """The request `text` means among those shown last (`shown`, in order): by its id, by
    its position, or the only one shown."""
    named = request_id_in(text)
    if named is not None:
        return Choice(named)
    shown = [int(value) for value in shown or []]
    position = len(shown) if shown and _LAST.search(text) else ordinal_in(text)
    if position is not None:
        if not shown:
            return Choice(problem="none_shown", ordinal=position)
        if position > len(shown):
            return Choice(problem="out_of_range", ordinal=position, count=len(shown))
        return Choice(shown[position - 1], ordinal=position, count=len(shown))
    if len(shown) == 1:
        return Choice(shown[0], ordinal=1, count=1)
    return Choice(problem="which" if shown else "none_shown", count=len(shown))


def china_time(moment: Any) -> str:
    """An API timestamp as "2026-12-08 10:30" in China's time; as given when it is not one."""
    try:  # Python 3.10's fromisoformat wants +00:00 for Z
        parsed = datetime.fromisoformat(str(moment or "").replace("Z", "+00:00"))
    except ValueError:
        return str(moment or "")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return f"{parsed.astimezone(CHINA):%Y-%m-%d %H:%M}"


def asked_invoice(request: dict[str, Any]) -> dict[str, Any]:
    """The invoice a request is about, as frozen: the red-letter invoice it would give, else
    the invoice to issue or void."""
    content = request.get("content") or {}
    found = content.get("red_invoice") or content.get("invoice") or {}
    return found if isinstance(found, dict) else {}


def request_words(request: dict[str, Any]) -> dict[str, Any]:
    """The values the domain's approval responses are filled with."""
    invoice = asked_invoice(request)
    return {
        "approval_id": request.get("id"),
        "action": request.get("action_label") or "",
        "buyer": (invoice.get("buyer") or {}).get("name") or "",
        "total": invoice.get("total_with_tax") or "",
        "requested_by": request.get("requested_by") or "",
        "state": request.get("state_label") or "",
    }
