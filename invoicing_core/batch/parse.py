"""The batch issuing entry point: a file in the tax bureau's template, as drafts and errors."""

from pathlib import PurePath

from invoicing_core.batch.csv_reader import read_csv
from invoicing_core.batch.drafts import build_drafts
from invoicing_core.batch.errors import UnsupportedBatchFile
from invoicing_core.batch.result import BatchResult
from invoicing_core.batch.xlsx_reader import read_xlsx

DEFAULT_MAX_INVOICES = 10_000
DEFAULT_MAX_LINES = 100_000
# Uploads are capped by the caller (see parse_batch); this caps what a zip may unpack to.
DEFAULT_MAX_UNPACKED_BYTES = 200 * 2**20

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls and other legacy Office files


def parse_batch(
    data: bytes,
    filename: str,
    *,
    max_invoices: int = DEFAULT_MAX_INVOICES,
    max_lines: int = DEFAULT_MAX_LINES,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
) -> BatchResult:
    """Parse an uploaded .xlsx or .csv batch file into invoice drafts and row errors.

    Bad rows never raise: each becomes a RowError and the parse goes on. Only a file that
    cannot be read as the template raises a BatchFileError (UnsupportedBatchFile,
    MalformedBatchFile, BatchTemplateMismatch, BatchTooLarge), all DomainErrors with a
    code and a Chinese message. The caller must cap the upload's size before reading it
    into memory (10 MB holds 10,000 invoices with room to spare).
    """
    kind = _file_kind(data, filename)
    if kind == "xlsx":
        invoices, lines = read_xlsx(
            data,
            max_invoices=max_invoices,
            max_lines=max_lines,
            max_unpacked_bytes=max_unpacked_bytes,
        )
        result = build_drafts(invoices, lines)
    else:
        table = read_csv(data, max_lines=max_lines)
        result = build_drafts(table, table, repeated=True, max_invoices=max_invoices)
    return result


def _file_kind(data: bytes, filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise UnsupportedBatchFile("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。")
    if suffix == ".xlsx" or (suffix != ".csv" and data.startswith(_ZIP_MAGIC)):
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    raise UnsupportedBatchFile("只支持 .xlsx 或 .csv 格式的批量开票模板文件。")
