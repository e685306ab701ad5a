"""The real app for the actions to call (served_app.py), and conversations with them.

These tests run in Rasa's environment (.venv-rasa, Python 3.10), where rasa-sdk is; the
app runs beside them with its own Python, once per session. The actions' API client
reads APP_URL and ACTIONS_TOKEN when an action calls the app, so they point at it for
the session. Rasa itself is not started: the actions are run as its action server would.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import cast

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.types import DomainDict
from served_app import APP_PYTHON, ROOT, App, served
from talk import Talk


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The real app on SQLite with the demo data; the actions call it as the action server."""
    if not APP_PYTHON.exists():
        pytest.fail(f"no app environment at {APP_PYTHON}: run `make setup`")
    actions_token = secrets.token_urlsafe(32)
    with (
        served(tmp_path_factory.mktemp("var"), actions_token) as running,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("APP_URL", running.url)
        patch.setenv("ACTIONS_TOKEN", actions_token)
        yield running


@pytest.fixture(scope="session")
def domain() -> DomainDict:
    """bot/domain.yml as Rasa sends it to the action server with every call."""
    return cast(DomainDict, Domain.load(str(ROOT / "bot" / "domain.yml")).as_dict())


@pytest.fixture
def talk(app: App, domain: DomainDict) -> Talk:
    """A conversation of the logged-in demo user, as Rasa keeps it."""
    return Talk(app.conversation(app.token), domain)


@pytest.fixture
def anonymous_talk(app: App, domain: DomainDict) -> Talk:
    """A conversation nobody has logged in to."""
    return Talk(app.conversation(None), domain, slots={"logged_in": False})
