from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.errors import ConfirmationNotAllowed
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.domain.party import PartyRole
from invoicing_core.domain.red_letter import (
    ConfirmationForm,
    ConfirmationState,
    RedLetterReason,
    RedLinePart,
    open_confirmation,
)

ENTERED = datetime(2026, 3, 10, 9, 0, tzinfo=CHINA_TZ)
SOON = ENTERED + timedelta(hours=1)
SELLER, BUYER = PartyRole.SELLER, PartyRole.BUYER


def form(
    initiator: PartyRole = SELLER, *, full: bool = True, used: bool = True
) -> ConfirmationForm:
    """A form entered at ENTERED for the blue invoice 26421000000000000001."""
    return open_confirmation(
        blue_number="26421000000000000001",
        reason=RedLetterReason.SALES_RETURN,
        initiator=initiator,
        parts=() if full else (RedLinePart(1, Decimal("100")),),
        buyer_confirmed_use=used,
        now=ENTERED,
    )


def test_state_codes_and_labels_follow_the_tax_system() -> None:
    assert [state.value for state in ConfirmationState] == [f"0{n}" for n in range(1, 10)]
    assert ConfirmationState.LAPSED.label == "作废（超72小时未确认）"


def test_the_seller_alone_may_red_letter_in_full_before_the_buyer_confirms_use() -> None:
    unconfirmed = form(full=True, used=False)
    assert unconfirmed.state is ConfirmationState.NOT_REQUIRED
    assert unconfirmed.allows_issuing(ENTERED)


def test_once_the_buyer_has_confirmed_use_the_seller_waits_for_the_buyer() -> None:
    entered = form(full=True, used=True)
    assert entered.state is ConfirmationState.AWAITING_BUYER
    assert not entered.allows_issuing(SOON)


def test_a_partial_red_letter_always_waits_for_the_buyer() -> None:
    assert form(full=False, used=False).state is ConfirmationState.AWAITING_BUYER


def test_a_form_the_buyer_enters_waits_for_the_seller() -> None:
    assert form(BUYER, used=False).state is ConfirmationState.AWAITING_SELLER


def test_the_other_party_confirms_and_issuing_may_go_ahead() -> None:
    confirmed = form().confirm(BUYER, SOON)
    assert confirmed.state is ConfirmationState.CONFIRMED
    assert confirmed.allows_issuing(SOON + timedelta(days=30))


@pytest.mark.parametrize(
    ("initiator", "denier", "state"),
    [
        (SELLER, BUYER, ConfirmationState.DENIED_BY_BUYER),
        (BUYER, SELLER, ConfirmationState.DENIED_BY_SELLER),
    ],
)
def test_the_other_party_may_deny(
    initiator: PartyRole, denier: PartyRole, state: ConfirmationState
) -> None:
    assert form(initiator).deny(denier, SOON).state is state


def test_the_initiator_cannot_answer_its_own_form() -> None:
    with pytest.raises(ConfirmationNotAllowed):
        form(SELLER).confirm(SELLER, SOON)


def test_an_unanswered_form_lapses_after_72_hours() -> None:
    entered = form()
    assert (
        entered.state_at(ENTERED + timedelta(hours=71, minutes=59))
        is ConfirmationState.AWAITING_BUYER
    )
    assert entered.state_at(ENTERED + timedelta(hours=72)) is ConfirmationState.LAPSED
    with pytest.raises(ConfirmationNotAllowed, match="超过72小时"):
        entered.confirm(BUYER, ENTERED + timedelta(hours=72))


def test_the_initiator_may_withdraw_before_or_after_confirmation() -> None:
    assert form().withdraw(SELLER, SOON).state is ConfirmationState.WITHDRAWN
    confirmed = form().confirm(BUYER, SOON)
    assert confirmed.withdraw(SELLER, SOON).state is ConfirmationState.WITHDRAWN_AFTER_CONFIRMATION


def test_only_the_initiator_may_withdraw_and_not_a_lapsed_form() -> None:
    with pytest.raises(ConfirmationNotAllowed, match="发起方"):
        form().withdraw(BUYER, SOON)
    with pytest.raises(ConfirmationNotAllowed, match="不能撤销"):
        form().withdraw(SELLER, ENTERED + timedelta(days=4))


@pytest.mark.parametrize("raw", ["2", 2, "销货退回", RedLetterReason.SALES_RETURN])
def test_reasons_are_read_from_code_or_label(raw: object) -> None:
    assert RedLetterReason.parse(raw) is RedLetterReason.SALES_RETURN


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_a_waiting_form_lapses_exactly_when_72_hours_have_passed(elapsed: timedelta) -> None:
    lapsed = form().state_at(ENTERED + elapsed) is ConfirmationState.LAPSED
    assert lapsed == (elapsed >= timedelta(hours=72))
