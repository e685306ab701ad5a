"""Migration core0009: the approval tables come and go, leaving the rest as it was."""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import make_url

from invoicing_core.persistence import make_engine, upgrade_schema
from invoicing_core.persistence.migrations import downgrade, upgrade
from invoicing_core.persistence.tables import approval_requests, approval_rules, companies

NOW = datetime.now(UTC)
APPROVAL_TABLES = {"approval_rules", "approval_requests"}


def _kinds() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_kinds())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a private PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_approval_tables_upgrade_hold_requests_and_downgrade_cleanly(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, "core0008")
    assert not APPROVAL_TABLES & set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        company = connection.execute(
            insert(companies).values(
                name="迁移测试有限公司",
                tax_id="91420100MA4K5R3T13",
                address="",
                phone="",
                bank="",
                account="",
                monthly_quota=1000,
                created_at=NOW,
                paper_special_limit=100000,
            )
        ).inserted_primary_key[0]

    upgrade_schema(engine)

    with engine.begin() as connection:
        connection.execute(
            insert(approval_rules).values(
                company_id=company, rules={"void": True}, updated_at=NOW, updated_by="admin"
            )
        )
        connection.execute(
            insert(approval_requests).values(
                company_id=company,
                action="void",
                state="pending",
                requested_by="clerk",
                requested_at=NOW,
                deadline=NOW + timedelta(hours=72),
                levels=[{"approvers": []}],
                reasons=["作废发票须经审批"],
                content={"number": "1"},
                quota_hold=0,
                hold_month=NOW.strftime("%Y-%m"),
                decisions=[],
            )
        )
        stored = connection.execute(select(approval_requests)).one()
    assert (stored.deadline - stored.requested_at, stored.idempotency_key) == (
        timedelta(hours=72),
        None,
    )

    downgrade(engine, "core0008")

    assert not APPROVAL_TABLES & set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(companies)).scalar_one() == 1
    upgrade_schema(engine)
    assert set(inspect(engine).get_table_names()) >= APPROVAL_TABLES
    engine.dispose()
