"""The import table of ARCHITECTURE.md, enforced on every Python file of the packages."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"invoicing_core", "knowledge", "channels", "bot", "actions"}
COMPOSITION_ROOT = {ROOT / "channels" / "app.py", ROOT / "channels" / "__main__.py"}
# Channels' tables take the core's column type (UtcDateTime) from its public face.
CHANNELS_TABLES = set((ROOT / "channels").glob("*/tables.py"))
# What bot/ may use besides the standard library: rasa-sdk and an HTTP client.
BOT_ALLOWED = {"rasa_sdk", "httpx", "requests", "aiohttp", "actions"}
# The modules that plug into the servers (the app's channel into Rasa and the action
# server behind their secrets; the tracker store) also use Rasa and its web server.
BOT_SERVERS = {
    ROOT / "bot" / "service_auth.py": {"rasa", "sanic"},
    # Rasa's tracker store, extended so a long conversation's sessions stay bounded
    # (with the SQLAlchemy Rasa's SQL tracker store is written in).
    ROOT / "bot" / "bounded_sessions.py": {"rasa", "sqlalchemy"},
    # Rasa's Redis lock store, locking in memory while Redis does not answer.
    ROOT / "bot" / "fallback_lock_store.py": {"rasa", "redis"},
}


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import statement of a file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def files_of(package: str) -> list[Path]:
    """The Python files of a top-level folder, trained models and caches aside."""
    return [p for p in (ROOT / package).rglob("*.py") if "models" not in p.parts]


# The core's HTTP router is a face of its own: in the package's __init__ it would make
# every `import invoicing_core` load FastAPI.
SEPARATE_FACES = {"invoicing_core.api"}


def is_public_face(module: str) -> bool:
    """A top-level package itself (its __init__), or a face named in SEPARATE_FACES.

    A subpackage is internal even with an __init__ of its own: having one is how Python
    makes a folder a package, not a promise to other packages.
    """
    if module in SEPARATE_FACES:
        return True
    return "." not in module and (ROOT / module / "__init__.py").is_file()


def violations(package: str) -> Iterator[str]:
    """Every import in `package` that breaks the table."""
    for path in files_of(package):
        for line, module in imports_of(path):
            top = module.split(".")[0]
            where = f"{path.relative_to(ROOT)}:{line} imports {module}"
            if package == "invoicing_core" and top in PROJECT - {"invoicing_core"}:
                yield where
            elif (
                package == "invoicing_core"
                and "domain" in path.parts
                and not (
                    top in sys.stdlib_module_names or module.startswith("invoicing_core.domain")
                )
            ):
                yield f"{where} (the domain uses the standard library only)"
            elif package == "knowledge" and top in PROJECT - {"knowledge"}:
                yield where
            elif (
                package == "channels"
                and top in {"knowledge", "invoicing_core"}
                and (path not in COMPOSITION_ROOT or not is_public_face(module))
                and not (path in CHANNELS_TABLES and module == "invoicing_core")
            ):
                yield f"{where} (only the composition root, and only a package's public face)"
            elif package == "bot" and top not in (
                sys.stdlib_module_names | BOT_ALLOWED | BOT_SERVERS.get(path, set())
            ):
                yield f"{where} (actions use rasa-sdk and an HTTP client only)"


@pytest.mark.parametrize("package", ["invoicing_core", "knowledge", "channels", "bot"])
def test_package_imports_follow_the_architecture_table(package: str) -> None:
    assert list(violations(package)) == []


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    forbidden = tmp_path / "bad.py"
    forbidden.write_text("from channels.app import create_app\n", encoding="utf-8")
    assert list(imports_of(forbidden)) == [(1, "channels.app")]
    assert not is_public_face("channels.app")
    assert is_public_face("invoicing_core")
    assert not is_public_face("invoicing_core.persistence")


def test_the_composition_root_may_not_reach_into_a_subpackage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = min(COMPOSITION_ROOT)
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "files_of", lambda _package: [root])
    imports = [(1, "invoicing_core"), (2, "invoicing_core.persistence"), (3, "knowledge")]
    monkeypatch.setattr(module, "imports_of", lambda _path: iter(imports))
    found = list(violations("channels"))
    assert len(found) == 1
    assert f"{root.relative_to(ROOT)}:2 imports invoicing_core.persistence" in found[0]


# Channels' subpackages, top to bottom: each imports only those below it. The routes
# read the app's state, which holds the WeChat channels; a chat turn may hand over to
# people; the handoff publishes live events; a turn asks the notices whether the bot is
# down for maintenance; everything stores conversations; the
# plumbing (errors, limits, logs, identity) is at the bottom.
CHANNELS_LAYERS = [
    "backup",
    "api",
    "notifications",
    "email_channel",
    "im_bots",
    "wechat",
    "chat",
    "handoff",
    "live",
    "notices",
    "conversations",
    "web",
]
# The composition root (and the migrations of its tables) may import every part; no part
# imports them.
CHANNELS_ROOT = {"app", "__main__", "migrations"}
# Settings and secrets import nothing of channels; every part may read them.
CHANNELS_LEAVES = {"settings", "service_secrets"}


def channels_imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every channels module a file imports; `from channels import x`
    counts as channels.x, a relative import as "." (the table needs absolute ones)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            yield node.lineno, "."
        elif isinstance(node, ast.ImportFrom) and node.module == "channels":
            yield from ((node.lineno, f"channels.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("channels."):
            yield node.lineno, str(node.module)
        elif isinstance(node, ast.Import):
            names = (alias.name for alias in node.names)
            yield from ((node.lineno, name) for name in names if name.startswith("channels."))


def part_of_channels(module: str) -> str:
    """The part a channels module belongs to: its subpackage, or itself at the top."""
    return module.split(".")[1]


def layer_violations(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Every import of a channels file (under `root`) against CHANNELS_LAYERS."""
    here = part_of_channels(".".join(path.relative_to(root).with_suffix("").parts))
    order = " → ".join(CHANNELS_LAYERS)
    for line, module in channels_imports_of(path):
        where = f"{path.relative_to(root)}:{line} imports {module}"
        there = "" if module == "." else part_of_channels(module)
        if module == ".":
            yield f"{where} (write it absolute, so that this table sees it)"
        elif there in CHANNELS_ROOT and here not in CHANNELS_ROOT:
            yield f"{where} (nothing imports the composition root)"
        elif here in CHANNELS_LEAVES and there != here:
            yield f"{where} (settings and secrets import nothing of channels)"
        elif (
            here in CHANNELS_LAYERS
            and there in CHANNELS_LAYERS
            and CHANNELS_LAYERS.index(there) < CHANNELS_LAYERS.index(here)
        ):
            yield f"{where} (channels import downwards only: {order})"


