"""An approval request as a card: what it asks (the invoice's content, frozen when it was
asked), why it waits, until when, and who decided what.

Standard library only. Like the invoice cards (cards.py), the titles and labels live here:
a card is data laid out, and the kinds', actions' and states' labels are the API's.
"""

from __future__ import annotations

from typing import Any

from actions.approval_refs import asked_invoice, china_time
from actions.cards import Card, field


def decision_text(decision: dict[str, Any]) -> str:
    """ "第1级 approver 同意（2026-12-08 10:30）", a rejection with its reason."""
    verdict = "同意" if decision.get("approved") else f"驳回：{decision.get('reason') or ''}"
    at = china_time(decision.get("at"))
    return f"第{decision.get('level')}级 {decision.get('by')} {verdict}（{at}）"


def numbered_title(ordinal: int, request: dict[str, Any]) -> str:
    """ "第2个 · 审批单 7": a card of a list, by the position "第2个" names."""
    return f"第{ordinal}个 · 审批单 {request.get('id')}"


def approval_card(request: dict[str, Any], title: str) -> Card:
    """One request: action and state, the invoice (kind, number, buyer, items, total with
    tax), requester, reasons, deadline, the level reached, decisions and the outcome."""
    content = request.get("content") or {}
    invoice = asked_invoice(request)
    buyer = invoice.get("buyer") or {}
    fields = [
        field("申请事项", request.get("action_label")),
        field("状态", request.get("state_label")),
        field("发票类型", invoice.get("kind_label")),
    ]
    if content.get("number"):
        fields.append(field("发票号码", content["number"]))
    if content.get("reason"):
        fields.append(field("作废或红冲原因", content["reason"]))
    fields += [
        field("购买方", buyer.get("name")),
        field("项目", "、".join(line.get("name", "") for line in invoice.get("lines") or [])),
        field("价税合计", invoice.get("total_with_tax")),
        field("申请人", request.get("requested_by")),
        field("申请时间", china_time(request.get("requested_at"))),
        field("须审批的原因", "；".join(request.get("reasons") or [])),
    ]
    levels = len(request.get("levels") or []) or 1
    if request.get("state") == "pending":
        fields += [
            field("审批进度", f"等待第{request.get('level')}级审批（共{levels}级）"),
            field("审批截止", china_time(request.get("deadline"))),
        ]
    decisions = [decision_text(decision) for decision in request.get("decisions") or []]
    if decisions:
        fields.append(field("审批记录", "；".join(decisions)))
    if request.get("result"):
        fields.append(field("办理结果（发票号码）", request["result"]))
    return {"type": "approval", "title": title, "id": request.get("id"), "fields": fields}
