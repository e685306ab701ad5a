"""Pushed messages: stored first, answered passively, refused when forged or malformed.

Rasa is down in these tests, so a text gets the app's own "bot unavailable" answer;
the bot's real answers are covered by tests/e2e/test_wechat.py.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from channels.conversations.store import ConversationStore
from channels.wechat.tables import wechat_inbound, wechat_users
from tests.integration.channels.wechat.conftest import (
    OUR_ACCOUNT,
    event_xml,
    media_xml,
    new_openid,
    post_encrypted,
    post_plain,
    reply_of,
    signed_query,
    text_xml,
    wechat_crypto,
    wecom_crypto,
)

UNAVAILABLE = "智能助手暂时无法响应，您的消息已保存"
# wechatpy's tests/test_crypto.py decrypt vector: "test" from the WeCom member "messense".
WECOM_VECTOR_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPat"
    "fjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD"
    "8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0"
    "gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgW"
    "YEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnT"
    "bcX2e8K9QaNWHp91eBdCRxthuL0="
)


def conversation_of(engine: Engine, openid: str, account: str = "wechat") -> str:
    with engine.connect() as connection:
        found: str = connection.execute(
            select(wechat_users.c.conversation_id)
            .where(wechat_users.c.account == account)
            .where(wechat_users.c.openid == openid)
        ).scalar_one()
    return found


def logged(engine: Engine, openid: str) -> int:
    """How many of the user's messages the inbound log holds."""
    with engine.connect() as connection:
        count: int = connection.execute(
            select(func.count())
            .select_from(wechat_inbound)
            .where(wechat_inbound.c.openid == openid)
        ).scalar_one()
    return count


def user_texts(engine: Engine, conversation_id: str) -> list[str]:
    history = ConversationStore(engine).history(conversation_id)
    return [message.text for message in history if message.role.value == "user"]


def test_a_plain_text_message_is_stored_and_answered_passively(
    client: TestClient, engine: Engine
) -> None:
    openid = new_openid()
    reply = reply_of(post_plain(client, text_xml(openid, "发票怎么开")))

    assert reply["ToUserName"] == openid
    assert reply["FromUserName"] == OUR_ACCOUNT
    assert reply["MsgType"] == "text"
    assert UNAVAILABLE in reply["Content"]
    assert user_texts(engine, conversation_of(engine, openid)) == ["发票怎么开"]


def test_a_safe_mode_message_gets_an_encrypted_passive_reply(
    client: TestClient, engine: Engine
) -> None:
    openid = new_openid()
    response, _ = post_encrypted(client, text_xml(openid, "红字发票怎么开"))

    reply = reply_of(response, encrypted_with=wechat_crypto())
    assert reply["ToUserName"] == openid
    assert UNAVAILABLE in reply["Content"]
    assert user_texts(engine, conversation_of(engine, openid)) == ["红字发票怎么开"]


def test_wechatpys_published_wecom_message_is_decrypted_and_answered(
    client: TestClient, engine: Engine
) -> None:
    body = (
        "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n"
        f"<Encrypt><![CDATA[{WECOM_VECTOR_ENCRYPT}]]></Encrypt>\n"
        "<AgentID><![CDATA[1]]></AgentID>\n</xml>"
    )
    query = {
        "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
        "timestamp": "1411525903",
        "nonce": "461056294",
    }
    response = client.post("/channels/wecom", params=query, content=body.encode())

    reply = reply_of(response, encrypted_with=wecom_crypto())
    assert reply["ToUserName"] == "messense"
    assert reply["AgentID"] == "1"
    assert "test" in user_texts(engine, conversation_of(engine, "messense", "wecom"))


def test_a_wecom_round_trip_built_by_wechatpy(client: TestClient, engine: Engine) -> None:
    member = new_openid()
    response, _ = post_encrypted(client, text_xml(member, "查询发票"), path="/channels/wecom")

    reply = reply_of(response, encrypted_with=wecom_crypto())
    assert reply["ToUserName"] == member
    assert UNAVAILABLE in reply["Content"]


