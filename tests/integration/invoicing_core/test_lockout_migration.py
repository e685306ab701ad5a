"""Migration core0007: per-address login failures, on a database with users in it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, Table, func, insert, inspect, select

from invoicing_core.persistence import make_engine, upgrade_schema
from invoicing_core.persistence.migrations import downgrade, upgrade
from invoicing_core.persistence.tables import (
    access_tokens,
    companies,
    login_failures,
    password_reset_codes,
    users,
)

NOW = datetime.now(UTC)
LOCKED_UNTIL = NOW + timedelta(minutes=10)


def _populate_at_core0006(engine: Engine) -> None:
    # Only columns core0006 has: the table objects are the newest schema.
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
        user = connection.execute(
            insert(users).values(
                username="locked-before",
                password_hash="x",
                role="issuer",
                company_id=company,
                display_name="锁定",
                phone="",
                email="",
                failed_logins=3,
                locked_until=LOCKED_UNTIL,
                created_at=NOW,
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(access_tokens).values(
                token_hash="t" * 64, user_id=user, created_at=NOW, expires_at=LOCKED_UNTIL
            )
        )
        connection.execute(
            insert(password_reset_codes).values(
                user_id=user, code_hash="h", created_at=NOW, expires_at=LOCKED_UNTIL, failed_tries=0
            )
        )


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_upgrade_keeps_a_running_lock_starts_counts_afresh_and_round_trips(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
    upgrade(engine, "core0006")
    _populate_at_core0006(engine)

    upgrade_schema(engine)

    with engine.connect() as connection:
        user = connection.execute(select(users)).one()
        code = connection.execute(select(password_reset_codes)).one()
    assert (user.failed_logins, user.failed_logins_since) == (0, None)
    assert user.locked_until == LOCKED_UNTIL
    assert code.address is None
    assert _count(engine, login_failures) == 0

    downgrade(engine, "core0006")
    # Plain column drops: the user's tokens and codes survive the way back.
    assert "login_failures" not in inspect(engine).get_table_names()
    assert (_count(engine, access_tokens), _count(engine, password_reset_codes)) == (1, 1)
    upgrade_schema(engine)
    assert _count(engine, users) == 1
    engine.dispose()
