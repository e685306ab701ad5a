"""The running stack answers policy questions from the knowledge index the set-up built."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def test_the_stack_answers_a_policy_question_from_the_knowledge_base(stack: Stack) -> None:
    response = httpx.get(
        f"{stack.app_url}/api/v1/knowledge/search", params={"q": "忘记密码怎么办"}, timeout=30
    )

    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is True
    assert body["hits"][0]["id"] == "account.forgot_password"
