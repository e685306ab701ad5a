"""The unit tests load nothing heavy, so `make unit` stays a loop of seconds.

Every test module is imported at collection, before any test runs, so what they
import is in sys.modules by the time this test runs. A test that needs the app,
the model or faiss belongs in tests/integration.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parent
# The app's composition root, the vector index, the embedding model and its runtimes.
HEAVY = (
    "channels.app",
    "faiss",
    "torch",
    "sentence_transformers",
    "transformers",
    "onnxruntime",
    "uvicorn",
)


def collects_only_unit_tests(config: pytest.Config) -> bool:
    """Whether every path pytest was given (or its testpaths) lies in tests/unit."""
    started_in = config.invocation_params.dir
    paths = [(started_in / arg.split("::")[0]).resolve() for arg in config.args]
    return all(path == UNIT or UNIT in path.parents for path in paths)


def test_the_unit_tests_import_nothing_heavy(request: pytest.FixtureRequest) -> None:
    if not collects_only_unit_tests(request.config):
        pytest.skip("tests outside tests/unit were collected too; `make unit` checks this")
    assert [module for module in HEAVY if module in sys.modules] == []
