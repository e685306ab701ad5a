"""The product's databases dumped and loaded whole: SQLite through its online backup API,
PostgreSQL through pg_dump of one exported snapshot and pg_restore.

The same code serves the app's database (`DATABASE_URL`) and Rasa's tracker store
(`RASA_TRACKER_URL`): both are SQLite files or PostgreSQL databases.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, make_url

from channels.backup.refusal import BackupRefused

# The rows a freshly migrated, empty database holds: each package's Alembic version and
# the audit chain's head at its genesis (invoicing_core's migration 0002 writes it; the
# chain's entries are in audit_log, which counts).
WRITTEN_BY_MIGRATIONS = ("alembic_version", "audit_head")


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table of the connection's (default) schema, as its transaction sees them."""
    return {
        name: connection.execute(
            sa.select(sa.func.count()).select_from(sa.table(name))
        ).scalar_one()
        for name in sorted(sa.inspect(connection).get_table_names())
    }


def holding_rows(counts: dict[str, int]) -> dict[str, int]:
    """The tables with data in them: a database that only has its schema counts as empty."""
    return {n: c for n, c in counts.items() if c and not n.startswith(WRITTEN_BY_MIGRATIONS)}


class Store(Protocol):
    """One database of the product, as a backup sees it."""

    kind: str
    suffix: str

    def exists(self) -> bool:
        """Whether there is a database to back up."""

    def dump(self, into: Path) -> dict[str, int]:
        """Write one consistent copy into the file `into`; the row counts of that copy."""

    def counts(self) -> dict[str, int]:
        """Rows per table now (none for a missing database)."""

    def load(self, dump: Path) -> None:
        """Replace the database's content with the copy `dump` made."""


def store_for(url: str) -> Store:
    """The store of a SQLAlchemy (or Rasa) database URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return SqliteStore(Path(parsed.database))
    if parsed.get_backend_name() == "postgresql":
        return PostgresStore(parsed)
    raise BackupRefused(
        "unsupported_database", f"不支持备份这种数据库：{parsed.render_as_string()}"
    )


def _counts_of(engine: sa.Engine) -> dict[str, int]:
    try:
        with engine.connect() as connection:
            return table_counts(connection)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class SqliteStore:
    """A SQLite file (the app's in WAL mode): copied page by page while others write."""

    path: Path
    kind = "sqlite"
    suffix = ".sqlite"

    def exists(self) -> bool:
        return self.path.is_file()

    def dump(self, into: Path) -> dict[str, int]:
        into.parent.mkdir(parents=True, exist_ok=True)
        # One step (pages=-1) copies every page within one read transaction: a snapshot,
        # while writers go on in the WAL.
        with closing(sqlite3.connect(self.path)) as source, closing(sqlite3.connect(into)) as copy:
            source.backup(copy)
        return _counts_of(sa.create_engine(f"sqlite:///{into}"))

    def counts(self) -> dict[str, int]:
        return _counts_of(sa.create_engine(f"sqlite:///{self.path}")) if self.exists() else {}

    def load(self, dump: Path) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The backup API writes the copy's pages over the target's, WAL included.
        with closing(sqlite3.connect(dump)) as copy, closing(sqlite3.connect(self.path)) as target:
            copy.backup(target)


@dataclass(frozen=True)
class PostgresStore:
    """A PostgreSQL database: pg_dump's custom format, restored by pg_restore."""

    url: URL
    kind = "postgresql"
    suffix = ".pgdump"

    def exists(self) -> bool:
        self.counts()  # refuses a database that does not answer
        return True

    def dump(self, into: Path) -> dict[str, int]:
        into.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection, connection.begin():
            # pg_dump reads the snapshot this transaction exported, so the counts below
            # describe exactly the rows it writes.
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts = table_counts(connection)
            self._run("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={into}")
        return counts

    def counts(self) -> dict[str, int]:
        with self._connection() as connection:
            return table_counts(connection)

    def load(self, dump: Path) -> None:
        # --clean --if-exists replaces the tables the dump holds (an empty, migrated
        # database has them); one transaction: a failure leaves the database as it was.
        self._run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(dump),
        )

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        engine = sa.create_engine(self.url.set(drivername="postgresql+psycopg"))
        try:
            with engine.connect() as connection:
                yield connection.execution_options(isolation_level="REPEATABLE READ")
        except sa.exc.OperationalError as error:
            raise BackupRefused(
                "database_unreachable",
                f"连不上数据库 {self._shown()}：{error.orig}".strip(),
            ) from error
        finally:
            engine.dispose()

    def _run(self, tool: str, *arguments: str) -> None:
        # The password goes through the environment, not the command line (ps shows that).
        environment = dict(os.environ)
        if self.url.password:
            environment["PGPASSWORD"] = str(self.url.password)
        dbname = self.url.set(drivername="postgresql", password=None).render_as_string()
        command = [postgres_tool(tool), *arguments, f"--dbname={dbname}"]
        done = subprocess.run(command, capture_output=True, text=True, env=environment)  # noqa: S603
        if done.returncode != 0:
            raise BackupRefused(
                f"{tool}_failed", f"{tool} 失败（{self._shown()}）：{done.stderr.strip()}"
            )

    def _shown(self) -> str:
        return self.url.render_as_string(hide_password=True)


def postgres_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = [
        p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}") if p.parts[-3].isdigit()
    ]
    if versions:
        return str(max(versions, key=lambda p: int(p.parts[-3])))
    raise BackupRefused(
        "postgres_tool_missing",
        f"找不到 {name}：请安装 PostgreSQL 客户端（apt-get install postgresql-client），"
        "版本不低于数据库服务器。",
    )
