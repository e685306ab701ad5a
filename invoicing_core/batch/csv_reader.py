"""Read the CSV layout of the template: one file, one row per line, invoice columns repeated.

The header is every column of 发票基本信息 followed by those of 发票明细信息, with
发票流水号 once. Each row is one line; the rows of one invoice share its serial and
repeat its invoice columns identically. UTF-8 (with or without BOM, as Excel's
"CSV UTF-8" writes it) and GB18030/GBK (Excel's default "CSV" on Chinese Windows) are read.
"""

import csv
import io

from invoicing_core.batch import columns as C
from invoicing_core.batch.errors import MalformedBatchFile
from invoicing_core.batch.table import Table, read_table

CSV_COLUMNS = C.INVOICE_COLUMNS + tuple(c for c in C.LINE_COLUMNS if c.header != C.SERIAL)
CSV_LABEL = "CSV 文件"
_ENCODINGS = ("utf-8-sig", "gb18030")


def read_csv(data: bytes, *, max_lines: int) -> Table:
    """The file's rows as one table holding the columns of both sheets."""
    text = _decode(data)
    try:
        rows = csv.reader(io.StringIO(text, newline=""), strict=True)
        return read_table(None, CSV_LABEL, rows, CSV_COLUMNS, limit=max_lines, unit="行")
    except csv.Error as error:
        raise MalformedBatchFile(
            f"CSV 文件格式有误（{error}），请用 Excel 打开后另存为 CSV 或 .xlsx 再导入。"
        ) from error


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise MalformedBatchFile("该文件不是文本格式的 CSV 文件，请使用批量开票模板。")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MalformedBatchFile("无法识别 CSV 文件的文字编码，请另存为“CSV UTF-8”格式后再导入。")
