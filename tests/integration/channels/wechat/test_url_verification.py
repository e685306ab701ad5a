"""WeChat and WeCom check the server URL; wechatpy's published vectors must pass."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

# wechatpy's tests/test_utils.py: check_signature with token "test".
WECHAT_VECTOR = {
    "signature": "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff",
    "timestamp": "1410685589",
    "nonce": "test",
}
# wechatpy's tests/test_crypto.py: the enterprise check_signature vector.
WECOM_VECTOR = {
    "msg_signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
    "timestamp": "1411443780",
    "nonce": "437374425",
    "echostr": (
        "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
    ),
}


def test_wechat_url_verification_echoes_echostr_for_a_good_signature(client: TestClient) -> None:
    response = client.get("/channels/wechat", params={**WECHAT_VECTOR, "echostr": "5927782489"})
    assert response.status_code == 200
    assert response.text == "5927782489"


def test_wechat_url_verification_with_a_bad_signature_is_403(client: TestClient) -> None:
    forged = {**WECHAT_VECTOR, "signature": WECHAT_VECTOR["signature"][:-1] + "e"}
    response = client.get("/channels/wechat", params={**forged, "echostr": "1"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert client.get("/channels/wechat", params={"echostr": "1"}).status_code == 403


def test_wecom_url_verification_answers_the_decrypted_echostr(client: TestClient) -> None:
    response = client.get("/channels/wecom", params=WECOM_VECTOR)
    assert response.status_code == 200
    assert response.text == "5927782489442352469"


def test_wecom_url_verification_with_a_bad_signature_is_403(client: TestClient) -> None:
    response = client.get("/channels/wecom", params={**WECOM_VECTOR, "nonce": "437374424"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"


def test_a_channel_without_settings_is_404(make_client: Callable[..., TestClient]) -> None:
    client = make_client(wechat_token="", wecom_token="")
    for path in ("/channels/wechat", "/channels/wecom"):
        response = client.get(path, params=WECHAT_VECTOR)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "channel_disabled"
