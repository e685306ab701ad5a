"""Invoices a bound user sends as a picture or file: read by the core, recorded on their word.

The picture is fetched from WeChat by its MediaId and read by the core's recognition
(POST /api/v1/recognitions) as the conversation's user; the fields come back as a
`recognition` card, which WeChat shows as text ending with how to record it. "录入"
then records the newest recognition of the conversation not recorded yet (POST
/api/v1/received-invoices); the ledger refuses an invoice recorded before in its own
words. The cards are the widget's, so the console shows the same.
"""

from __future__ import annotations

import re

from anyio import to_thread

from channels.chat.core_replies import reply_from_core
from channels.conversations.model import Reply, Role
from channels.conversations.store import ConversationStore
from channels.web.core_call import CoreForConversation
from channels.wechat.inbound import Inbound
from channels.wechat.media import MediaDownloads

# Files a WeCom member may send that hold an invoice (others keep the file reply).
INVOICE_FILE = re.compile(r"\.(pdf|ofd|jpe?g|png|webp)$", re.IGNORECASE)
RECORD_WORDS = frozenset({"录入", "录入台账", "录入收票台账"})
DOWNLOAD_FAILED = "没能从微信取到这张图片，请重新发送；也可以在网页版开票助手中上传发票。"
# How far back "录入" looks for the recognition it records.
LOOK_BACK = 20


def is_invoice_document(message: Inbound) -> bool:
    """A picture, or a file whose name says it holds an invoice, with its media id."""
    if not message.media_id:
        return False
    return message.kind == "image" or (
        message.kind == "file" and bool(INVOICE_FILE.search(message.file_name))
    )


class InvoiceReceipts:
    """Reads and records the invoices of one account's bound users."""

    def __init__(
        self, store: ConversationStore, media: MediaDownloads, core: CoreForConversation
    ) -> None:
        self._store = store
        self._media = media
        self._core = core

    async def read(self, conversation_id: str, message: Inbound) -> Reply:
        """The recognition card of the sent picture or file, or why there is none."""
        data = await self._media.download(message.media_id)
        if data is None:
            return Reply(DOWNLOAD_FAILED)
        name = message.file_name or f"微信图片{message.media_id[-8:]}.jpg"
        upload = (name, data, "application/octet-stream")
        response = await self._core(
            "POST", "/api/v1/recognitions", conversation_id, files={"file": upload}
        )
        return reply_from_core(response, {"type": "recognition", "filename": name})

    async def record(self, conversation_id: str) -> Reply | None:
        """Record the conversation's newest unrecorded recognition; None when there is none."""
        recognition_id = await to_thread.run_sync(self._waiting, conversation_id)
        if recognition_id is None:
            return None
        response = await self._core(
            "POST",
            "/api/v1/received-invoices",
            conversation_id,
            json={"recognition_id": recognition_id},
        )
        card = {"type": "received_invoice", "recognition_id": recognition_id}
        return reply_from_core(response, card)

    def _waiting(self, conversation_id: str) -> str | None:
        recorded: set[str] = set()
        for message in reversed(self._store.history(conversation_id, LOOK_BACK)):
            card = message.card or {}
            if message.role is not Role.BOT:
                continue
            if card.get("type") == "received_invoice":
                recorded.add(str(card.get("recognition_id")))
            elif card.get("type") == "recognition" and str(card.get("id")) not in recorded:
                return str(card["id"])
        return None
