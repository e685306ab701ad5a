"""`python -m channels upgrade`: back up, rehearse the migrations on a copy, migrate, check.

The copy is the backup just written, loaded apart from the real database: the SQLite file
of the archive (itself made by the online backup API), or for PostgreSQL a scratch database
on the same server that pg_restore fills from the archive's dump. A rehearsal that fails
leaves the real database as it was. Restarting the app is the operator's step.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from channels.backup.archive import read_archive
from channels.backup.backup import Sources, back_up
from channels.backup.refusal import BackupRefused
from channels.backup.stores import PostgresStore, SqliteStore, store_for

LAST_INVOICES = 3  # how many of the newest invoices the check reads back
RESTART = (
    "restart the app to serve the new version: `make run`, or restart it in your "
    "process manager (this command does not stop or start processes)"
)


@dataclass(frozen=True)
class AppDatabase:
    """The app's database as the composition root hands it over: how it is opened and
    migrated, where each package's migrations are, and how the core reads an invoice."""

    make_engine: Callable[[str], sa.Engine]
    migrate: Callable[[sa.Engine], None]  # every package to its newest schema
    folders: dict[str, Path]  # each package's Alembic script location, by package
    # (database URL, username, invoice number) → the invoice as the core's service layer
    # reads it for that user: its number, status and total with tax.
    read_invoice: Callable[[str, str, str], tuple[str, str, str]]


@dataclass(frozen=True)
class Upgraded:
    """An upgrade that passed its check: the backup taken and each package's revisions."""

    backup: Path
    before: dict[str, str | None]
    after: dict[str, str | None]


def upgrade(
    sources: Sources, database: AppDatabase, to: Path, say: Callable[[str], None] = print
) -> Upgraded:
    """Back up into `to`, rehearse on a copy, migrate, check; refused at the first failure."""
    say(f"upgrade of {_shown(sources.database_url)}")
    try:
        made = back_up(sources, to)
    except BackupRefused as refusal:  # nothing changed: its own code and message
        say(f"[1/4] backup: FAILED: {refusal.code}")
        raise
    say(f"[1/4] backup: {made.path}")
    engine = database.make_engine(sources.database_url)
    try:
        before = revisions(engine, database.folders)
        say(f"      schema now: {_described(before)}")
        _rehearsed(made.path, sources, database, before, say)
        after = _migrated(engine, made.path, database, before, say)
        _checked(engine, made.path, sources, database, say)
    finally:
        engine.dispose()
    say(f"upgraded; next: {RESTART}")
    return Upgraded(made.path, before, after)


def _rehearsed(
    archive: Path,
    sources: Sources,
    database: AppDatabase,
    before: dict[str, str | None],
    say: Callable[[str], None],
) -> None:
    try:
        rehearsed = rehearse(archive, sources, database)
    except Exception as error:  # whatever a migration raises stops the upgrade here
        say(f"[2/4] rehearsal on a copy: FAILED: {_first_line(error)}")
        raise BackupRefused(
            "rehearsal_failed",
            f"迁移演练在备份的副本上失败：{_first_line(error)}。正式数据库未改动，"
            f"仍是升级前的版本，旧版本可以继续服务；升级前的备份：{archive}。"
            "请勿以新版本重启，把此错误交给开发或技术支持。",
        ) from error
    say(f"[2/4] rehearsal on a copy: ok, {_moved(before, rehearsed)}")


def _migrated(
    engine: sa.Engine,
    archive: Path,
    database: AppDatabase,
    before: dict[str, str | None],
    say: Callable[[str], None],
) -> dict[str, str | None]:
    try:
        database.migrate(engine)
    except Exception as error:  # the copy passed, the real database did not
        say(f"[3/4] migrate: FAILED: {_first_line(error)}")
        raise BackupRefused(
            "migration_failed",
            f"正式数据库迁移失败：{_first_line(error)}。{_go_back(archive)}",
        ) from error
    after = revisions(engine, database.folders)
    say(f"[3/4] migrate: ok, {_moved(before, after)}")
    return after


def _checked(
    engine: sa.Engine,
    archive: Path,
    sources: Sources,
    database: AppDatabase,
    say: Callable[[str], None],
) -> None:
    try:
        for line in check(engine, sources, database):
            say(f"[4/4] check: {line}")
    except Exception as error:  # a failed part, or one that could not run
        said = error.message if isinstance(error, BackupRefused) else _first_line(error)
        say(f"[4/4] check: FAILED: {said}")
        raise BackupRefused(
            "check_failed", f"升级后检查未通过：{said}。{_go_back(archive)}"
        ) from error


def _go_back(archive: Path) -> str:
    return (
        "请停止服务，换回旧版本的代码，恢复升级前的备份"
        f"（make restore ARCHIVE={archive} FORCE=1）后再启动。"
    )


def rehearse(archive: Path, sources: Sources, database: AppDatabase) -> dict[str, str | None]:
    """Migrate a copy of the archive's app database apart from the real one; its revisions."""
    with tempfile.TemporaryDirectory(prefix="kaipiao-rehearsal-") as folder:
        unpacked = Path(folder)
        manifest = read_archive(archive, unpacked)
        dump = unpacked / manifest["databases"]["app"]["member"]
        with _copy_of(sources.database_url, dump) as url:
            engine = database.make_engine(url)
            try:
                database.migrate(engine)
                return at_head(engine, database.folders)
            finally:
                engine.dispose()


