"""The restore drill: seed through the real services, back up while invoices are being
issued, wipe everything, restore, and find the same system, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from channels import service_secrets
from channels.app import create_app, migrate_database
from channels.backup import back_up, restore
from channels.conversations.tables import messages as conversation_messages
from channels.service_secrets import FILES
from channels.settings import AppSettings
from invoicing_core import CoreSettings, InvoicingCore, make_engine
from invoicing_core.persistence.audit import verify_chain
from invoicing_core.persistence.tables import audit_log, invoices, quota_usage, received_invoices
from tests.integration.backup.conftest import Deployment, tracker_engine, tracker_events
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
from tests.integration.invoicing_core.received_ledger import buyer_of, issued_to, recognize, record
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee


@contextmanager
def running_app(deployment: Deployment, rasa_port: int) -> Iterator[TestClient]:
    """The app on the deployment's database (Rasa not answering: a turn is still stored)."""
    settings = AppSettings(log_json=False, rasa_url=f"http://127.0.0.1:{rasa_port}")
    sources = deployment.sources
    core = CoreSettings(database_url=sources.database_url, var_dir=sources.var_dir)
    with TestClient(create_app(settings, core)) as client:
        yield client


def core_of(client: TestClient) -> InvoicingCore:
    core: InvoicingCore = client.app.state.invoicing_core  # type: ignore[attr-defined]
    return core


def rows(engine: sa.Engine, table: sa.Table, key: str) -> dict[Any, dict[str, Any]]:
    """Every row of a table by its key."""
    with engine.connect() as connection:
        found = connection.execute(sa.select(table)).mappings()
        return {row[key]: dict(row) for row in found}


def counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table, counted here rather than by the code under test."""
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        return {
            name: connection.execute(
                sa.select(sa.func.count()).select_from(sa.table(name))
            ).scalar_one()
            for name in names
        }


def quota_matches_invoices(engine: sa.Engine) -> dict[int, tuple[Decimal, Decimal]]:
    """Per company: the quota counter and the blue unvoided invoices it must equal."""
    with engine.connect() as connection:
        used = connection.execute(
            sa.select(quota_usage.c.company_id, sa.func.sum(quota_usage.c.used)).group_by(
                quota_usage.c.company_id
            )
        ).all()
        issued: dict[int, Decimal] = {
            company: Decimal(total)
            for company, total in connection.execute(
                sa.select(invoices.c.company_id, sa.func.sum(invoices.c.total_amount))
                .where(invoices.c.red_of.is_(None), invoices.c.status != "voided")
                .group_by(invoices.c.company_id)
            )
        }
    return {company: (Decimal(total), issued[company]) for company, total in used}


class Issuer(threading.Thread):
    """Issues invoices through the app one after another until told to stop."""

    def __init__(self, client: TestClient, tenant: Tenant) -> None:
        super().__init__(daemon=True)
        self.client, self.tenant = client, tenant
        self.numbers: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.numbers.append(issue(self.client, self.tenant, service_fee())["number"])

    def issued_at_least(self, count: int) -> int:
        while len(self.numbers) < count:
            assert self.is_alive(), "the issuing thread died"
            time.sleep(0.01)
        return len(self.numbers)


def seed(client: TestClient, deployment: Deployment) -> Tenant:
    """Invoices issued, voided and red-lettered, a received invoice recorded from its PDF,
    a conversation, and its turns in Rasa's tracker store."""
    core = core_of(client)
    seller, buyer = make_tenant(client, core), make_tenant(client, core)
    digital = issue(client, seller, service_fee())
    paper = issue(client, seller, service_fee(kind="paper_special"))
    voided = client.post(
        f"/api/v1/invoices/{paper['number']}/void", json={"reason": "开错"}, headers=seller.issuer
    )
    red = client.post(
        f"/api/v1/invoices/{digital['number']}/red-letter",
        json={"reason": "销货退回"},
        headers=seller.issuer,
    )
    assert (voided.status_code, red.status_code) == (200, 201), (voided.text, red.text)
    bought = issued_to(client, seller, buyer_of(buyer), "paper_special")
    pdf = client.get(f"/api/v1/invoices/{bought['number']}/pdf", headers=seller.issuer).content
    recorded = record(client, buyer.issuer, recognize(client, buyer.issuer, pdf)["id"])
    assert recorded.status_code == 201, recorded.text
    # Rasa does not answer here: the message is kept in its conversation all the same.
    chat = client.post("/api/v1/chat", json={"message": "红字发票怎么开？"}, headers=buyer.issuer)
    assert chat.status_code == 503, chat.text
    conversation = chat.json()["error"]["conversation_id"]
    tracker = tracker_engine(deployment)
    with tracker.begin() as connection:
        for n, (kind, data) in enumerate([("user", "红字发票怎么开？"), ("bot", "请在……")]):
            connection.execute(
                tracker_events.insert().values(
                    sender_id=conversation, type_name=kind, timestamp=n, data=json.dumps(data)
                )
            )
    tracker.dispose()
    service_secrets.ensure(deployment.sources.var_dir)
    return seller


