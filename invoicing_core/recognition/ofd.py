"""OFD (GB/T 33190) e-invoices: the page's text objects, and the invoice data the file
carries besides (an original XML attachment, or custom tags naming text objects).

Standard library only: zipfile (behind OfdArchive's limits) and xml.etree.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from invoicing_core.domain.money import format_money
from invoicing_core.recognition import values
from invoicing_core.recognition.errors import RecognitionError
from invoicing_core.recognition.ofd_archive import OfdArchive, resolve
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.text_lines import Page, TextLine, compact

MAX_PAGES = 5
MAX_IMAGES = 8  # pictures tried for the QR code
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
_DEFAULT_BOX = (0.0, 0.0, 210.0, 140.0)
# Tags of the invoice data (the attachment's elements, or custom tags), lower-cased local
# names, and the field each fills.
_TAG_FIELDS = {
    "invoiceno": "number",
    "invoicenumber": "number",
    "invoicecode": "code",
    "issuedate": "date",
    "invoicedate": "date",
    "buyername": "buyer_name",
    "buyertaxid": "buyer_tax_id",
    "buyertaxpayerid": "buyer_tax_id",
    "sellername": "seller_name",
    "sellertaxid": "seller_tax_id",
    "sellertaxpayerid": "seller_tax_id",
    "taxexclusivetotalamount": "amount",
    "taxtotalamount": "tax",
    "taxinclusivetotalamount": "total_with_tax",
    "invoicecheckcode": "check_code",
    "note": "remarks",
}
_MONEY_FIELDS = {"amount", "tax", "total_with_tax"}
TextOf = Callable[[ET.Element], str]


@dataclass
class OfdDocument:
    """What an OFD holds for recognition: its pages' text, its invoice data, its pictures."""

    pages: list[Page] = field(default_factory=list)
    data: Reading = field(default_factory=lambda: Reading("text_layer"))
    images: list[bytes] = field(default_factory=list)


def read_ofd(data: bytes) -> OfdDocument:
    """Open an OFD and read what recognition needs from it."""
    archive = OfdArchive(data)
    root = _xml(archive, "OFD.xml")
    doc_root = _text_of(root, "DocRoot")
    if doc_root is None:
        raise RecognitionError("broken_ofd", "OFD文件缺少文档入口（DocRoot），无法读取。")
    document_path = resolve("OFD.xml", doc_root)
    document = _xml(archive, document_path)
    box = _page_box(document)
    templates = {
        element.get("ID", ""): _locate(archive, document_path, element.get("BaseLoc", ""))
        for element in _all(document, "TemplatePage")
    }
    found = OfdDocument()
    objects: dict[str, str] = {}
    for page_element in list(_all(document, "Page"))[:MAX_PAGES]:
        page_path = _locate(archive, document_path, page_element.get("BaseLoc", ""))
        page = _xml(archive, page_path)
        lines: list[TextLine] = []
        for template in _all(page, "Template"):
            template_path = templates.get(template.get("TemplateID", ""))
            if template_path and archive.has(template_path):
                lines += _text_lines(_xml(archive, template_path), objects)
        lines += _text_lines(page, objects)
        found.pages.append(Page(tuple(lines), "text_layer", box[2], box[3]))
    _attachments(archive, document_path, document, found.data)
    _custom_tags(archive, document_path, document, objects, found.data)
    found.images = _images(archive)
    return found


def _xml(archive: OfdArchive, path: str) -> ET.Element:
    if not archive.has(path):
        raise RecognitionError("broken_ofd", f"OFD文件缺少{path}，无法读取。")
    data = archive.read(path)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise RecognitionError("broken_ofd", "OFD文件含有不允许的XML声明，已拒绝。")
    try:
        return ET.fromstring(data)  # noqa: S314 (no DTD, so no entity expansion)
    except ET.ParseError as error:
        raise RecognitionError("broken_ofd", "OFD文件的XML已损坏，无法读取。") from error


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _all(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element.iter() if _local(child.tag) == name)


def _text_of(element: ET.Element, name: str) -> str | None:
    found = next(_all(element, name), None)
    return found.text.strip() if found is not None and found.text else None


