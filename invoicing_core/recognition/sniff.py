"""What kind of file arrived, from its first bytes; the size limit comes first."""

from typing import Literal

from invoicing_core.recognition.errors import RecognitionError

# A phone photo is a few MB and an invoice PDF or OFD far less; anything larger is refused
# before it is opened.
MAX_INPUT_BYTES = 20 * 1024 * 1024

Kind = Literal["image", "pdf", "ofd"]

# Media types by leading bytes (a PDF may have a few bytes before its header).
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"BM", "image/bmp"),  # as some scanners save
    (b"II*\x00", "image/tiff"),  # little-endian
    (b"MM\x00*", "image/tiff"),  # big-endian
    (b"PK\x03\x04", "application/ofd"),  # an OFD is a zip
)


def media_type(data: bytes) -> str | None:
    """The document's media type by its content (neither its name nor a client's claim
    is trusted), or None for anything but an image, PDF or OFD."""
    for magic, found in _MAGIC:
        if data.startswith(magic):
            return found
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/pdf" if b"%PDF-" in data[:1024] else None


def sniff(data: bytes) -> Kind:
    """The document's format by its content (the file name is not trusted)."""
    if len(data) > MAX_INPUT_BYTES:
        raise RecognitionError(
            "file_too_large",
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），"
            f"请上传不超过{MAX_INPUT_BYTES // 1024 // 1024} MB的发票图片、PDF或OFD文件。",
        )
    if not data:
        raise RecognitionError("empty_file", "文件是空的，请重新上传发票。")
    found = media_type(data)
    if found in ("application/pdf", "application/ofd"):
        return "pdf" if found == "application/pdf" else "ofd"
    if found is not None:
        return "image"
    raise RecognitionError(
        "unsupported_file",
        "无法识别的文件类型：请上传发票的照片或扫描件（JPEG、PNG、WebP）、PDF或OFD文件。",
    )
