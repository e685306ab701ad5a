"""Request bodies past their limit are refused with 413 in Chinese, before they are read whole."""

from collections.abc import AsyncIterator
from typing import TypedDict

import httpx

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings

FIFTY_MB = 50 * 2**20
CHUNK = 64 * 1024
JSON = {"content-type": "application/json"}
UPLOAD = {"content-type": "multipart/form-data; boundary=kaipiao"}


class Body:
    """A request body sent in chunks, counting the bytes the app took."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken < self.size:
            self.taken += CHUNK
            yield b" " * CHUNK


# An upload's limit is the core's setting, a body's the app's.
class AppLimits(TypedDict, total=False):
    max_body_bytes: int


class CoreLimits(TypedDict, total=False):
    max_upload_bytes: int


async def post(
    database_url: str,
    path: str,
    body: Body,
    headers: dict[str, str],
    app_limits: AppLimits | None = None,
    core_limits: CoreLimits | None = None,
) -> httpx.Response:
    app = create_app(
        AppSettings(log_json=False, **(app_limits or {})),
        CoreSettings(database_url=database_url, **(core_limits or {})),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as client:
        return await client.post(path, content=body, headers=headers)


async def test_a_50_mb_login_is_refused_by_its_length_without_reading_it(
    database_url: str,
) -> None:
    body = Body(FIFTY_MB)
    headers = {**JSON, "content-length": str(FIFTY_MB)}

    response = await post(database_url, "/api/v1/auth/token", body, headers)

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": "请求内容过大，不能超过1MB。"}
    }
    assert body.taken == 0


async def test_a_chunked_50_mb_chat_message_is_cut_off_at_the_limit(database_url: str) -> None:
    body = Body(FIFTY_MB)  # no length given: counted as it arrives

    response = await post(database_url, "/api/v1/chat", body, JSON)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert body.taken <= 2**20 + CHUNK


async def test_a_50_mb_upload_is_refused_by_its_length_without_reading_it(
    database_url: str,
) -> None:
    body = Body(FIFTY_MB)
    headers = {**UPLOAD, "content-length": str(FIFTY_MB)}

    response = await post(database_url, "/api/v1/invoices/batch/preview", body, headers)

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": "上传的文件过大，不能超过10MB。"}
    }
    assert body.taken == 0


async def test_uploads_and_other_bodies_have_their_own_configured_limits(
    database_url: str,
) -> None:
    limits: tuple[AppLimits, CoreLimits] = (
        {"max_body_bytes": 100 * 1024},
        {"max_upload_bytes": 2**20},
    )
    upload = await post(database_url, "/api/v1/chat/batch", Body(512 * 1024), UPLOAD, *limits)
    login = await post(database_url, "/api/v1/auth/token", Body(512 * 1024), JSON, *limits)
    small = await post(database_url, "/api/v1/auth/token", Body(CHUNK), JSON, *limits)

    assert upload.status_code != 413  # an upload may be larger than a JSON body
    assert (login.status_code, login.json()["error"]["message"]) == (
        413,
        "请求内容过大，不能超过100KB。",
    )
    assert small.status_code == 422  # read and found not to be JSON
