"""`python -m channels upgrade` on a database left at older revisions with data in it, on
SQLite and PostgreSQL: it backs up, rehearses on a copy, migrates and checks; a migration
that fails stops at the rehearsal with the real database untouched."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

import channels.migrations
import knowledge.migrations
from channels.__main__ import app_database
from channels.app import migrate_database
from channels.backup import BackupRefused, upgrade
from channels.conversations.tables import conversations
from channels.conversations.tables import messages as conversation_messages
from invoicing_core import CoreSettings, InvoicingCore, Role, make_engine
from invoicing_core.api.schemas import IssueIn
from invoicing_core.persistence import migrations as core_migrations
from invoicing_core.persistence.audit import verify_chain
from invoicing_core.persistence.tables import audit_log, invoices
from tests.integration.backup.conftest import Deployment, _sqlite_deployment
from tests.integration.backup.test_restore_drill import counts, rows
from tests.integration.invoicing_core.test_invoice_api import service_fee

# Where the previous release left each package: older than head, with downgrades that
# drop columns of tables holding rows (conversations) and whole tables.
OLDER = {"invoicing_core": "core0007", "channels": "0005", "knowledge": "k0003"}
CORE_FOLDER = Path(core_migrations.__file__).parent


def _older_release_with_data(deployment: Deployment) -> sa.Engine:
    """Invoices issued (one voided) and a conversation, then every package taken back."""
    url = deployment.sources.database_url
    engine = make_engine(url)
    migrate_database(engine)
    core = InvoicingCore.open(CoreSettings(database_url=url, var_dir=deployment.sources.var_dir))
    try:
        company = core.accounts.create_company(
            name="升级测试有限公司", tax_id="91420100MA4K5R3T13", monthly_quota=Decimal("1000000")
        )
        core.accounts.create_user(
            username="upgrade-issuer", password="Kaipiao#2026", role=Role.ISSUER, company_id=company
        )
        issuer = core.accounts.principal_of("upgrade-issuer")
        for _ in range(4):
            core.invoices.issue(issuer, IssueIn.model_validate(service_fee()).to_request())
    finally:
        core.close()
    with engine.begin() as connection:
        at = datetime.now(UTC)
        connection.execute(
            sa.insert(conversations).values(
                id="c-upgrade", channel="widget", state="bot", created_at=at, updated_at=at
            )
        )
        connection.execute(
            sa.insert(conversation_messages).values(
                conversation_id="c-upgrade", role="user", text="开票", delivered=True, created_at=at
            )
        )
    for folder, revision in (
        (CORE_FOLDER, OLDER["invoicing_core"]),
        (Path(channels.migrations.__file__).parent, OLDER["channels"]),
        (Path(knowledge.migrations.__file__).parent, OLDER["knowledge"]),
    ):
        _downgrade(engine, folder, revision)
    return engine


def _downgrade(engine: sa.Engine, folder: Path, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(folder))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _state(engine: sa.Engine) -> dict[str, Any]:
    """What must come through an upgrade (or a refused one) unchanged."""
    return {
        "invoices": rows(engine, invoices, "number"),
        "audit": rows(engine, audit_log, "id"),
        "messages": {k: v["text"] for k, v in rows(engine, conversation_messages, "id").items()},
    }


def _heads() -> dict[str, str]:
    heads = {}
    for name, folder in app_database().folders.items():
        config = Config()
        config.set_main_option("script_location", str(folder))
        heads[name] = str(ScriptDirectory.from_config(config).get_current_head())
    return heads


def test_an_upgrade_from_older_revisions_keeps_the_data_and_passes_its_check(
    deployment: Deployment, tmp_path: Path
) -> None:
    engine = _older_release_with_data(deployment)
    before = _state(engine)
    said: list[str] = []

    upgraded = upgrade(deployment.sources, app_database(), tmp_path / "backups", said.append)

    assert upgraded.before == OLDER
    assert upgraded.after == _heads()
    assert upgraded.backup.parent == tmp_path / "backups" and upgraded.backup.is_file()
    assert _state(engine) == before
    chain = verify_chain(engine)
    assert chain.intact and chain.entries == len(before["audit"]) > 0
    assert f"[4/4] check: audit chain intact: {chain.entries} entries" in said
    newest = sorted(before["invoices"], key=lambda n: before["invoices"][n]["id"])[-3:]
    read = [line for line in said if line.startswith("[4/4] check: invoice ")]
    assert [line.split()[3] for line in read] == newest[::-1]
    assert said[-1].startswith("upgraded; next: restart the app")
    engine.dispose()


def _failing_migration(folder: Path, down_revision: str) -> None:
    """A migration after the core's head that changes a table, then fails in the database."""
    folder.mkdir()
    (folder / "fails_in_the_database.py").write_text(
        textwrap.dedent(
            '''
            """A change the rehearsal must not let through."""
            import sqlalchemy as sa
            from alembic import op

            revision = "rehearsal_fails"
            down_revision = "DOWN_REVISION"
            branch_labels = None
            depends_on = None


            def upgrade() -> None:
                op.add_column("invoices", sa.Column("approved_by", sa.String(64)))
                op.execute("UPDATE no_such_table SET approved = 1")


            def downgrade() -> None:
                op.drop_column("invoices", "approved_by")
            '''
        ).replace("DOWN_REVISION", down_revision),
        encoding="utf-8",
    )


