"""Batch issuing: the tax bureau's batch template (.xlsx or .csv) read into invoice drafts.

`parse_batch` turns an upload into drafts and row errors; `write_batch_template` gives
the empty template to offer for download. See `columns` for the sheets and headers.
"""

from invoicing_core.batch.errors import (
    BatchFileError,
    BatchTemplateMismatch,
    BatchTooLarge,
    MalformedBatchFile,
    UnsupportedBatchFile,
)
from invoicing_core.batch.parse import parse_batch
from invoicing_core.batch.result import BatchResult, InvoiceDraft, RowError
from invoicing_core.batch.template import write_batch_template

__all__ = [
    "BatchFileError",
    "BatchResult",
    "BatchTemplateMismatch",
    "BatchTooLarge",
    "InvoiceDraft",
    "MalformedBatchFile",
    "RowError",
    "UnsupportedBatchFile",
    "parse_batch",
    "write_batch_template",
]