def test_channels_subpackages_import_one_way() -> None:
    found = [v for path in files_of("channels") for v in layer_violations(path)]
    assert found == []


def test_every_part_of_channels_has_its_place_in_the_order() -> None:
    parts = {p.stem for p in (ROOT / "channels").iterdir() if p.suffix == ".py" or p.is_dir()}
    known = set(CHANNELS_LAYERS) | CHANNELS_ROOT | CHANNELS_LEAVES | {"__init__", "__pycache__"}
    assert parts - known == set()


def test_the_checker_catches_a_backward_import(tmp_path: Path) -> None:
    store = tmp_path / "channels" / "conversations" / "store.py"
    store.parent.mkdir(parents=True)
    store.write_text(
        "from channels.web.errors import NotFound\n"
        "from channels.handoff.service import Handoff\n"
        "from channels import app\n"
        "from .model import Conversation\n",
        encoding="utf-8",
    )
    found = sorted(layer_violations(store, tmp_path))
    assert [violation.split(" (")[0] for violation in found] == [
        "channels/conversations/store.py:2 imports channels.handoff.service",
        "channels/conversations/store.py:3 imports channels.app",
        "channels/conversations/store.py:4 imports .",
    ]


# Services reach the database through persistence's repositories. Of SQLAlchemy they hold
# transactions (Connection, Engine) and catch its errors (sqlalchemy.exc), but neither
# build a statement (select, insert, …), nor name a table, nor run anything themselves.
SERVICES = ROOT / "invoicing_core" / "services"
SERVICES_FROM_SQLALCHEMY = {"sqlalchemy": {"Connection", "Engine"}, "sqlalchemy.exc": None}
TABLES = "invoicing_core.persistence.tables"
RUNNING = {"execute", "exec_driver_sql", "scalar", "scalars"}


def sql_in_service(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Every query builder, table or statement run that a service file holds."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy" or alias.name == TABLES:
                    yield f"{where} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module.split(".")[0] == "sqlalchemy":
                allowed = SERVICES_FROM_SQLALCHEMY.get(node.module, set())
                if allowed is not None and names - allowed:
                    yield f"{where} imports {sorted(names - allowed)} from {node.module}"
            elif node.module == TABLES or (
                node.module == "invoicing_core.persistence" and "tables" in names
            ):
                yield f"{where} imports the tables"
        elif isinstance(node, ast.Attribute) and node.attr in RUNNING:
            yield f"{where} runs a statement (.{node.attr})"


def test_services_leave_sql_to_the_repositories() -> None:
    found = [v for path in sorted(SERVICES.rglob("*.py")) for v in sql_in_service(path)]
    assert found == []


def test_the_checker_catches_sql_in_a_service(tmp_path: Path) -> None:
    service = tmp_path / "invoicing_core" / "services" / "example.py"
    service.parent.mkdir(parents=True)
    service.write_text(
        "from sqlalchemy import Connection, Engine, select\n"
        "from sqlalchemy.exc import IntegrityError\n"
        "from invoicing_core.persistence.tables import users\n"
        "import sqlalchemy as sa\n"
        "def names(connection: Connection) -> list[str]:\n"
        "    return list(connection.execute(select(users.c.username)).scalars())\n",
        encoding="utf-8",
    )
    found = sorted(v.split(" ", 1)[1] for v in sql_in_service(service, tmp_path))
    assert found == [
        "imports ['select'] from sqlalchemy",
        "imports sqlalchemy",
        "imports the tables",
        "runs a statement (.execute)",
        "runs a statement (.scalars)",
    ]
