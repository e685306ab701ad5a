"""verify_chain (the CLI's verify-audit) detects an edited entry and a deleted last entry."""

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, func, select, text, update
from sqlalchemy.engine import make_url

from invoicing_core.domain.account import Role
from invoicing_core.persistence import make_engine, upgrade_schema
from invoicing_core.persistence.audit import verify_chain
from invoicing_core.persistence.tables import audit_log
from invoicing_core.services.accounts import AccountService
from invoicing_core.services.user_admin import UserAdminService


@pytest.fixture
def private_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own on the same kind as `database_url`: tampering stays here."""
    if make_url(database_url).get_backend_name() == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'tamper.db'}")
        upgrade_schema(engine)
        yield engine
        engine.dispose()
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    schema = f"tamper_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def audited(private_engine: Engine) -> list[int]:
    """A few account events in the chain; their entry ids."""
    accounts = AccountService(private_engine, token_ttl=timedelta(hours=1))
    company = accounts.create_company(
        name="篡改测试有限公司", tax_id="91420100MA4K5R3T13", monthly_quota=Decimal(1000)
    )
    for name in ("alice", "bob"):
        accounts.create_user(
            username=name, password="Good@2026!", role=Role.ADMIN, company_id=company
        )
    accounts.log_in("alice", "Good@2026!", "192.0.2.1")
    UserAdminService(private_engine).change_role(accounts.principal_of("alice"), "bob", Role.ISSUER)
    with private_engine.connect() as connection:
        return list(connection.execute(select(audit_log.c.id).order_by(audit_log.c.id)).scalars())


def test_an_untouched_chain_is_intact(private_engine: Engine, audited: list[int]) -> None:
    check = verify_chain(private_engine)
    assert (check.intact, check.entries) == (True, len(audited))


def test_editing_one_entrys_after_is_detected_at_that_entry(
    private_engine: Engine, audited: list[int]
) -> None:
    tampered = audited[1]
    with private_engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.id == tampered).values(after={"role": "admin"})
        )

    check = verify_chain(private_engine)

    assert (check.intact, check.first_broken_id, check.entries) == (False, tampered, 1)


def test_deleting_the_last_entry_is_detected(private_engine: Engine, audited: list[int]) -> None:
    with private_engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.id == audited[-1]))
        left = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()

    check = verify_chain(private_engine)

    assert left == len(audited) - 1
    assert (check.intact, check.first_broken_id) == (False, audited[-1])
