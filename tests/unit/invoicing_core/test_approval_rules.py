"""Approval rules (domain/approval.py): which requests wait, and a request's life."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from invoicing_core.domain.account import Role
from invoicing_core.domain.approval import (
    ApprovalAction,
    ApprovalLevel,
    ApprovalRules,
    Subject,
    parse_rules,
)
from invoicing_core.domain.approval_request import (
    ApprovalNotPending,
    ApprovalRequest,
    ApprovalState,
    NotAnApprover,
    NotTheRequester,
    SelfApproval,
    open_request,
)
from invoicing_core.domain.errors import DomainError, InvalidInput, InvalidNumber
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.domain.kind import InvoiceKind

ASKED = datetime(2026, 3, 10, 9, 0, tzinfo=CHINA_TZ)
LISTED = "91420100MA4K5R3T13"


def issuing(
    total: str = "1000.00",
    kind: InvoiceKind = InvoiceKind.DIGITAL_GENERAL,
    buyer: str | None = "91310110666007217T",
    new_buyer: bool = False,
) -> Subject:
    return Subject(ApprovalAction.ISSUE, kind, Decimal(total), buyer, new_buyer)


def test_an_amount_with_tax_reaching_the_threshold_waits_and_one_cent_less_does_not() -> None:
    rules = parse_rules({"min_total_with_tax": "50000.00"})

    assert rules.reasons(issuing("50000.00")) == ["价税合计50000.00元达到审批金额50000.00元"]
    assert rules.reasons(issuing("49999.99")) == []


def test_each_condition_is_an_alternative_and_names_its_reason() -> None:
    rules = parse_rules(
        {"kinds": ["digital_special"], "new_buyer": True, "buyers": [f" {LISTED.lower()} "]}
    )

    assert rules.reasons(issuing(kind=InvoiceKind.DIGITAL_SPECIAL)) == [
        "数电发票（增值税专用发票）须经审批"
    ]
    assert rules.reasons(issuing(new_buyer=True)) == ["首次向该购买方开票"]
    assert rules.reasons(issuing(buyer=LISTED)) == [f"购买方{LISTED}在审批名单中"]
    assert rules.reasons(issuing()) == []
    assert len(rules.reasons(issuing(kind=InvoiceKind.DIGITAL_SPECIAL, buyer=LISTED))) == 2


def test_an_invoice_with_any_line_of_a_listed_item_waits_naming_the_line() -> None:
    rules = parse_rules({"items": ["*运输服务*", " 咨询费 "]})
    freight = "*运输服务*国内道路货物运输服务"

    def lines(*names: str) -> Subject:
        return Subject(
            ApprovalAction.ISSUE, InvoiceKind.DIGITAL_GENERAL, Decimal(1), None, False, names
        )

    assert rules.to_json()["items"] == ["咨询费", "运输服务"]
    assert rules.reasons(lines("技术服务费", freight)) == [
        f"商品或服务“{freight}”属于须审批的项目“运输服务”"
    ]
    assert rules.reasons(lines("咨询费")) == ["商品或服务“咨询费”属于须审批的项目“咨询费”"]
    assert rules.reasons(lines("*现代服务*咨询费")) == [
        "商品或服务“*现代服务*咨询费”属于须审批的项目“咨询费”"
    ]
    assert rules.reasons(lines("技术服务费", "运输服务咨询")) == []
    assert parse_rules(rules.to_json()) == rules and rules.any_condition


def test_void_and_red_letter_requests_wait_only_when_their_rule_says_so() -> None:
    void = Subject(ApprovalAction.VOID, InvoiceKind.PAPER_GENERAL, Decimal("1.00"), None, False)
    red = Subject(ApprovalAction.RED_LETTER, InvoiceKind.DIGITAL_SPECIAL, Decimal(9), None, False)
    amount_only = parse_rules({"min_total_with_tax": "1", "kinds": ["digital_special"]})

    assert amount_only.reasons(void) == [] and amount_only.reasons(red) == []
    assert parse_rules({"void": True}).reasons(void) == ["作废发票须经审批"]
    assert parse_rules({"red_letter": True}).reasons(red) == ["开具红字发票须经审批"]


def test_rules_round_trip_through_their_json_with_money_as_decimal() -> None:
    data = {
        "min_total_with_tax": "100000",
        "kinds": ["paper_special"],
        "new_buyer": True,
        "buyers": [LISTED],
        "red_letter": True,
        "void": False,
        "levels": [{"approvers": []}, {"approvers": ["boss"]}],
        "lapse_hours": 24,
    }
    rules = parse_rules(data)

    assert rules.min_total_with_tax == Decimal("100000")
    assert parse_rules(rules.to_json()) == rules
    assert rules.to_json()["min_total_with_tax"] == "100000.00"
    assert ApprovalRules().any_condition is False and rules.any_condition


@pytest.mark.parametrize(
    ("data", "error", "field"),
    [
        ({"min_total_with_tax": 1000.5}, InvalidNumber, "min_total_with_tax"),
        ({"min_total_with_tax": "0"}, InvalidInput, "min_total_with_tax"),
        ({"kinds": ["electronic"]}, InvalidInput, "kinds[0]"),
        ({"buyers": ["12345"]}, DomainError, "buyers[0]"),
        ({"levels": []}, InvalidInput, "levels"),
        ({"levels": [{}, {}, {}]}, InvalidInput, "levels"),
        ({"levels": [{"approvers": [" "]}]}, InvalidInput, "levels[0].approvers[0]"),
        ({"lapse_hours": 0}, InvalidInput, "lapse_hours"),
        ({"lapse_hours": 721}, InvalidInput, "lapse_hours"),
        ({"void": "yes"}, InvalidInput, "void"),
        ({"threshold": "1"}, InvalidInput, "threshold"),
        ({"items": "运输服务"}, InvalidInput, "items"),
        ({"items": ["运输服务", " ** "]}, InvalidInput, "items[1]"),
        ({"items": [7]}, InvalidInput, "items[0]"),
        ({"items": ["*运输*服务*"]}, InvalidInput, "items[0]"),
        ({"items": ["运" * 101]}, InvalidInput, "items[0]"),
        ({"items": [f"项目{n}" for n in range(51)]}, InvalidInput, "items"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(
    data: dict[str, object], error: type[DomainError], field: str
) -> None:
    with pytest.raises(error) as refused:
        parse_rules(data)

    assert refused.value.field == field
    assert refused.value.message


def request(
    levels: tuple[ApprovalLevel, ...] = (ApprovalLevel(),), hours: int = 72
) -> ApprovalRequest:
    """A void request of "clerk", asked at ASKED."""
    rules = ApprovalRules(void=True, levels=levels, lapse_hours=hours)
    return open_request(
        company_id=1,
        action=ApprovalAction.VOID,
        requested_by="clerk",
        rules=rules,
        reasons=["作废发票须经审批"],
        content={"number": "1"},
        quota_hold=Decimal(0),
        now=ASKED,
    )


def test_the_approver_role_approves_a_one_level_request_once() -> None:
    asked = request()
    later = ASKED + timedelta(hours=1)

    done = asked.approve("manager", Role.APPROVER, later)

    assert (done.state, done.ended_at) == (ApprovalState.APPROVED, later)
    with pytest.raises(ApprovalNotPending, match="已通过"):
        done.approve("other", Role.APPROVER, later)
    with pytest.raises(NotAnApprover):
        asked.approve("issuer", Role.ISSUER, later)


def test_nobody_approves_or_rejects_their_own_request() -> None:
    asked = request((ApprovalLevel(("clerk",)),))

    with pytest.raises(SelfApproval, match="不能审批自己提交的申请"):
        asked.approve("clerk", Role.ISSUER, ASKED)
    with pytest.raises(SelfApproval):
        asked.reject("clerk", Role.ISSUER, "不对", ASKED)


def test_two_levels_are_decided_in_order_by_two_people() -> None:
    asked = request((ApprovalLevel(), ApprovalLevel(("boss",))))

    with pytest.raises(NotAnApprover, match="第1级"):
        asked.approve("boss", Role.ADMIN, ASKED)
    first = asked.approve("manager", Role.APPROVER, ASKED)
    assert (first.state, first.level) == (ApprovalState.PENDING, 1)
    assert first.awaits("boss", Role.ADMIN, ASKED) and not first.awaits(
        "manager", Role.APPROVER, ASKED
    )
    with pytest.raises(NotAnApprover):
        first.approve("manager", Role.APPROVER, ASKED)

    final = first.approve("boss", Role.ADMIN, ASKED)
    assert final.state is ApprovalState.APPROVED and len(final.decisions) == 2


def test_a_rejection_needs_a_reason_and_ends_the_request() -> None:
    asked = request()

    with pytest.raises(InvalidInput) as refused:
        asked.reject("manager", Role.APPROVER, "  ", ASKED)
    assert refused.value.field == "reason"
    rejected = asked.reject("manager", Role.APPROVER, "金额不对", ASKED)
    assert rejected.state is ApprovalState.REJECTED
    assert rejected.decisions[-1].reason == "金额不对"
    with pytest.raises(ApprovalNotPending, match="已驳回"):
        rejected.cancel("clerk", ASKED)


def test_only_the_requester_cancels() -> None:
    asked = request()

    with pytest.raises(NotTheRequester):
        asked.cancel("manager", ASKED)
    assert asked.cancel("clerk", ASKED).state is ApprovalState.CANCELLED


def test_a_request_lapses_exactly_at_its_deadline() -> None:
    asked = request(hours=72)
    deadline = ASKED + timedelta(hours=72)

    assert asked.state_at(deadline - timedelta(seconds=1)) is ApprovalState.PENDING
    assert asked.state_at(deadline) is ApprovalState.LAPSED
    with pytest.raises(ApprovalNotPending, match="超过72小时未审批"):
        asked.approve("manager", Role.APPROVER, deadline)
    assert asked.lapse().ended_at == deadline


def test_a_level_names_its_approvers_or_takes_the_approver_role() -> None:
    named, by_role = ApprovalLevel(("boss",)), ApprovalLevel()

    assert named.admits("boss", Role.ADMIN) and named.admits("boss", Role.ISSUER)
    assert not named.admits("boss", Role.VIEWER)  # named, but since made a viewer
    assert not named.admits("manager", Role.APPROVER)
    assert by_role.admits("manager", Role.APPROVER) and not by_role.admits("boss", Role.ADMIN)
