"""What a handed-over conversation is about, so that it goes to an agent who knows it.

A conversation's topic comes from what led to the handoff: the task the user was in
(the bot names its intent in the handoff request), else the knowledge entry the bot
answered last, else the user's choice in a small menu. Agents have skills, which are
topics; assignment prefers an agent with the conversation's topic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from channels.conversations.model import Message, Reply

# Topic code → what agents and users read. The codes are stored and in the API.
TOPICS: dict[str, str] = {
    "invoicing": "开票操作",
    "account": "账户与登录",
    "policy": "政策咨询",
    "receiving": "收票与报销",
}

# The menu's buttons send this prefix and the code (the widget shows the title).
COMMAND = "/handoff_topic:"

_BY_INTENT = {
    **dict.fromkeys(
        (
            "issue_invoice",
            "query_invoice",
            "void_invoice",
            "red_invoice",
            "download_invoice",
            "report",
            "batch_issue",
        ),
        "invoicing",
    ),
    **dict.fromkeys(
        ("check_received_invoice", "received_invoice_summary", "mark_received_invoice"),
        "receiving",
    ),
}

# A knowledge entry's id starts with its section (knowledge/entries/<section>.yaml).
_BY_SECTION = {
    **dict.fromkeys(("account", "system"), "account"),
    **dict.fromkeys(
        ("issue", "void", "red", "lost", "print", "query", "report", "manage"), "invoicing"
    ),
    **dict.fromkeys(("business", "rules", "policy", "proxy", "supply"), "policy"),
    **dict.fromkeys(("deduct", "receive"), "receiving"),
}


def topic_of(request: Mapping[str, Any], recent: Sequence[Message]) -> str | None:
    """The topic of a handoff: the bot's task, else the last knowledge answer, else None."""
    by_intent = _BY_INTENT.get(str(request.get("intent") or ""))
    if by_intent is not None:
        return by_intent
    for message in reversed(recent):
        entry_id = str((message.card or {}).get("entry_id") or "")
        if entry_id:
            return _BY_SECTION.get(entry_id.partition(".")[0])
    return None


def menu() -> Reply:
    """Ask the waiting user what their question is about."""
    buttons = [{"title": label, "payload": COMMAND + code} for code, label in TOPICS.items()]
    return Reply("为了让更合适的客服为您服务，请选择您的问题类型：", buttons)


def chosen(text: str) -> str | None:
    """The topic a waiting user picked: the menu's payload, or its title typed."""
    said = text.strip()
    if said.startswith(COMMAND):
        code = said.removeprefix(COMMAND)
        return code if code in TOPICS else None
    return next((code for code, label in TOPICS.items() if label == said), None)


def noted(topic: str) -> Reply:
    """The user's choice is kept."""
    return Reply(f"已记录您的问题类型：{TOPICS[topic]}，正在为您安排相应的客服。")
