"""Invoice recognition: a photo, scan, PDF or OFD of a Chinese invoice becomes checked fields.

    recognition = recognize(data, filename="invoice.pdf")
    recognition.fields["number"].value, recognition.checks, recognition.to_json()

Nothing is stored and nothing is downloaded: the OCR models ship inside the rapidocr
package. Importing this package is light; the engines (onnxruntime, PDFium, zxing)
load on the first document that needs them.
"""

from invoicing_core.recognition.errors import RecognitionError
from invoicing_core.recognition.result import (
    Check,
    Recognition,
    RecognizedField,
    RecognizedLine,
)
from invoicing_core.recognition.sniff import MAX_INPUT_BYTES, media_type


def recognize(data: bytes, *, filename: str | None = None) -> Recognition:
    """Read an invoice from a file's bytes; `filename` is used in no decision (content
    decides the format), only kept for the caller's messages.

    Raises RecognitionError (code, Chinese message, field "file") for a file that is
    too large, not an image, PDF or OFD, broken, encrypted, a bomb, or no invoice.
    """
    from invoicing_core.recognition.pipeline import recognize_document

    del filename  # the format is told by the content, never by the name
    return recognize_document(data)


__all__ = [
    "MAX_INPUT_BYTES",
    "Check",
    "Recognition",
    "RecognitionError",
    "RecognizedField",
    "RecognizedLine",
    "media_type",
    "recognize",
]