def test_a_retried_msgid_is_stored_and_answered_once(client: TestClient, engine: Engine) -> None:
    openid = new_openid()
    xml = text_xml(openid, "专票和普票有什么区别")

    first = reply_of(post_plain(client, xml))
    retries = [reply_of(post_plain(client, xml)) for _ in range(2)]

    assert all(retry["Content"] == first["Content"] for retry in retries)
    assert user_texts(engine, conversation_of(engine, openid)) == ["专票和普票有什么区别"]
    assert logged(engine, openid) == 1


def test_a_forged_signature_is_403_and_nothing_is_stored(
    client: TestClient, engine: Engine
) -> None:
    openid = new_openid()
    query = {**signed_query(), "signature": "0" * 40}
    response = post_plain(client, text_xml(openid, "你好"), query)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert logged(engine, openid) == 0


def test_a_plain_message_signed_long_ago_is_403_and_nothing_is_stored(
    client: TestClient, engine: Engine
) -> None:
    # A correct signature seen once (in a log, on a proxy) cannot carry messages later.
    openid = new_openid()
    response = post_plain(client, text_xml(openid, "你好"), signed_query(age_seconds=600))
    fresh_enough = post_plain(client, text_xml(openid, "你好"), signed_query(age_seconds=60))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert fresh_enough.status_code == 200
    assert logged(engine, openid) == 1


def test_an_encrypted_message_with_a_wrong_msg_signature_is_403(client: TestClient) -> None:
    crypto = wechat_crypto()
    query = signed_query()
    envelope = crypto.encrypt_message(
        text_xml(new_openid(), "你好"), query["nonce"], query["timestamp"]
    )
    query = {**query, "encrypt_type": "aes", "msg_signature": "1" * 40}
    response = client.post("/channels/wechat", params=query, content=envelope.encode())
    assert response.status_code == 403


def test_malformed_xml_is_400(client: TestClient) -> None:
    response = post_plain(client, "<xml><ToUserName>broken")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_xml"
    assert post_plain(client, "not xml at all").status_code == 400


def test_entity_expansion_is_refused_without_expanding(client: TestClient) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
        "<MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>"
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<xml><Content>&xxe;</Content></xml>"
    )
    for body in (laughs, external):
        response = post_plain(client, body)
        assert response.status_code == 400
        assert "root:" not in response.text


def test_an_oversized_body_is_413(client: TestClient) -> None:
    response = post_plain(client, text_xml(new_openid(), "好" * 40_000))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_an_image_gets_a_polite_reply_and_is_recorded(client: TestClient, engine: Engine) -> None:
    openid = new_openid()
    xml = media_xml(openid, "image", "<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl>")
    reply = reply_of(post_plain(client, xml))

    assert "只能理解文字消息" in reply["Content"]
    assert user_texts(engine, conversation_of(engine, openid)) == [
        "[图片] http://mmbiz.example/pic.jpg"
    ]


def test_a_file_is_pointed_to_the_web_widget(client: TestClient, engine: Engine) -> None:
    openid = new_openid()
    xml = media_xml(openid, "file", "<FileName><![CDATA[批量开票.xlsx]]></FileName>")
    reply = reply_of(post_plain(client, xml))

    assert "网页版" in reply["Content"]
    assert user_texts(engine, conversation_of(engine, openid)) == ["[文件] 批量开票.xlsx"]


def test_subscribe_is_welcomed_and_unsubscribe_answered_with_success(
    client: TestClient, engine: Engine
) -> None:
    openid = new_openid()
    welcome = reply_of(post_plain(client, event_xml(openid, "subscribe")))
    assert "欢迎关注开票助手" in welcome["Content"]

    response = post_plain(client, event_xml(openid, "unsubscribe"))
    assert response.text == "success"
    with engine.connect() as connection:
        subscribed = connection.execute(
            select(wechat_users.c.subscribed).where(wechat_users.c.openid == openid)
        ).scalar_one()
    assert subscribed is False


def test_a_menu_click_on_binding_explains_how_to_bind(client: TestClient) -> None:
    reply = reply_of(post_plain(client, event_xml(new_openid(), "CLICK", "BIND")))
    assert "绑定 用户名" in reply["Content"]
