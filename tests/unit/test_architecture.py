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
# What bot/ may use besides the standard library: rasa-sdk and an HTTP client.
BOT_ALLOWED = {"rasa_sdk", "httpx", "requests", "aiohttp", "actions"}
# The one module that runs the servers (the app's channel into Rasa and the action
# server behind their secrets) also uses Rasa and the web server they both run on.
BOT_SERVERS = {ROOT / "bot" / "service_auth.py": {"rasa", "sanic"}}


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


def is_public_face(module: str) -> bool:
    """A package itself (its __init__), not a module inside it."""
    return (ROOT.joinpath(*module.split(".")) / "__init__.py").is_file()


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
    assert is_public_face("invoicing_core.persistence")
