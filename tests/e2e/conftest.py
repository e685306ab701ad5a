"""The real stack (app, Rasa, action server) started once per test session with honcho."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from bench.full_stack import FullStack, StackFailed, running_stack

# The name the tests use for the running stack's addresses.
Stack = FullStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullStack]:
    """The Procfile's processes on free ports with a private var folder and the demo data."""
    try:
        with running_stack(tmp_path_factory.mktemp("var")) as running:
            yield running
    except StackFailed as failure:
        pytest.fail(str(failure))


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; skipped (with the reason) where none is installed."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium installed: `apt-get install chromium` (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
