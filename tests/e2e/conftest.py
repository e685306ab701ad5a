"""The real stack (app, Rasa, action server) started once per test session with honcho."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.full_stack import FullStack, StackFailed, running_stack
from bench.stack import ROOT

# The name the tests use for the running stack's addresses.
Stack = FullStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullStack]:
    """The Procfile's processes on free ports with a private var folder and the demo data.

    E2E_STACK_URL names a stack that already runs (its app's URL), for working on
    the tests without starting Rasa for every run.
    """
    if os.environ.get("E2E_STACK_URL"):
        url = os.environ["E2E_STACK_URL"].rstrip("/")
        yield FullStack(url, os.environ.get("E2E_RASA_URL", ""), Path(os.devnull), {})
        return
    # Agents claim conversations from the queue in the browser tests; the notification
    # watcher looks every 2 s, not every minute, so a test sees its notice soon.
    extra = {"HANDOFF_AUTO_ASSIGN": "false", "NOTIFY_WATCH_EVERY_SECONDS": "2"}
    try:
        with running_stack(tmp_path_factory.mktemp("var"), extra) as running:
            yield running
    except StackFailed as failure:
        pytest.fail(str(failure))


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where browser tests keep their screenshots: E2E_ARTEFACTS, or var/e2e-artefacts."""
    folder = Path(os.environ.get("E2E_ARTEFACTS") or ROOT / "var" / "e2e-artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def demo_token(stack: Stack) -> str:
    """The demo user (seeded with the stack) logged in."""
    login = {"username": "demo", "password": "Demo@2026!"}
    response = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login, timeout=30)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def api(stack: Stack, demo_token: str) -> Iterator[httpx.Client]:
    """The app's API as the demo user."""
    headers = {"Authorization": f"Bearer {demo_token}"}
    with httpx.Client(base_url=f"{stack.app_url}/api/v1", headers=headers, timeout=30) as client:
        yield client


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


# Per module: Playwright's sync API keeps an event loop running in the main thread
# while it is open, which would break later tests that start their own loop.
def launched_chromium(*extra_args: str) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped (with the reason) where none is installed."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium installed: `apt-get install chromium` (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", *extra_args],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """The tests' Chromium."""
    yield from launched_chromium()


@pytest.fixture(params=["desktop", "phone"])
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page on one viewport, desktop (1280×860) or phone (390×844), downloads on."""
    from tests.e2e.pages import DESKTOP, PHONE

    viewport = DESKTOP if request.param == "desktop" else PHONE
    context = browser.new_context(
        viewport=viewport, is_mobile=viewport is PHONE, accept_downloads=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def shots(artefacts: Path, request: pytest.FixtureRequest) -> Path:
    """This test's own folder of screenshots under the artefacts."""
    test_name: str = request.node.name  # pytest leaves FixtureRequest.node untyped
    folder = artefacts / test_name.replace("[", "-").rstrip("]")
    folder.mkdir(exist_ok=True)
    return folder
