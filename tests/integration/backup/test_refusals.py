"""What a restore refuses, and how: a damaged or tampered archive, a target that holds data
(unless forced), bad paths; each refusal in Chinese with its code, nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from channels import service_secrets
from channels.app import migrate_database
from channels.backup import Backup, BackupRefused, Sources, back_up, restore
from invoicing_core import CoreSettings, InvoicingCore
from tests.conftest import ROOT
from tests.integration.backup.conftest import Deployment, tracker_engine, tracker_events
from tests.integration.invoicing_core.conftest import valid_tax_id


def add_company(deployment: Deployment, n: int) -> None:
    """A company made through the accounts service (which writes the audit log too)."""
    core = InvoicingCore.open(
        CoreSettings(database_url=deployment.sources.database_url, var_dir=Path("unused"))
    )
    try:
        core.accounts.create_company(
            name=f"武汉备份{n}有限公司",
            tax_id=valid_tax_id(900000 + n),
            monthly_quota=Decimal(1000),
        )
    finally:
        core.close()


def seeded_backup(deployment: Deployment, to: Path) -> Backup:
    """A deployment with a company, a conversation's turn in the tracker and the secrets,
    backed up."""
    core = InvoicingCore.open(CoreSettings(database_url=deployment.sources.database_url))
    migrate_database(core.engine)
    core.close()
    add_company(deployment, 1)
    tracker = tracker_engine(deployment)
    with tracker.begin() as connection:
        connection.execute(tracker_events.insert().values(sender_id="c1", type_name="user"))
    tracker.dispose()
    service_secrets.ensure(deployment.sources.var_dir)
    return back_up(deployment.sources, to)


def app_rows(deployment: Deployment) -> dict[str, int]:
    """Rows per table of the app's database, an absent one having none."""
    engine = sa.create_engine(deployment.sqlalchemy_url("app"))
    try:
        with engine.connect() as connection:
            names = sa.inspect(connection).get_table_names()
            return {
                n: connection.execute(
                    sa.select(sa.func.count()).select_from(sa.table(n))
                ).scalar_one()
                for n in names
            }
    finally:
        engine.dispose()


def rewritten(archive: Path, into: Path, change: str) -> Path:
    """The archive packed again with one byte of member `change` flipped, manifest kept."""
    unpacked = into / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
        names = tar.getnames()
    damaged = unpacked / change
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    tampered = into / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for name in names:
            tar.add(unpacked / name, arcname=name, recursive=False)
    return tampered


def test_a_tampered_archive_is_refused_and_nothing_is_restored(
    deployment: Deployment, tmp_path: Path
) -> None:
    made = seeded_backup(deployment, tmp_path / "backups")
    member = made.manifest["databases"]["app"]["member"]
    tampered = rewritten(made.path, tmp_path, member)
    deployment.wipe()

    with pytest.raises(BackupRefused) as refused:
        restore(tampered, deployment.sources)

    assert refused.value.code == "checksum_mismatch"
    assert member in refused.value.message and "校验和" in refused.value.message
    assert list(deployment.sources.var_dir.iterdir()) == []  # no secret, no SQLite file
    assert sum(app_rows(deployment).values()) == 0


