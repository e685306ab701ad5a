"""A recognition as a person reads it: the fields in Chinese, uncertain ones marked."""

from invoicing_core.domain.ledger_fields import FIELD_LABELS
from invoicing_core.recognition.result import Recognition, RecognizedField, shown

_FORMATS = {"image": "图片", "pdf": "PDF", "ofd": "OFD"}
_SOURCES = {"qr": "二维码", "text_layer": "文字层", "ocr": "图像识别"}
_LINE_LABELS = (
    ("tax_category", "类别"),
    ("quantity", "数量"),
    ("unit_price", "单价"),
    ("amount", "金额"),
    ("rate", "税率"),
    ("tax", "税额"),
)


def describe(recognition: Recognition) -> str:
    """A multi-line Chinese summary: fields, lines, then the checks to look at."""
    out = [f"识别结果（{_FORMATS[recognition.format]}）：带“？”的内容未经核实，请对照原件。"]
    for name, label in FIELD_LABELS.items():
        found = recognition.fields.get(name)
        if found is not None:
            out.append(f"  {label}：{shown(name, found)}{_mark(found)}（{_SOURCES[found.source]}）")
    for index, line in enumerate(recognition.lines, 1):
        name = line.name.value + _mark(line.name) if line.name else "（未识别）"
        cells = [
            f"{label} {cell.value}{_mark(cell)}"
            for key, label in _LINE_LABELS
            for cell in (getattr(line, key),)
            if cell is not None
        ]
        out.append(f"  第{index}行：{name}；{'；'.join(cells)}")
    if recognition.checks:
        out.append("需要核对：")
        out.extend(f"  - {check.message}" for check in recognition.checks)
    else:
        out.append("各项核对均通过。")
    return "\n".join(out)


def _mark(found: RecognizedField) -> str:
    return "" if found.certain else "？"
