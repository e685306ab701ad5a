"""Rasa's app channel (bot/service_auth.py, AppInput), served by Sanic as Rasa serves it.

A message whose handling fails must come back as a 500, which the app turns into the
"bot unavailable" notice with the message kept, not as an empty answer (silence).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from served_app import ROOT, free_port

TOKEN = "channel-test-token"
SERVER = f"""
import sys
from sanic import Sanic
from service_auth import AppInput

async def on_new_message(message):
    if message.text == "失败":
        raise RuntimeError("the tracker store is away")
    await message.output_channel.send_text_message(message.sender_id, "收到：" + message.text)

app = Sanic("app_channel_test")
app.blueprint(AppInput({TOKEN!r}).blueprint(on_new_message), url_prefix="/webhooks/app")
app.run("127.0.0.1", int(sys.argv[1]), access_log=False)
"""


@pytest.fixture(scope="module")
def webhook() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bot")}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env)
    url = f"http://127.0.0.1:{port}/webhooks/app/webhook"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.post(url, timeout=1)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _send(url: str, text: str, token: str = TOKEN) -> requests.Response:
    body = {"sender": "s-1", "message": text}
    return requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_the_bots_answers_come_back(webhook: str) -> None:
    answered = _send(webhook, "你好")
    assert answered.status_code == 200
    assert answered.json() == [{"recipient_id": "s-1", "text": "收到：你好"}]


def test_a_message_whose_handling_failed_is_a_500_not_silence(webhook: str) -> None:
    failed = _send(webhook, "失败")
    assert failed.status_code == 500
    assert failed.json() == {"error": "message_failed"}


def test_without_the_apps_secret_nothing_is_heard(webhook: str) -> None:
    assert _send(webhook, "你好", token="wrong").status_code == 401