def test_a_migration_that_fails_stops_at_the_rehearsal_and_leaves_the_database_as_it_was(
    deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _older_release_with_data(deployment)
    extra = tmp_path / "more-versions"
    _failing_migration(extra, _heads()["invoicing_core"])
    plain = ScriptDirectory.from_config

    def with_the_failing_one(config: Config) -> ScriptDirectory:
        # The core's migrations as Alembic finds them, plus one more version location.
        if Path(config.get_main_option("script_location") or "") == CORE_FOLDER:
            config.set_main_option("path_separator", "os")
            config.set_main_option(
                "version_locations", os.pathsep.join([str(CORE_FOLDER / "versions"), str(extra)])
            )
        return plain(config)

    monkeypatch.setattr(ScriptDirectory, "from_config", with_the_failing_one)
    before, tables = _state(engine), counts(engine)
    said: list[str] = []

    with pytest.raises(BackupRefused) as refused:
        upgrade(deployment.sources, app_database(), tmp_path / "backups", said.append)

    [archive] = (tmp_path / "backups").glob("kaipiao-backup-*.tar.gz")
    assert refused.value.code == "rehearsal_failed"
    assert str(archive) in refused.value.message
    assert "no_such_table" in refused.value.message and "正式数据库未改动" in refused.value.message
    assert said[-1].startswith("[2/4] rehearsal on a copy: FAILED")
    assert not any(line.startswith("[3/4]") for line in said)
    # The real database: same revisions, same tables and rows, no column of the new one.
    monkeypatch.undo()
    assert upgrade_revisions(engine) == OLDER
    assert counts(engine) == tables and _state(engine) == before
    columns = {c["name"] for c in sa.inspect(engine).get_columns("invoices")}
    assert "approved_by" not in columns
    if deployment.kind == "postgresql":
        with engine.connect() as connection:
            left = connection.execute(
                sa.text("SELECT datname FROM pg_database WHERE datname LIKE :scratch"),
                {"scratch": f"{engine.url.database}_rehearsal_%"},
            ).all()
        assert left == []
    engine.dispose()


def upgrade_revisions(engine: sa.Engine) -> dict[str, str | None]:
    from channels.backup.upgrade import revisions

    return revisions(engine, app_database().folders)


def test_a_broken_audit_chain_fails_the_check_after_the_migration_and_names_the_backup(
    tmp_path: Path,
) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    deployment = _sqlite_deployment(var_dir)
    engine = _older_release_with_data(deployment)
    with engine.begin() as connection:
        connection.execute(sa.update(audit_log).where(audit_log.c.id == 2).values(actor="someone"))
    said: list[str] = []

    with pytest.raises(BackupRefused) as refused:
        upgrade(deployment.sources, app_database(), tmp_path / "backups", said.append)

    [archive] = (tmp_path / "backups").glob("kaipiao-backup-*.tar.gz")
    assert refused.value.code == "check_failed"
    assert "audit chain BROKEN at entry 2" in refused.value.message
    assert f"make restore ARCHIVE={archive} FORCE=1" in refused.value.message
    assert said[-1].startswith("[4/4] check: FAILED")
    assert upgrade_revisions(engine) == _heads()  # migrated: the check comes after
    engine.dispose()


def test_the_command_line_upgrades_and_says_each_step(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    deployment = _sqlite_deployment(var_dir)
    _older_release_with_data(deployment).dispose()
    environment = {**os.environ, "VAR_DIR": str(var_dir), "DATABASE_URL": ""}

    done = subprocess.run(
        [sys.executable, "-m", "channels", "upgrade", "--to", str(tmp_path / "backups")],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    steps = [line.split(":")[0] for line in done.stdout.splitlines() if line.startswith("[")]
    assert steps[:3] == ["[1/4] backup", "[2/4] rehearsal on a copy", "[3/4] migrate"]
    assert "[4/4] check: audit chain intact" in done.stdout
    assert "make run" in done.stdout.splitlines()[-1]