def test_a_backup_taken_while_invoices_are_issued_restores_the_same_system(
    deployment: Deployment, tmp_path: Path, free_port: Callable[[], int]
) -> None:
    engine = make_engine(deployment.sources.database_url)
    migrate_database(engine)
    rasa_port = free_port()
    with running_app(deployment, rasa_port) as client:
        seller = seed(client, deployment)
        issuer = Issuer(client, seller)
        issuer.start()
        surely_in = issuer.issued_at_least(5)
        started = time.monotonic()
        made = back_up(deployment.sources, tmp_path / "backups")
        backup_seconds = time.monotonic() - started
        after_backup = len(issuer.numbers)
        issuer.issued_at_least(after_backup + 5)
        issuer.stop.set()
        issuer.join()
        source_invoices = rows(engine, invoices, "number")
        source_audit = rows(engine, audit_log, "id")
        source_received = rows(engine, received_invoices, "id")
        source_messages = rows(engine, conversation_messages, "id")
        source_counts = counts(engine)
    engine.dispose()
    tracker = tracker_engine(deployment)
    source_events = rows(tracker, tracker_events, "id")
    tracker.dispose()

    secrets = {name: (deployment.sources.var_dir / name).read_text() for name in FILES}
    deployment.wipe()
    assert list(deployment.sources.var_dir.iterdir()) == []
    restored = restore(made.path, deployment.sources)

    engine = make_engine(deployment.sources.database_url)
    recorded = made.manifest["databases"]["app"]["tables"]
    assert counts(engine) == recorded == restored.manifest["databases"]["app"]["tables"]
    # Every invoice issued before the backup began is back, byte for byte, and none asked
    # for after it ended (one at a time: the one in flight as it ended may be either);
    # those in between are back whole or not at all.
    restored_invoices = rows(engine, invoices, "number")
    assert set(issuer.numbers[:surely_in]) <= set(restored_invoices)
    assert not set(issuer.numbers[after_backup + 1 :]) & set(restored_invoices)
    assert all(source_invoices[n] == row for n, row in restored_invoices.items())
    assert source_counts["invoices"] > recorded["invoices"] == len(restored_invoices)
    assert {str(row["status"]) for row in restored_invoices.values()} >= {"voided", "red_flushed"}
    # One snapshot: the quota counters agree with the invoices, the audit chain's head
    # with its last entry, and every entry is the one the source had.
    for company, (counted, summed) in quota_matches_invoices(engine).items():
        assert counted == summed, company
    chain = verify_chain(engine)
    assert chain.intact and chain.entries == recorded["audit_log"] > 0
    assert all(source_audit[i] == row for i, row in rows(engine, audit_log, "id").items())
    assert rows(engine, received_invoices, "id") == source_received != {}
    tracker = tracker_engine(deployment)
    assert rows(tracker, tracker_events, "id") == source_events
    tracker.dispose()
    assert rows(engine, conversation_messages, "id") == source_messages != {}
    var_dir = deployment.sources.var_dir
    assert {name: (var_dir / name).read_text() for name in FILES} == secrets
    assert {(var_dir / name).stat().st_mode & 0o777 for name in FILES} == {0o600}
    engine.dispose()

    # The restored system goes on: its number sequence continues past every restored number.
    with running_app(deployment, rasa_port) as client:
        following = issue(client, seller, service_fee())["number"]
    assert following not in restored_invoices
    assert following > max(n for n in issuer.numbers if n in restored_invoices)
    print(
        f"{deployment.kind}: backup {backup_seconds:.2f}s while {after_backup - surely_in} "
        f"invoices were issued; {len(restored_invoices)} of {len(source_invoices)} restored"
    )
