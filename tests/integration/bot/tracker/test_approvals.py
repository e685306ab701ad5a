"""Remote approval in chat, against the real app: the approver's waiting requests as
numbered cards, approving "第2个" and rejecting with a reason only after a yes, the
requester's own requests and their withdrawal, the app's refusals in its own words."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from actions.approvals_chat import (
    ActionApprovalProgress,
    ActionApproveRequest,
    ActionCancelApproval,
    ActionDecideApproval,
    ActionListApprovals,
    ActionRejectRequest,
)
from rasa_sdk.types import DomainDict
from served_app import App
from talk import Talk, buttons, cards, fields, slot_events, texts

# Only invoices to this buyer wait for approval (the rules are set by each test).
HELD_BUYER = {"name": "武汉聊天审批测试有限公司", "tax_id": "91420100MA04191901"}
APPROVER = {"username": "approver", "password": "Approver@2026!"}


def token_of(app: App, login: dict[str, str]) -> str:
    response = requests.post(f"{app.url}/api/v1/auth/token", json=login, timeout=30)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def held_request(app: App, price: str = "5300") -> dict[str, Any]:
    """The demo clerk asks, through the API, for an invoice the rules hold back."""
    rules = app.as_admin("PUT", "/approval-rules", json={"buyers": [HELD_BUYER["tax_id"]]})
    assert rules.status_code == 200, rules.text
    line = {
        "name": "技术服务费",
        "quantity": "1",
        "unit_price": price,
        "tax_rate": "6%",
        "tax_included": True,
    }
    body = {"kind": "digital_special", "buyer": HELD_BUYER, "lines": [line]}
    response = app.api("POST", "/invoices", json=body)
    assert response.status_code == 202, response.text
    request: dict[str, Any] = response.json()
    return request


def state_of(app: App, request_id: int) -> dict[str, Any]:
    found: dict[str, Any] = app.api("GET", f"/approvals/{request_id}").json()
    return found


@pytest.fixture
def approver_talk(app: App, domain: DomainDict) -> Talk:
    """A conversation of the demo company's approver (张经理)."""
    return Talk(app.conversation(token_of(app, APPROVER)), domain)


def listed(talk: Talk) -> list[int]:
    """ "待我审批的有哪些", run; the ids in the order shown."""
    talk.user("待我审批的有哪些", "list_approvals")
    events, said = talk.act(ActionListApprovals())
    ids: list[int] = slot_events(events)["approval_ids"]
    assert [card["title"] for card in cards(said, "approval")] == [
        f"第{n}个 · 审批单 {request_id}" for n, request_id in enumerate(ids, 1)
    ]
    return ids


def test_the_waiting_requests_are_numbered_cards_and_the_second_is_approved_after_the_yes(
    approver_talk: Talk, app: App
) -> None:
    first, second = held_request(app, "5300"), held_request(app, "10600")

    talk = approver_talk
    talk.user("待我审批的有哪些", "list_approvals")
    events, said = talk.act(ActionListApprovals())
    # Every pending request of the company waits for the approver (the approver role decides).
    waiting = app.api("GET", "/approvals", params={"state": "pending"}).json()["items"]
    ids = [request["id"] for request in waiting][:5]
    assert slot_events(events) == {"approval_ids": ids, "offer": "approval_list"}
    assert ids[:2] == [second["id"], first["id"]]  # newest first
    assert said[0].text == f"有{len(waiting)}个申请等待您审批（显示最近的{len(ids)}个）："
    shown = cards(said, "approval")
    assert shown[1]["title"] == f"第2个 · 审批单 {first['id']}"
    row = fields(shown[1])
    assert (row["申请事项"], row["购买方"], row["价税合计"]) == (
        "开具发票",
        HELD_BUYER["name"],
        "5300.00",
    )
    assert row["申请人"] == "demo" and row["须审批的原因"] == first["reasons"][0]
    assert said[2].text == (
        f"第2个：审批单 {first['id']}，开具发票，{HELD_BUYER['name']}，"
        "价税合计5300.00元，demo提交，待审批。"
    )
    assert said[-1].text.startswith("回复“同意第1个”审批通过")

    talk.user("把第2个批了", "approve_request")
    events, said = talk.act(ActionApproveRequest())
    assert texts(said).startswith(
        f"确认同意审批单 {first['id']}（开具发票，{HELD_BUYER['name']}，"
        "价税合计5300.00元，demo提交）吗？"
    )
    assert buttons(said) == {"确认同意": "/affirm", "取消": "/deny"}
    assert slot_events(events)["approval_decision"] == {"id": first["id"], "action": "approve"}
    assert state_of(app, first["id"])["state"] == "pending"  # nothing before the yes

    talk.user("是", "affirm")
    events, said = talk.act(ActionDecideApproval())
    decided = state_of(app, first["id"])
    assert decided["state"] == "approved" and decided["result"]
    assert said[0].text == (
        f"已同意审批单 {first['id']}，审批通过，已开具发票，发票号码{decided['result']}。"
    )
    [invoice] = cards(said, "invoice")
    assert invoice["number"] == decided["result"]
    assert (
        app.api("GET", f"/invoices/{decided['result']}").json()["buyer"]["name"]
        == (HELD_BUYER["name"])
    )
    assert slot_events(events) == {"approval_decision": None, "offer": None}
    assert state_of(app, second["id"])["state"] == "pending"


