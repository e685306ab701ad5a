"""The bot's words live in domain.yml: every response the actions name exists there, every
response is said by something, and no action says fixed Chinese words of its own."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from actions.cards import draft_card

BOT = Path(__file__).resolve().parents[3] / "bot"
ACTIONS = sorted((BOT / "actions").glob("*.py"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def domain() -> dict[str, Any]:
    """bot/domain.yml as written."""
    loaded: dict[str, Any] = yaml.safe_load((BOT / "domain.yml").read_text(encoding="utf-8"))
    return loaded


def strings_in_actions() -> Iterator[str]:
    """Every string literal of bot/actions."""
    for path in ACTIONS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value


def named_by_actions() -> set[str]:
    """The response names the actions utter or fill in ("utter_…" literals)."""
    return {text for text in strings_in_actions() if re.fullmatch(r"utter_\w+", text)}


def said_by_rules() -> set[str]:
    """The responses rules and test stories run as actions."""
    steps = [*(BOT / "data").rglob("*.yml"), BOT / "tests" / "test_stories.yml"]
    return {
        found for path in steps for found in re.findall(r"action: (utter_\w+)", path.read_text())
    }


def asked_by_forms(loaded: dict[str, Any]) -> set[str]:
    """utter_ask_<slot> of each slot a form asks for (forms utter them themselves)."""
    return {
        f"utter_ask_{slot}"
        for form in loaded["forms"].values()
        for slot in form["required_slots"]
        if f"action_ask_{slot}" not in loaded["actions"]
    }


def test_every_response_an_action_names_is_in_the_domain() -> None:
    missing = named_by_actions() - set(domain()["responses"])
    assert not missing


def test_every_response_of_the_domain_is_said_by_a_rule_a_form_or_an_action() -> None:
    loaded = domain()
    used = said_by_rules() | asked_by_forms(loaded) | named_by_actions()
    assert not set(loaded["responses"]) - used


def test_every_question_of_a_form_is_a_response_or_an_action() -> None:
    loaded = domain()
    questions = set(loaded["responses"]) | set(loaded["actions"])
    assert not {
        slot
        for form in loaded["forms"].values()
        for slot in form["required_slots"]
        if f"utter_ask_{slot}" not in questions and f"action_ask_{slot}" not in questions
    }


def test_no_action_says_fixed_chinese_words_of_its_own() -> None:
    """Texts passed to utter_message(text=…) are data (the API's messages, answers)."""
    said = []
    for path in ACTIONS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "utter_message":
                for keyword in node.keywords:
                    literal = [
                        part.value
                        for part in ast.walk(keyword.value)
                        if isinstance(part, ast.Constant) and isinstance(part.value, str)
                    ]
                    if keyword.arg == "text" and any(CHINESE.search(text) for text in literal):
                        said.append(f"{path.name}:{node.lineno}")
    assert not said


def test_a_summary_without_the_apps_preview_names_the_kind_as_the_buttons_do() -> None:
    """The API's label comes with the preview; when the preview was refused, the bot's
    own name of the kind (the kind question's button title) stands in."""
    draft = {
        "kind": "paper_special",
        "buyer_name": "武汉光谷科技有限公司",
        "item": "技术服务费",
        "amount": "10600.00",
        "tax_rate": "6%",
        "tax_included": True,
    }
    titles = {
        button["title"] for button in domain()["responses"]["utter_ask_invoice_kind"][0]["buttons"]
    }
    kind = {row["label"]: row["value"] for row in draft_card(draft)["fields"]}["发票类型"]
    preview = {"kind_label": "增值税专用发票（纸质）"}
    labelled = {row["label"]: row["value"] for row in draft_card(draft, preview)["fields"]}
    assert kind == "纸质专票" and kind in titles
    assert labelled["发票类型"] == "增值税专用发票（纸质）"