def test_a_cut_short_or_foreign_file_is_refused_as_unreadable(tmp_path: Path) -> None:
    archive = tmp_path / "kaipiao-backup-cut.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(ROOT / "README.md", arcname="README.md")
    whole = archive.read_bytes()
    for content in (whole[: len(whole) // 2], whole, b"not an archive"):
        archive.write_bytes(content)
        with pytest.raises(BackupRefused) as refused:
            restore(archive, _nowhere(tmp_path))
        assert refused.value.code == "archive_unreadable"
        assert str(archive) in refused.value.message


def _nowhere(tmp_path: Path) -> Sources:
    """Sources where nothing exists: a refusal comes before any database is opened."""
    return Sources(
        database_url=f"sqlite:///{tmp_path / 'never' / 'app.db'}",
        tracker_url=f"sqlite:///{tmp_path / 'never' / 'rasa-tracker.db'}",
        var_dir=tmp_path / "never",
        knowledge_index_dir=tmp_path / "never",
    )


def test_restoring_over_data_is_refused_unless_forced(
    deployment: Deployment, tmp_path: Path
) -> None:
    made = seeded_backup(deployment, tmp_path / "backups")
    add_company(deployment, 2)
    grown = app_rows(deployment)

    with pytest.raises(BackupRefused) as refused:
        restore(made.path, deployment.sources)
    assert refused.value.code == "target_not_empty"
    assert "companies 2 行" in refused.value.message and "--force" in refused.value.message
    assert app_rows(deployment) == grown

    restore(made.path, deployment.sources, force=True)
    assert app_rows(deployment) == made.manifest["databases"]["app"]["tables"]
    assert grown["companies"] == 2 > app_rows(deployment)["companies"]


def test_a_freshly_migrated_database_counts_as_empty(
    deployment: Deployment, tmp_path: Path
) -> None:
    made = seeded_backup(deployment, tmp_path / "backups")
    deployment.wipe()
    core = InvoicingCore.open(CoreSettings(database_url=deployment.sources.database_url))
    migrate_database(core.engine)
    core.close()

    restore(made.path, deployment.sources)

    assert app_rows(deployment) == made.manifest["databases"]["app"]["tables"]


def test_a_backup_folder_that_cannot_be_made_is_refused_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(BackupRefused) as refused:
        back_up(_nowhere(tmp_path), blocker / "backups")
    assert refused.value.code == "backup_folder_unusable"
    assert str(blocker / "backups") in refused.value.message


def test_only_the_newest_archives_are_kept(deployment: Deployment, tmp_path: Path) -> None:
    to = tmp_path / "backups"
    to.mkdir()
    older = [to / f"kaipiao-backup-{year}0101T000000Z.tar.gz" for year in (2024, 2025)]
    for path in older:
        path.write_bytes(b"")
    unrelated = to / "notes.txt"
    unrelated.write_text("")
    made = seeded_backup(deployment, tmp_path / "first")

    kept = back_up(deployment.sources, to, keep=2)

    assert kept.removed == [older[0]]
    assert sorted(to.iterdir()) == sorted([older[1], kept.path, unrelated])
    assert (
        kept.manifest["databases"]["app"]["tables"] == made.manifest["databases"]["app"]["tables"]
    )


def run_cli(deployment: Deployment, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m channels …` with the deployment's settings."""
    environment = dict(os.environ) | {
        "DATABASE_URL": deployment.sources.database_url,
        "RASA_TRACKER_URL": deployment.sources.tracker_url,
        "VAR_DIR": str(deployment.sources.var_dir),
        "KNOWLEDGE_INDEX_DIR": str(deployment.sources.knowledge_index_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "channels", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
    )


def test_the_commands_back_up_refuse_in_chinese_and_restore_when_forced(
    deployment: Deployment, tmp_path: Path
) -> None:
    seeded_backup(deployment, tmp_path / "first")
    to = tmp_path / "backups"

    made = run_cli(deployment, "backup", "--to", str(to))
    (archive,) = to.glob("kaipiao-backup-*.tar.gz")
    refused = run_cli(deployment, "restore", str(archive))
    missing = run_cli(deployment, "restore", str(tmp_path / "missing.tar.gz"))
    forced = run_cli(deployment, "restore", str(archive), "--force")

    assert made.returncode == 0, made.stderr
    assert f"backup written: {archive}" in made.stdout
    assert archive.stat().st_mode & 0o777 == 0o600
    assert refused.returncode == 2
    assert refused.stderr.startswith("错误（target_not_empty）：目标数据库已有数据")
    assert missing.returncode == 2
    assert (
        f"错误（archive_not_found）：找不到备份文件：{tmp_path / 'missing.tar.gz'}"
        in missing.stderr
    )
    assert forced.returncode == 0, forced.stderr
    assert "app.companies: 1 rows" in forced.stdout
    assert "tracker.events: 1 rows" in forced.stdout


def test_another_kind_of_database_or_one_out_of_reach_is_refused_clearly(
    tmp_path: Path,
) -> None:
    sqlite = _nowhere(tmp_path)
    (tmp_path / "never").mkdir()
    core = InvoicingCore.open(CoreSettings(database_url=sqlite.database_url))
    migrate_database(core.engine)
    core.close()
    made = back_up(sqlite, tmp_path / "backups")
    # Nothing listens on port 9 (discard): the kind is checked before any connection.
    away = "postgresql+psycopg://postgres@127.0.0.1:9/kaipiao"
    elsewhere = Sources(away, away, tmp_path / "other", tmp_path / "other")

    with pytest.raises(BackupRefused) as mismatched:
        restore(made.path, elsewhere)
    with pytest.raises(BackupRefused) as unreachable:
        back_up(elsewhere, tmp_path / "more")

    assert mismatched.value.code == "database_kind_mismatch"
    assert "sqlite" in mismatched.value.message and "postgresql" in mismatched.value.message
    assert not (tmp_path / "other").exists()
    assert unreachable.value.code == "database_unreachable"
    assert list((tmp_path / "more").iterdir()) == []  # no partial archive left behind
    assert f"连不上数据库 {away}" in unreachable.value.message
