"""Recognising an uploaded invoice, a bounded number at a time, and keeping the result
for a short time so that the user can record it without uploading it again.

Recognition is CPU-bound (OCR takes a second or two): each worker runs at most
`concurrency` at once and refuses more at once with RecognitionBusy (503, Retry-After)
rather than queueing uploads in memory. A refused or failed recognition keeps nothing;
an engine that fails on a file in an unforeseen way is logged and the file refused.
"""

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from invoicing_core.domain.errors import Forbidden, RecognitionBusy
from invoicing_core.persistence import pending_recognition_repository as pending
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.pending_recognition_repository import PendingRecognition
from invoicing_core.persistence.received_invoice_repository import OriginalFile
from invoicing_core.recognition import (
    MAX_INPUT_BYTES,
    Recognition,
    RecognitionError,
    media_type,
    recognize,
)
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now

# How long a recognition waits to be recorded, and how many one user keeps waiting.
PENDING_FOR = timedelta(hours=1)
PENDING_PER_USER = 20
_log = logging.getLogger(__name__)
MAX_FILE_NAME = 255
Recognizer = Callable[[bytes, str | None], Recognition]


def _recognize(data: bytes, filename: str | None) -> Recognition:
    return recognize(data, filename=filename)


@dataclass(frozen=True)
class RecognitionOutcome:
    """What was read, and the id to record it by until it expires."""

    id: str
    recognition: Recognition
    expires_at: datetime


class RecognitionService:
    """Recognitions of a company's users, awaiting recording."""

    def __init__(
        self,
        engine: Engine,
        *,
        concurrency: int = 2,
        max_file_bytes: int = MAX_INPUT_BYTES,
        recognizer: Recognizer = _recognize,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        # The largest file the API passes on (recognition refuses larger ones itself too).
        self.max_file_bytes = max_file_bytes
        self._slots = threading.BoundedSemaphore(concurrency)
        self._recognizer = recognizer
        self._clock = clock

    def recognize(self, who: Principal, data: bytes, filename: str | None) -> RecognitionOutcome:
        """Read the invoice in `data` and keep it for recording.

        Raises RecognitionBusy when every slot is taken, RecognitionError for a file
        that is not a readable invoice; neither keeps anything.
        """
        company_id = company_of(who, "识别发票")
        if not self._slots.acquire(blocking=False):
            raise RecognitionBusy("正在识别的发票较多，请稍后几秒再上传。")
        try:
            recognition = self._recognizer(data, filename)
        except RecognitionError:
            raise
        except Exception as error:  # untrusted files reach deep into image and PDF libraries
            _log.exception("recognition_crashed", extra={"bytes": len(data)})
            raise RecognitionError(
                "recognition_failed",
                "无法读取该文件，请换一张清晰的照片，或上传原始的PDF、OFD文件。",
            ) from error
        finally:
            self._slots.release()
        now = self._clock()
        kept = PendingRecognition(
            id=secrets.token_hex(16),
            company_id=company_id,
            username=who.username,
            created_at=now,
            expires_at=now + PENDING_FOR,
            original=OriginalFile(_file_name(filename, data), _served_as(data), data),
            result=recognition.to_json(),
        )
        with begin_write(self._engine) as connection:
            pending.remove_expired(connection, now)
            pending.add(connection, kept)
            pending.keep_newest(connection, who.username, PENDING_PER_USER)
        return RecognitionOutcome(kept.id, recognition, kept.expires_at)


def company_of(who: Principal, doing: str) -> int:
    """The caller's company; refused for users of none (agents, editors)."""
    if who.company_id is None:
        raise Forbidden(f"该账号不属于任何企业，不能{doing}。")
    return who.company_id


def _served_as(data: bytes) -> str:
    """The original's media type when served back: its true one, never the client's."""
    return media_type(data) or "application/octet-stream"


def _file_name(filename: str | None, data: bytes) -> str:
    """The upload's own name without folders or unprintable characters, or a made-up one."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in base if char.isprintable()).strip()
    return name[-MAX_FILE_NAME:] if name else f"invoice-{len(data)}"
