"""A bound WeChat user sends a photo of an invoice they received: it is fetched from WeChat,
read by the real engine, recorded on "录入", and refused the second time (重复报销)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pypdfium2
import pytest
from fastapi.testclient import TestClient

from invoicing_core.demo import seed_demo
from tests.integration.channels.conftest import RASA_TOKEN
from tests.integration.channels.wechat.conftest import (
    media_xml,
    new_openid,
    post_plain,
    reply_of,
    text_xml,
)
from tests.wechat_api_standin import WeChatApiStandIn

DEMO = {"username": "demo", "password": "Demo@2026!"}


@pytest.fixture
def patient(make_client: Callable[..., TestClient]) -> TestClient:
    """The app with time enough to answer a photo in the passive reply."""
    client = make_client(wechat_reply_budget_seconds=30.0)
    seed_demo(client.app.state.invoicing_core.accounts)  # type: ignore[attr-defined]
    return client


def _token(client: TestClient) -> str:
    return str(client.post("/api/v1/auth/token", json=DEMO).json()["access_token"])


def _bound_openid(client: TestClient) -> str:
    """A WeChat user bound to demo through a code shown in the web app."""
    headers = {"Authorization": f"Bearer {_token(client)}"}
    code = client.post("/api/v1/wechat/binding-code", headers=headers).json()["code"]
    openid = new_openid()
    assert "绑定成功" in _say(client, openid, f"绑定 {code}")
    return openid


def _invoice_photo(client: TestClient) -> tuple[str, bytes]:
    """An invoice issued by demo, as a PNG a phone might send (about 1,650 px wide)."""
    headers = {"Authorization": f"Bearer {_token(client)}"}
    line = {"name": "办公用品", "quantity": "2", "unit_price": "565", "tax_rate": "13%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    number = str(client.post("/api/v1/invoices", json=body, headers=headers).json()["number"])
    pdf = client.get(f"/api/v1/invoices/{number}/pdf", headers=headers).content
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    png = BytesIO()
    image.save(png, format="PNG")
    return number, png.getvalue()


def _say(client: TestClient, openid: str, text: str) -> str:
    return str(reply_of(post_plain(client, text_xml(openid, text)))["Content"])


def _send_picture(client: TestClient, openid: str, media_id: str) -> Any:
    fields = f"<PicUrl><![CDATA[http://mmbiz.example/{media_id}.jpg]]></PicUrl>"
    fields += f"<MediaId><![CDATA[{media_id}]]></MediaId>"
    return post_plain(client, media_xml(openid, "image", fields))


def _uploaded(standin: WeChatApiStandIn, data: bytes) -> str:
    media_id = f"media-{secrets.token_hex(6)}"
    standin.media[media_id] = (data, "image/png")
    return media_id


def test_a_photo_is_read_recorded_on_the_word_and_refused_the_second_time(
    patient: TestClient, standin: WeChatApiStandIn
) -> None:
    openid = _bound_openid(patient)
    number, photo = _invoice_photo(patient)

    read = str(reply_of(_send_picture(patient, openid, _uploaded(standin, photo)))["Content"])
    assert read.startswith("【发票识别结果】")
    assert f"发票号码：{number}" in read
    assert "价税合计（小写）：1130.00" in read
    assert "回复“录入”" in read

    recorded = _say(patient, openid, "录入")
    assert recorded.startswith("【已录入收票台账】")
    assert f"发票号码：{number}" in recorded and "状态：已录入" in recorded

    # The same invoice photographed again: read again, refused by the ledger.
    again = str(reply_of(_send_picture(patient, openid, _uploaded(standin, photo)))["Content"])
    assert f"发票号码：{number}" in again
    assert "⚠ 该发票已于" in again and "回复“录入”" not in again
    refused = _say(patient, openid, "录入")
    duplicate = r"该发票已于 \d{4}-\d{2}-\d{2} 由 .+ 录入（状态：已录入），不能重复录入。"
    assert re.match(duplicate, refused), refused


def test_a_slow_reading_is_answered_by_a_customer_service_message(
    patient: TestClient, make_client: Callable[..., TestClient], standin: WeChatApiStandIn
) -> None:
    # Bound where the binding reply has time; the picture goes to an app with almost none.
    openid = _bound_openid(patient)
    number, photo = _invoice_photo(patient)
    hasty = make_client(wechat_reply_budget_seconds=0.05)
    standin.reset()

    passive = _send_picture(hasty, openid, _uploaded(standin, photo))
    assert passive.text == "success"  # nothing in time: WeChat is told to wait
    [sent] = standin.wait_for(1, timeout=60)
    assert sent.body["touser"] == openid
    assert f"发票号码：{number}" in sent.body["text"]["content"]


def test_an_unbound_user_is_asked_to_bind_and_a_lost_picture_to_send_again(
    patient: TestClient, standin: WeChatApiStandIn
) -> None:
    stranger = str(reply_of(_send_picture(patient, new_openid(), "media-unknown"))["Content"])
    assert "需要先绑定开票账号" in stranger and "绑定 demo" in stranger

    openid = _bound_openid(patient)
    lost = str(reply_of(_send_picture(patient, openid, "media-expired"))["Content"])
    assert "没能从微信取到这张图片" in lost
    # Nothing read in this conversation: "录入" is an ordinary message for the bot.
    assert "收票台账" not in _say(patient, openid, "录入")


def test_an_invoice_pdf_sent_as_a_file_is_read_and_a_spreadsheet_is_not(
    patient: TestClient, standin: WeChatApiStandIn
) -> None:
    openid = _bound_openid(patient)
    headers = {"Authorization": f"Bearer {_token(patient)}"}
    number = _invoice_photo(patient)[0]
    pdf = patient.get(f"/api/v1/invoices/{number}/pdf", headers=headers).content
    standin.media["media-pdf"] = (pdf, "application/pdf")

    def send_file(name: str) -> str:
        fields = f"<FileName><![CDATA[{name}]]></FileName><MediaId><![CDATA[media-pdf]]></MediaId>"
        return str(reply_of(post_plain(patient, media_xml(openid, "file", fields)))["Content"])

    assert f"发票号码：{number}" in send_file("供应商发票.pdf")
    assert "网页版" in send_file("批量开票.xlsx")  # a batch file still goes to the web widget


def test_after_the_word_the_bot_is_told_which_invoice_this_one_is(
    make_client: Callable[..., TestClient], standin: WeChatApiStandIn, rasa_port: int
) -> None:
    # The channels' stand-in for Rasa names the invoice the metadata says "这张" is
    # (the real bot's answer: tests/e2e/test_wechat.py).
    bot = {"rasa_port": rasa_port, "rasa_token": RASA_TOKEN}
    client = make_client(wechat_reply_budget_seconds=30.0, **bot)
    seed_demo(client.app.state.invoicing_core.accounts)  # type: ignore[attr-defined]
    openid = _bound_openid(client)
    assert "这张发票是？" in _say(client, openid, "这张发票报销过吗")  # nothing read yet

    number, photo = _invoice_photo(client)
    _send_picture(client, openid, _uploaded(standin, photo))
    assert f"这张发票是{number}" in _say(client, openid, "这张发票报销过吗")  # read
    assert _say(client, openid, "录入").startswith("【已录入收票台账】")
    assert f"这张发票是{number}" in _say(client, openid, "这张发票报销过吗")  # recorded
