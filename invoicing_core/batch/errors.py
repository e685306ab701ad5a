"""Why a whole batch file is refused (bad rows are reported one by one, not raised)."""

from invoicing_core.domain.errors import DomainError


class BatchFileError(DomainError):
    """The file as a whole cannot be read as a batch template."""

    code = "invalid_batch_file"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class UnsupportedBatchFile(BatchFileError):
    """The file is neither .xlsx nor .csv (an old .xls, a PDF, an image…)."""

    code = "unsupported_batch_file"


class MalformedBatchFile(BatchFileError):
    """The file claims to be .xlsx or .csv but cannot be read as one."""

    code = "malformed_batch_file"


class BatchTemplateMismatch(BatchFileError):
    """A sheet or a column header of the template is missing or repeated."""

    code = "batch_template_mismatch"


class BatchTooLarge(BatchFileError):
    """The file holds more invoices, lines or unpacked bytes than one batch may."""

    code = "batch_too_large"