def _locate(archive: OfdArchive, base: str, location: str) -> str:
    """Resolve a location; some writers give paths from the root where the standard says
    relative, so a path that does not exist relative is tried from the root."""
    path = resolve(base, location)
    rooted = resolve("", location)
    return path if archive.has(path) or not archive.has(rooted) else rooted


def _page_box(document: ET.Element) -> tuple[float, float, float, float]:
    numbers = _numbers(_text_of(document, "PhysicalBox") or "")
    return (numbers[0], numbers[1], numbers[2], numbers[3]) if len(numbers) == 4 else _DEFAULT_BOX


def _numbers(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split()]
    except ValueError:
        return []


def _text_lines(content: ET.Element, objects: dict[str, str]) -> list[TextLine]:
    """Each TextCode of each TextObject as a line, in millimetres from the page's top left."""
    lines: list[TextLine] = []
    for text_object in _all(content, "TextObject"):
        boundary = _numbers(text_object.get("Boundary", ""))
        if len(boundary) != 4:
            continue
        size = _numbers(text_object.get("Size", "")) or [3.5]
        texts: list[str] = []
        for code in _all(text_object, "TextCode"):
            text = (code.text or "").strip()
            if not text:
                continue
            texts.append(text)
            x = boundary[0] + float(code.get("X", "0") or 0)
            y = boundary[1] + float(code.get("Y", "0") or 0)
            right = min(boundary[0] + boundary[2], x + len(text) * size[0]) if boundary[2] else x
            lines.append(TextLine(text, x, y - size[0], max(right, x + size[0]), y))
        objects[text_object.get("ID", "")] = "".join(texts)
    return lines


def _attachments(archive: OfdArchive, base: str, document: ET.Element, data: Reading) -> None:
    """Invoice data in an attached XML (the tax system's original_invoice.xml)."""
    index = _text_of(document, "Attachments")
    if not index:
        return
    index_path = _locate(archive, base, index)
    if not archive.has(index_path):
        return
    for attachment in _all(_xml(archive, index_path), "Attachment"):
        location = _text_of(attachment, "FileLoc")
        if location and location.lower().endswith(".xml"):
            path = _locate(archive, index_path, location)
            if archive.has(path):
                _tagged_values(_xml(archive, path), data, lambda element: element.text or "")


def _custom_tags(
    archive: OfdArchive, base: str, document: ET.Element, objects: dict[str, str], data: Reading
) -> None:
    """Custom tags that name the text objects holding each invoice field."""
    index = _text_of(document, "CustomTags")
    if not index:
        return
    index_path = _locate(archive, base, index)
    if not archive.has(index_path):
        return
    for tag in _all(_xml(archive, index_path), "CustomTag"):
        location = _text_of(tag, "FileLoc")
        path = _locate(archive, index_path, location) if location else ""
        if path and archive.has(path):

            def referenced(element: ET.Element) -> str:
                refs = [ref.text.strip() for ref in _all(element, "ObjectRef") if ref.text]
                return "".join(objects.get(ref, "") for ref in refs)

            _tagged_values(_xml(archive, path), data, referenced)


def _tagged_values(root: ET.Element, data: Reading, text_of: TextOf) -> None:
    for element in root.iter():
        name = _TAG_FIELDS.get(_local(element.tag).lower())
        if name is None:
            continue
        value = _value(name, text_of(element).strip())
        data.put(name, value)


def _value(name: str, text: str) -> str | None:
    if not text:
        return None
    if name in _MONEY_FIELDS:
        try:
            return format_money(Decimal(re.sub(r"[¥￥,\s]", "", text)))
        except InvalidOperation:
            return values.money(text)
    if name == "date":
        return values.issue_date(text)
    if name.endswith("tax_id"):
        return values.tax_id(text)
    if name in ("number", "code", "check_code"):
        return compact(text) if compact(text).isdigit() else None
    return text


def _images(archive: OfdArchive) -> list[bytes]:
    names = [name for name in archive.names() if name.lower().endswith(_IMAGE_SUFFIXES)]
    return [archive.read(name) for name in names[:MAX_IMAGES]]
