"""Every package's migrations go down and up again on a database holding data made at each
revision, on SQLite and PostgreSQL: rows survive wherever their table does.

The walk: from base, each revision is reached and then given the rows its release made
(tests/integration/migrations/seeds.py); at head, each step down is taken, undone and
taken again, down to base, then the package goes back to head. After every step each row
seeded so far is looked for, column by column (a column a downgrade removes is not
compared), unless the step removed its table, which only the revision that made it may.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import channels.migrations
import knowledge.migrations
from invoicing_core.persistence import make_engine
from invoicing_core.persistence import migrations as core_migrations
from tests.integration.migrations import seeds
from tests.integration.migrations.seeds import Seed

# (connection, revision reached, revisions in order, tables whose seeds are still there)
Hook = Callable[[sa.Connection, str, list[str], set[str]], None]


@dataclass(frozen=True)
class Package:
    """One package's migrations, the rows of its releases and what its data migrations do."""

    folder: Path
    seeds: list[Seed]
    hook: Hook
    # Columns a data migration rewrites: the hook checks them, not the comparison.
    rewritten: frozenset[tuple[str, str]] = frozenset()


def _config(folder: Path, connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.attributes["connection"] = connection
    return config


def _step(engine: sa.Engine, folder: Path, down: bool, revision: str) -> None:
    with engine.begin() as connection:
        config = _config(folder, connection)
        (command.downgrade if down else command.upgrade)(config, revision)


def _revisions(folder: Path) -> list[str]:
    script = ScriptDirectory(str(folder))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _plain(value: Any) -> Any:
    # PostgreSQL's timestamptz comes back in the session's zone, SQLite's as stored.
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _found(connection: sa.Connection, seed: Seed, columns: set[str]) -> dict[tuple[Any, ...], Any]:
    shown = [c for c in seed.table.c if c.name in columns]
    rows = connection.execute(sa.select(*shown)).mappings()
    return {tuple(row[k] for k in seed.key): {k: _plain(v) for k, v in row.items()} for row in rows}


@dataclass
class Live:
    """A seed still expected, and its columns a downgrade removed (re-added empty)."""

    seed: Seed
    lost: set[str] = field(default_factory=set)


def _check(
    connection: sa.Connection, package: Package, live: list[Live], order: list[str], at: str
) -> list[Live]:
    """Assert every live seed's rows are there; return the seeds whose table still exists."""
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    reached = order.index(at) if at in order else -1
    first_seeded: dict[str, int] = {}
    for seed in package.seeds:
        first_seeded.setdefault(seed.table.name, order.index(seed.revision))
    kept = []
    for each in live:
        seed = each.seed
        if seed.table.name not in tables:
            assert reached < first_seeded[seed.table.name], (
                f"{seed.table.name} disappeared at {at}, which it was made before"
            )
            continue
        columns = {c["name"] for c in inspector.get_columns(seed.table.name)}
        each.lost |= {k for k in seed.rows[0] if k not in columns}
        found = _found(connection, seed, columns)
        for row in seed.rows:
            key = tuple(row[k] for k in seed.key)
            assert key in found, f"{seed.table.name} {key} (made at {seed.revision}) lost at {at}"
            expected = {
                k: _plain(v)
                for k, v in row.items()
                if k in columns
                and k not in each.lost
                and (seed.table.name, k) not in package.rewritten
            }
            actual = {k: found[key][k] for k in expected}
            assert actual == expected, f"{seed.table.name} {key} changed at {at}"
        kept.append(each)
    package.hook(connection, at, order, {each.seed.table.name for each in kept})
    return kept


def _seed(engine: sa.Engine, seeds_now: list[Seed]) -> None:
    with engine.begin() as connection:
        for seed in seeds_now:
            connection.execute(sa.insert(seed.table), list(seed.rows))


def _at_least(at: str, revision: str, order: list[str]) -> bool:
    return at in order and order.index(at) >= order.index(revision)


def _core_hook(connection: sa.Connection, at: str, order: list[str], seeded: set[str]) -> None:
    if _at_least(at, "core0005", order) and "invoices" in seeded:
        # Counted by core0005 from the two blue invoices issued before it, each 100.00.
        used = connection.execute(sa.select(seeds.quota_usage)).all()
        assert [tuple(row) for row in used] == [(1, "2026-11", Decimal("200.00"))]
    if _at_least(at, "core0006", order) and "paper_stock" in seeded:
        first = connection.execute(
            sa.select(seeds.paper_stock.c.first_number).where(seeds.paper_stock.c.id == 1)
        ).scalar_one()
        assert first == 101  # what was left of the roll recorded before core0006


def _channels_hook(connection: sa.Connection, at: str, order: list[str], seeded: set[str]) -> None:
    if "wechat_inbound" not in seeded:
        return
    inbound = seeds.wechat_inbound
    found = connection.execute(sa.select(inbound.c.id, inbound.c.status)).all()
    status = {row.id: row.status for row in found}
    assert status == {1: "delivered" if _at_least(at, "0005", order) else "late", 2: "answered"}


def _no_hook(_connection: sa.Connection, _at: str, _order: list[str], _seeded: set[str]) -> None:
    return None


PACKAGES = {
    "invoicing_core": Package(Path(core_migrations.__file__).parent, seeds.CORE, _core_hook),
    "channels": Package(
        Path(channels.migrations.__file__).parent,
        seeds.CHANNELS,
        _channels_hook,
        frozenset({("wechat_inbound", "status")}),
    ),
    "knowledge": Package(Path(knowledge.migrations.__file__).parent, seeds.KNOWLEDGE, _no_hook),
}


@pytest.mark.parametrize("name", list(PACKAGES))
def test_each_downgrade_keeps_the_rows_of_the_tables_it_keeps_and_upgrades_again(
    empty_database: str, name: str
) -> None:
    package = PACKAGES[name]
    engine = make_engine(empty_database)
    try:
        # The other packages at their newest, as in a deployment.
        for other in PACKAGES.values():
            _step(engine, other.folder, False, "head")
        _step(engine, package.folder, True, "base")
        order = _revisions(package.folder)
        assert {seed.revision for seed in package.seeds} <= set(order)
        live: list[Live] = []
        for revision in order:
            _step(engine, package.folder, False, revision)
            made = [seed for seed in package.seeds if seed.revision == revision]
            _seed(engine, made)
            live += [Live(seed) for seed in made]
            with engine.connect() as connection:
                live = _check(connection, package, live, order, revision)
        assert len(live) == len(package.seeds)

        for revision in reversed(order):
            below = order[order.index(revision) - 1] if revision != order[0] else "base"
            for down, target in ((True, below), (False, revision), (True, below)):
                _step(engine, package.folder, down, target)
                with engine.connect() as connection:
                    live = _check(connection, package, live, order, target)
        assert live == []
        with engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names())
        assert not left & {seed.table.name for seed in package.seeds}

        _step(engine, package.folder, False, "head")
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
        assert {seed.table.name for seed in package.seeds} <= tables
    finally:
        engine.dispose()