def test_a_rejection_without_a_reason_asks_for_one_then_rejects_with_it_after_the_yes(
    approver_talk: Talk, app: App
) -> None:
    request = held_request(app)
    talk = approver_talk
    ids = listed(talk)
    position = ids.index(request["id"]) + 1

    talk.user(f"驳回第{position}个", "reject_request")
    _, said = talk.act(ActionRejectRequest())
    assert texts(said) == (
        f"驳回审批单 {request['id']} 需要填写理由，请连同理由再说一次，例如“驳回，金额不对”。"
    )

    talk.user("驳回，金额不对", "reject_request")
    _, said = talk.act(ActionRejectRequest())
    assert f"确认驳回审批单 {request['id']}（" in texts(said)
    assert texts(said).endswith("驳回理由：金额不对。")
    assert state_of(app, request["id"])["state"] == "pending"

    talk.user("确认", "affirm")
    _, said = talk.act(ActionDecideApproval())
    assert texts(said) == (
        f"已驳回审批单 {request['id']}，理由：金额不对。这笔申请不会开具发票，占用的额度已释放。"
    )
    rejected = state_of(app, request["id"])
    assert rejected["state"] == "rejected"
    assert [(d["by"], d["approved"], d["reason"]) for d in rejected["decisions"]] == [
        ("approver", False, "金额不对")
    ]


def test_a_no_to_the_question_decides_nothing(approver_talk: Talk, app: App) -> None:
    request = held_request(app)
    talk = approver_talk
    ids = listed(talk)
    talk.user(f"驳回第{ids.index(request['id']) + 1}个，税率不对", "reject_request")
    talk.act(ActionRejectRequest())
    assert talk.slots["offer"] == "approval_decision"

    from actions.offers import ActionDeclineOffer

    talk.user("算了", "deny")
    events, said = talk.act(ActionDeclineOffer())
    assert texts(said) == "好的。还有其他需要帮忙的吗？"
    assert slot_events(events)["approval_decision"] is None
    assert state_of(app, request["id"])["state"] == "pending"


def test_a_position_past_the_list_or_without_a_list_is_not_guessed(
    approver_talk: Talk, app: App
) -> None:
    talk = approver_talk
    talk.user("同意第1个", "approve_request")
    _, said = talk.act(ActionApproveRequest())
    assert texts(said) == (
        "请先说“待我审批的有哪些”查看等待您审批的申请，再说“同意第1个”或“驳回第1个，理由”。"
    )
    held_request(app)
    ids = listed(talk)
    talk.user(f"同意第{len(ids) + 1}个", "approve_request")
    _, said = talk.act(ActionApproveRequest())
    assert (
        texts(said) == f"刚才只列出了{len(ids)}个申请，没有第{len(ids) + 1}个，请核对后再说一次。"
    )