@contextmanager
def _copy_of(database_url: str, dump: Path) -> Iterator[str]:
    """A database holding the dump, on the real database's kind, removed afterwards."""
    store = store_for(database_url)
    if isinstance(store, SqliteStore):
        yield f"sqlite:///{dump}"  # the archive's copy, in a temporary folder
        return
    url = make_url(database_url)
    scratch = f"{(url.database or 'kaipiao')[:40]}_rehearsal_{secrets.token_hex(4)}"
    admin = sa.create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    except sa.exc.DBAPIError as error:
        admin.dispose()
        raise BackupRefused(
            "rehearsal_database_unavailable",
            f"无法在 {_shown(database_url)} 的服务器上建演练用的临时数据库：{error.orig}"
            "（数据库用户需要 CREATEDB 权限）。",
        ) from error
    try:
        PostgresStore(url.set(database=scratch)).load(dump)
        yield url.set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def _scripts(folders: dict[str, Path]) -> dict[str, ScriptDirectory]:
    scripts = {}
    for package, folder in folders.items():
        config = Config()
        config.set_main_option("script_location", str(folder))
        scripts[package] = ScriptDirectory.from_config(config)
    return scripts


def revisions(engine: sa.Engine, folders: dict[str, Path]) -> dict[str, str | None]:
    """Each package's revision in the database (None: not migrated yet)."""
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        found: set[str] = {
            revision
            for name in names
            if name.startswith("alembic_version")
            for revision in connection.execute(
                sa.select(sa.column("version_num", sa.String)).select_from(sa.table(name))
            ).scalars()
        }
    said: dict[str, str | None] = {}
    for package, script in _scripts(folders).items():
        known = {r.revision for r in script.walk_revisions()}
        said[package] = next(iter(sorted(found & known)), None)
    return said


def at_head(engine: sa.Engine, folders: dict[str, Path]) -> dict[str, str | None]:
    """Each package's revision, once every one is at its newest; refused otherwise."""
    now = revisions(engine, folders)
    behind = {
        package: (now[package], script.get_current_head())
        for package, script in _scripts(folders).items()
        if now[package] != script.get_current_head()
    }
    if behind:
        said = "、".join(f"{p} 在 {at or '无'}，应为 {head}" for p, (at, head) in behind.items())
        raise BackupRefused("schema_not_at_head", f"数据库结构不是最新版本：{said}")
    return now


def check(engine: sa.Engine, sources: Sources, database: AppDatabase) -> Iterator[str]:
    """The post-upgrade check, a line per part: schema at head for every package, the audit
    chain verifies, the newest invoices read back through the core's service layer."""
    yield f"schema at head: {_described(at_head(engine, database.folders))}"
    yield _core_command(sources, "verify-audit")
    with engine.connect() as connection:
        newest = [
            (number, _reader(connection, company_id, issued_by))
            for number, company_id, issued_by in connection.execute(
                sa.text(
                    "SELECT number, company_id, issued_by FROM invoices ORDER BY id DESC LIMIT :n"
                ),
                {"n": LAST_INVOICES},
            ).all()
        ]
    if not newest:
        yield "no invoices yet, none to read"
    for number, reader in newest:
        if reader is None:
            raise BackupRefused("invoice_unreadable", f"发票 {number} 的企业没有用户可以读取它")
        read, status, total = database.read_invoice(sources.database_url, reader, number)
        if read != number:
            raise BackupRefused("invoice_unreadable", f"读取发票 {number} 得到的是 {read}")
        yield f"invoice {number} read as {reader}: {status}, {total}"


def _reader(connection: sa.Connection, company_id: int, issued_by: str) -> str | None:
    """Whom to read an invoice as: its issuer, else another user of its company."""
    return connection.execute(
        sa.text(
            "SELECT username FROM users WHERE company_id = :company"
            " ORDER BY CASE WHEN username = :issuer THEN 0 ELSE 1 END, id LIMIT 1"
        ),
        {"company": company_id, "issuer": issued_by},
    ).scalar()


def _core_command(sources: Sources, *arguments: str) -> str:
    """Run an operator command of the invoicing core on this database; its output. (The
    audit chain's check is the core's own command: channels may not reach into the core.)"""
    environment = {
        **os.environ,
        "DATABASE_URL": sources.database_url,
        "VAR_DIR": str(sources.var_dir),
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "invoicing_core", *arguments],
        capture_output=True,
        text=True,
        env=environment,
    )
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise BackupRefused(
            "core_check_failed",
            f"python -m invoicing_core {arguments[0]}：{said[-1] if said else done.returncode}",
        )
    return done.stdout.strip()


def _described(at: dict[str, str | None]) -> str:
    return ", ".join(f"{package} {revision or 'none'}" for package, revision in at.items())


def _moved(before: dict[str, str | None], after: dict[str, str | None]) -> str:
    return ", ".join(
        f"{package} {before.get(package) or 'none'} → {revision or 'none'}"
        if before.get(package) != revision
        else f"{package} {revision or 'none'} (unchanged)"
        for package, revision in after.items()
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
