"""Every HTTP answer carries the security headers, and the pages work under their policy."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channels.app import WIDGET_DIR, create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings

ANSWERS = [
    "/",
    "/console",
    "/console/knowledge",
    "/static/widget.js",
    "/api/v1/auth/me",
    "/api/v1/knowledge/search?q=忘记密码怎么办",
    "/api/v1/nowhere",
    "/openapi.json",
    "/docs",
    "/redoc",
]


@pytest.fixture(scope="module")
def client(database_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(AppSettings(log_json=False), CoreSettings(database_url=database_url))
    with TestClient(app) as client:
        yield client


def policy_of(response: object) -> dict[str, list[str]]:
    """The Content-Security-Policy's directives and their sources."""
    header = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("path", ANSWERS)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert policy_of(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/", "/console", "/console/knowledge"])
def test_the_pages_run_only_scripts_and_styles_of_this_origin(
    client: TestClient, path: str
) -> None:
    policy = policy_of(client.get(path))

    assert policy["default-src"] == ["'self'"]
    assert not {"script-src", "style-src"} & set(policy)  # both fall back to default-src
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]


def test_the_pages_have_nothing_inline_that_their_policy_would_block() -> None:
    for page in WIDGET_DIR.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), page.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", html), page.name
    inline = r"innerHTML|insertAdjacentHTML|eval\(|new Function|\bstyle[\"']?\s*:"
    for script in WIDGET_DIR.glob("*.js"):
        assert not re.search(inline, script.read_text(encoding="utf-8")), script.name


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_may_load_their_scripts_styles_and_icon_from_their_cdn(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    policy = policy_of(response)

    for tag in re.findall(r"<(?:script|link)[^>]*>", response.text):
        origin = re.search(r'(?:src|href)="(https://[^/"]+)', tag)
        if origin:
            kind = "script" if tag.startswith("<script") else "style"
            directive = "img-src" if "icon" in tag else f"{kind}-src"
            assert origin[1] in policy[directive], (origin[1], directive)
    assert policy["frame-ancestors"] == ["'none'"]
