"""The documents recognised by these tests, made once per session."""

import pytest

from invoicing_core.domain.invoice import Invoice
from tests.integration.invoicing_core.recognition import documents


@pytest.fixture(scope="session")
def digital() -> Invoice:
    return documents.digital_invoice()


@pytest.fixture(scope="session")
def digital_pdf(digital: Invoice) -> bytes:
    return documents.pdf_of(digital)


@pytest.fixture(scope="session")
def digital_png(digital_pdf: bytes) -> bytes:
    return documents.png_of(documents.page_picture(digital_pdf))
