"""How an approval request is pointed at in chat, the reason a rejection gives, and the
card a request is shown as."""

from __future__ import annotations

from typing import Any

import pytest
from actions.approval_cards import approval_card, numbered_title
from actions.approval_refs import Choice, china_time, choose, reason_in, request_words


@pytest.mark.parametrize(
    ("text", "shown", "meant"),
    [
        ("把第2个批了", [7, 5, 3], Choice(5, ordinal=2, count=3)),
        ("同意第一个", [7, 5], Choice(7, ordinal=1, count=2)),
        ("第三张驳回，金额不对", [7, 5, 3], Choice(3, ordinal=3, count=3)),
        ("第十个通过", list(range(1, 11)), Choice(10, ordinal=10, count=10)),
        ("最后一个批了", [7, 5, 3], Choice(3, ordinal=3, count=3)),
        ("同意", [9], Choice(9, ordinal=1, count=1)),
        ("同意审批单 12", [7, 5], Choice(12)),
        ("撤回审批单12", None, Choice(12)),
    ],
)
def test_a_request_is_meant_by_its_position_in_the_list_shown_or_its_id(
    text: str, shown: list[int] | None, meant: Choice
) -> None:
    assert choose(text, shown) == meant


@pytest.mark.parametrize(
    ("text", "shown", "problem"),
    [
        ("同意", [7, 5], Choice(problem="which", count=2)),
        ("同意第3个", [7, 5], Choice(problem="out_of_range", ordinal=3, count=2)),
        ("同意第1个", None, Choice(problem="none_shown", ordinal=1)),
        ("同意", [], Choice(problem="none_shown")),
    ],
)
def test_no_request_is_guessed_when_the_message_does_not_say_which(
    text: str, shown: list[int] | None, problem: Choice
) -> None:
    assert choose(text, shown) == problem


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("驳回第2个，金额不对", "金额不对"),
        ("驳回，金额不对", "金额不对"),
        ("第二个驳回，购买方写错了", "购买方写错了"),
        ("不同意第1个 税率不对", "税率不对"),
        ("退回第一个，理由是抬头不对", "抬头不对"),
        ("驳回吧，原因：重复开票", "重复开票"),
        ("驳回审批单 12，客户信息有误", "客户信息有误"),
        ("驳回", None),
        ("把第2个驳回了", None),
        ("驳回这个申请", None),
        ("驳回审批单 12", None),
    ],
)
def test_the_reason_is_what_the_rejection_says_besides_which_and_reject(
    text: str, reason: str | None
) -> None:
    assert reason_in(text) == reason


REQUEST: dict[str, Any] = {
    "id": 7,
    "action": "issue",
    "action_label": "开具发票",
    "state": "pending",
    "state_label": "待审批",
    "requested_by": "demo",
    "requested_at": "2026-12-08T02:00:00Z",
    "deadline": "2026-12-11T02:00:00Z",
    "reasons": ["价税合计达到50000.00元"],
    "level": 1,
    "levels": [{"approvers": []}, {"approvers": ["admin"]}],
    "decisions": [],
    "content": {
        "invoice": {
            "kind_label": "数电发票（增值税专用发票）",
            "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420100MA4K5R3T13"},
            "lines": [{"name": "技术服务费"}],
            "total_with_tax": "60000.00",
        }
    },
    "result": None,
}


def test_a_request_card_shows_the_frozen_invoice_why_it_waits_and_until_when() -> None:
    card = approval_card(REQUEST, numbered_title(1, REQUEST))
    rows = {row["label"]: row["value"] for row in card["fields"]}
    assert card["type"] == "approval" and card["title"] == "第1个 · 审批单 7"
    assert rows["申请事项"] == "开具发票" and rows["状态"] == "待审批"
    assert rows["发票类型"] == "数电发票（增值税专用发票）"
    assert rows["购买方"] == "武汉光谷科技有限公司" and rows["项目"] == "技术服务费"
    assert rows["价税合计"] == "60000.00"  # the API's figure, relayed
    assert rows["须审批的原因"] == "价税合计达到50000.00元"
    assert rows["审批进度"] == "等待第1级审批（共2级）"
    assert rows["审批截止"] == "2026-12-11 10:00"  # Beijing time
    assert "审批记录" not in rows


def test_a_decided_request_shows_who_decided_what_and_the_invoice_it_gave() -> None:
    decided = {
        **REQUEST,
        "state": "rejected",
        "state_label": "已驳回",
        "decisions": [
            {"level": 1, "by": "approver", "at": "2026-12-08T03:00:00Z", "approved": True},
            {
                "level": 2,
                "by": "admin",
                "at": "2026-12-08T04:30:00Z",
                "approved": False,
                "reason": "金额不对",
            },
        ],
    }
    rows = {row["label"]: row["value"] for row in approval_card(decided, "")["fields"]}
    assert rows["审批记录"] == (
        "第1级 approver 同意（2026-12-08 11:00）；第2级 admin 驳回：金额不对（2026-12-08 12:30）"
    )
    assert "审批截止" not in rows and "审批进度" not in rows
    approved = {**REQUEST, "state": "approved", "result": "26422000000000000042"}
    rows = {row["label"]: row["value"] for row in approval_card(approved, "")["fields"]}
    assert rows["办理结果（发票号码）"] == "26422000000000000042"


def test_a_red_letter_request_is_told_by_the_red_letter_invoice_it_would_give() -> None:
    red = {
        **REQUEST,
        "action": "red_letter",
        "action_label": "开具红字发票",
        "content": {
            "number": "26422000000000000042",
            "reason": "开票有误",
            "invoice": {"buyer": {"name": "甲公司"}, "total_with_tax": "60000.00"},
            "red_invoice": {"buyer": {"name": "甲公司"}, "total_with_tax": "-60000.00"},
        },
    }
    assert request_words(red) == {
        "approval_id": 7,
        "action": "开具红字发票",
        "buyer": "甲公司",
        "total": "-60000.00",
        "requested_by": "demo",
        "state": "待审批",
    }
    rows = {row["label"]: row["value"] for row in approval_card(red, "")["fields"]}
    assert rows["发票号码"] == "26422000000000000042" and rows["作废或红冲原因"] == "开票有误"


def test_times_are_shown_in_beijing_time_and_anything_else_as_given() -> None:
    assert china_time("2026-12-07T16:30:00+00:00") == "2026-12-08 00:30"
    assert china_time("2026-12-07T16:30:00") == "2026-12-08 00:30"
    assert china_time("不是时间") == "不是时间"
