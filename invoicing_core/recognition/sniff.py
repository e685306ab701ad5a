"""What kind of file arrived, from its first bytes; the size limit comes first."""

from typing import Literal

from invoicing_core.recognition.errors import RecognitionError

# A phone photo is a few MB and an invoice PDF or OFD far less; anything larger is refused
# before it is opened.
MAX_INPUT_BYTES = 20 * 1024 * 1024

Kind = Literal["image", "pdf", "ofd"]

_IMAGE_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"BM",  # BMP, as some scanners save
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)


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
    head = data[:16]
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "ofd"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    raise RecognitionError(
        "unsupported_file",
        "无法识别的文件类型：请上传发票的照片或扫描件（JPEG、PNG、WebP）、PDF或OFD文件。",
    )