def test_the_requester_sees_their_requests_newest_first_and_withdraws_one_after_the_yes(
    talk: Talk, app: App
) -> None:
    request = held_request(app)
    talk.user("我的审批进度", "approval_progress")
    events, said = talk.act(ActionApprovalProgress())
    mine = app.api("GET", "/approvals", params={"mine": "requester"}).json()["items"]
    assert said[0].text == f"您提交的审批申请共{len(mine)}个，最近的{min(len(mine), 5)}个如下："
    [newest, *_] = cards(said, "approval")
    assert newest["title"] == f"第1个 · 审批单 {request['id']}"
    assert fields(newest)["审批进度"] == "等待第1级审批（共1级）"
    assert slot_events(events)["approval_ids"][0] == request["id"]
    assert said[-1].text == f"审批单 {request['id']} 还在等待审批，不需要了可以说“撤回审批”。"
    assert buttons(said) == {"撤回审批": f"撤回审批单{request['id']}"}

    talk.user(f"撤回审批单{request['id']}", "cancel_approval")
    _, said = talk.act(ActionCancelApproval())
    assert texts(said).startswith(f"确认撤回审批单 {request['id']}（开具发票，")
    assert state_of(app, request["id"])["state"] == "pending"

    talk.user("是的", "affirm")
    _, said = talk.act(ActionDecideApproval())
    assert texts(said) == f"已撤回审批单 {request['id']}，没有开具发票，占用的额度已释放。"
    assert state_of(app, request["id"])["state"] == "cancelled"

    talk.user("我那张票审批到哪了", "approval_progress")
    _, said = talk.act(ActionApprovalProgress())
    assert fields(cards(said, "approval")[0])["状态"] == "已撤销"


def test_the_apps_refusals_are_said_in_its_words(talk: Talk, approver_talk: Talk, app: App) -> None:
    request = held_request(app)
    talk.user("我的审批进度", "approval_progress")
    talk.act(ActionApprovalProgress())
    talk.user("同意第1个", "approve_request")  # the clerk's own request
    talk.act(ActionApproveRequest())
    talk.user("是", "affirm")
    _, said = talk.act(ActionDecideApproval())
    assert texts(said) == "不能审批自己提交的申请。"

    ids = listed(approver_talk)
    approver_talk.user(f"同意第{ids.index(request['id']) + 1}个", "approve_request")
    approver_talk.act(ActionApproveRequest())
    app.api("POST", f"/approvals/{request['id']}/cancel")  # withdrawn meanwhile
    approver_talk.user("是", "affirm")
    _, said = approver_talk.act(ActionDecideApproval())
    assert texts(said) == "该审批申请已撤销，不能再处理。"


def test_a_user_who_is_not_an_approver_is_told_so_plainly(
    talk: Talk, app: App, domain: DomainDict
) -> None:
    talk.user("待我审批的有哪些", "list_approvals")
    events, said = talk.act(ActionListApprovals())
    assert texts(said).startswith("目前没有等待您审批的申请：您的账号不是审批人")
    assert slot_events(events) == {"approval_ids": None}

    agent = Talk(
        app.conversation(token_of(app, {"username": "agent", "password": "Agent@2026!"})), domain
    )
    agent.user("待审批", "list_approvals")
    _, said = agent.act(ActionListApprovals())
    assert texts(said) == "该账号不属于任何企业，没有审批事项。"


def test_an_anonymous_conversation_is_asked_to_log_in(anonymous_talk: Talk) -> None:
    anonymous_talk.user("待我审批的有哪些", "list_approvals")
    _, said = anonymous_talk.act(ActionListApprovals())
    assert said[0].card == {"type": "login", "title": "登录开票账号"}


def test_withdrawing_with_several_waiting_lists_them_to_pick_by_position(
    talk: Talk, app: App
) -> None:
    held_request(app)
    newest = held_request(app)
    pending = app.api("GET", "/approvals", params={"mine": "requester", "state": "pending"})
    count = len(pending.json()["items"])

    talk.user("撤回审批", "cancel_approval")
    events, said = talk.act(ActionCancelApproval())
    assert said[0].text == f"您有{count}个申请在等待审批，请问撤回哪一个？例如“撤回第1个”。"
    assert slot_events(events)["approval_ids"][0] == newest["id"]
    assert talk.slots["approval_decision"] is None

    talk.user("撤回第1个", "cancel_approval")
    events, said = talk.act(ActionCancelApproval())
    assert texts(said).startswith(f"确认撤回审批单 {newest['id']}（")
    assert slot_events(events)["approval_decision"] == {"id": newest["id"], "action": "cancel"}


def test_a_plain_yes_right_after_a_single_card_asks_to_approve_that_one(
    approver_talk: Talk, app: App
) -> None:
    for request in app.api("GET", "/approvals", params={"state": "pending"}).json()["items"]:
        app.api("POST", f"/approvals/{request['id']}/cancel")  # the demo clerk's, withdrawn
    only = held_request(app)
    assert listed(approver_talk) == [only["id"]]

    approver_talk.user("同意", "affirm")
    events, said = approver_talk.act(ActionApproveRequest())
    assert texts(said).startswith(f"确认同意审批单 {only['id']}（")
    assert slot_events(events)["offer"] == "approval_decision"
