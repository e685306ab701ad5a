"""Recognition needs no network: the OCR models come from the installed rapidocr package.

The engine is built anew with every socket connection and name lookup failing and
rapidocr's downloader replaced by a failure, then reads a picture, a PDF and an OFD.
"""

import socket
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from invoicing_core.domain.invoice import Invoice
from invoicing_core.recognition import ocr, recognize
from tests.integration.invoicing_core.recognition import documents


@pytest.fixture
def network_cut_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every connection and lookup fails and is recorded; so is any download rapidocr tries."""
    attempts: list[str] = []

    def refuse(*args: Any, **_kwargs: Any) -> Any:
        attempts.append(repr(args[1:] or args))
        raise OSError("network is cut off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from rapidocr.utils.download_file import DownloadFile

    monkeypatch.setattr(DownloadFile, "run", classmethod(refuse))
    ocr.engine.cache_clear()  # build the engine (and load its models) under the cut
    yield attempts
    ocr.engine.cache_clear()


def test_the_models_are_the_ones_inside_the_rapidocr_package() -> None:
    package = Path(str(files("rapidocr")))
    paths = ocr.model_paths()
    assert set(paths) == {"Det", "Rec", "Cls"}
    assert all(path.is_file() and package in path.parents for path in paths.values())


def test_recognition_runs_with_the_network_cut_off(
    network_cut_off: list[str], digital: Invoice, digital_pdf: bytes, digital_png: bytes
) -> None:
    with pytest.raises(OSError):  # the cut is real
        socket.create_connection(("127.0.0.1", 9))
    network_cut_off.clear()
    picture = recognize(digital_png)
    assert picture.value("number") == digital.number
    assert picture.fields["seller_tax_id"].source == "ocr"
    assert recognize(digital_pdf).value("number") == digital.number
    assert recognize(documents.ofd_of(digital, digital_pdf)).value("number") == digital.number
    assert network_cut_off == []
