"""The core's events that notify, read through the composition root's InvoicingFacts:
red-letter forms awaiting a company's answer and requests awaiting an approver (risk
alerts: test_delivery.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select, update

from invoicing_core.persistence.tables import red_letter_forms
from tests.integration.channels.conftest import AppFactory
from tests.integration.invoicing_core.conftest import make_tenant
from tests.integration.invoicing_core.test_approvals_api import ask, company, set_rules
from tests.integration.invoicing_core.test_invoice_api import service_fee
from tests.integration.invoicing_core.test_red_letter_forms_api import (
    partial_red_letter,
    sold_to,
)


def _age(engine: Engine, form_id: int, by: timedelta) -> None:
    with engine.begin() as connection:
        entered = connection.execute(
            select(red_letter_forms.c.entered_at).where(red_letter_forms.c.id == form_id)
        ).scalar_one()
        connection.execute(
            update(red_letter_forms)
            .where(red_letter_forms.c.id == form_id)
            .values(entered_at=entered - by)
        )


def test_a_form_awaiting_the_buyer_notifies_its_issuers_once_urgent_in_its_last_day(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client()
    core = client.app.state.invoicing_core  # type: ignore[attr-defined]
    seller, buyer = make_tenant(client, core), make_tenant(client, core)
    fresh = partial_red_letter(client, seller, sold_to(client, seller, buyer))
    blue = sold_to(client, seller, buyer)
    lapsing = partial_red_letter(client, seller, blue)
    _age(engine, lapsing["id"], timedelta(hours=50))  # 22 hours left of 72

    notes = client.app.state.notifications  # type: ignore[attr-defined]
    notes.watcher.look_once()
    notes.watcher.look_once()  # seen again: nothing new
    rows = [n for n in notes.outbox.all_rows() if n.kind == "red_letter_form"]
    by_form = {
        form["id"]: [n for n in rows if form["blue_number"] in n.body] for form in (fresh, lapsing)
    }
    # The buyer's issuer, in the app (the default way); not its viewer, not the seller.
    for found in by_form.values():
        assert [(n.way, n.title) for n in found] == [("app", "红字确认单待确认")]
        assert core.accounts.company_of(found[0].username) == buyer.company_id
    assert not by_form[fresh["id"]][0].urgent
    (urgent,) = by_form[lapsing["id"]]
    assert urgent.urgent
    assert urgent.body.startswith(f"发票{blue['number']}的红字确认单待贵司确认，请在")


def test_a_request_waiting_for_approval_notifies_each_approver_once_urgent_in_its_last_day(
    make_client: AppFactory,
) -> None:
    client = make_client()
    core = client.app.state.invoicing_core  # type: ignore[attr-defined]
    firm = company(client, core)
    set_rules(client, firm, min_total_with_tax="1", lapse_hours=20)
    asked = ask(client, firm, service_fee())

    notes = client.app.state.notifications  # type: ignore[attr-defined]
    notes.watcher.look_once()
    notes.watcher.look_once()  # seen again: nothing new
    rows = [n for n in notes.outbox.all_rows() if n.kind == "approval"]
    approvers = {
        client.get("/api/v1/auth/me", headers=h).json()["username"]
        for h in (firm.approver, firm.second_approver)
    }
    # Both users of the approver role, in the app (the default way); not the requester.
    assert sorted(n.username for n in rows) == sorted(approvers)
    assert {(n.way, n.title, n.urgent) for n in rows} == {("app", "审批待处理", True)}
    assert rows[0].body.startswith(
        f"{firm.issuer_name} 提交的开具发票申请（审批单 {asked['id']}）待您审批，请在"
    )
