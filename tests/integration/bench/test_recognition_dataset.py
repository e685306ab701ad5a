"""The recognition benchmark's test set: its truth agrees with itself, its files and the QR.

Independent of the recognition engine: only the generator runs.
"""

from __future__ import annotations

import binascii
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from bench.recognition_dataset import describe, ensure_set, generate, load_truth
from bench.recognition_scoring import HEADER, LINE_FIELDS
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.tax_id import TaxIdStatus, check_tax_id
from invoicing_core.domain.uppercase import uppercase_amount

Set = tuple[Path, dict[str, Any]]


@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory: pytest.TempPathFactory) -> Set:
    folder = tmp_path_factory.mktemp("recognition_set")
    return folder, generate(folder, 4, seed=16, workers=1)


def truths(tiny_set: Set) -> list[dict[str, Any]]:
    folder, manifest = tiny_set
    return [load_truth(folder, item) for item in manifest["items"]]


def money(text: str | None) -> Decimal:
    return Decimal(text) if text is not None else Decimal(0)


def test_four_photos_cover_both_layouts_paper_and_digital_and_a_red_letter(tiny_set: Set) -> None:
    folder, manifest = tiny_set
    described = describe(folder, manifest)
    assert described["photos"] == 4
    assert described["pdfs"] == 2  # one per invoice the product's renderer drew
    assert set(described["photos_by_layout"]) == {"product", "digital_alt", "vat_paper"}
    assert set(described["photos_by_kind"]) == {kind.value for kind in InvoiceKind}
    assert described["photos_red_letter"] == 1


def test_every_truth_names_every_field_and_line_attribute(tiny_set: Set) -> None:
    for truth in truths(tiny_set):
        assert set(truth["fields"]) == set(HEADER)
        assert 1 <= len(truth["lines"]) <= 8
        for line in truth["lines"]:
            assert set(LINE_FIELDS) <= set(line)


def test_totals_are_the_sums_of_the_lines_and_the_words_say_the_total(tiny_set: Set) -> None:
    for truth in truths(tiny_set):
        fields, lines = truth["fields"], truth["lines"]
        assert money(fields["amount"]) == sum(money(line["amount"]) for line in lines)
        assert money(fields["tax"]) == sum(money(line["tax"]) for line in lines)
        total = money(fields["total_with_tax"])
        assert total == money(fields["amount"]) + money(fields["tax"])
        assert fields["total_in_words"] == uppercase_amount(total)
        assert (total < 0) == truth["red"]
        for line in lines:
            if line["quantity"] is not None:
                product = Decimal(line["quantity"]) * Decimal(line["unit_price"])
                assert abs(product - money(line["amount"])) <= Decimal("0.01")


def test_dates_numbers_and_tax_ids_are_well_formed(tiny_set: Set) -> None:
    for truth in truths(tiny_set):
        fields = truth["fields"]
        assert fields["date"][4] == "-" and fields["date"][7] == "-"
        assert check_tax_id(fields["seller_tax_id"]).status is TaxIdStatus.VALID
        buyer = fields["buyer_tax_id"]
        assert buyer is None or check_tax_id(buyer).status is TaxIdStatus.VALID
        if InvoiceKind(fields["kind"]).is_digital:
            assert fields["code"] is None and len(fields["number"]) == 20
        else:
            assert len(fields["code"]) in (10, 12) and len(fields["number"]) == 8


def test_the_qr_payload_carries_the_fields(tiny_set: Set) -> None:
    for truth in truths(tiny_set):
        if not truth["qr_visible"]:
            assert truth["qr_payload"] is None
            continue
        fields = truth["fields"]
        payload = truth["qr_payload"]
        version, kind_code, code, number, amount, date, check_code, check = payload.split(",")
        kind = InvoiceKind(fields["kind"])
        assert (version, kind_code, code or None, number) == (
            "01",
            kind.qr_code,
            fields["code"],
            fields["number"],
        )
        assert amount == (fields["total_with_tax"] if kind.is_digital else fields["amount"])
        assert date == fields["date"].replace("-", "")
        assert check_code == (fields["check_code"] or "")
        head = payload.rsplit(",", 1)[0]
        assert check == f"{binascii.crc_hqx(head.encode('ascii'), 0xFFFF):04X}"


def test_photos_are_jpegs_within_the_distortion_ranges(tiny_set: Set) -> None:
    folder, _ = tiny_set
    for truth in truths(tiny_set):
        if truth["media"] != "photo":
            continue
        distortion = truth["distortion"]
        with Image.open(folder / truth["file"]) as image:
            assert image.format == "JPEG"
            assert image.size == (distortion["width"], distortion["height"])
        assert 1000 <= distortion["width"] <= 3000
        assert 50 <= distortion["jpeg_quality"] <= 90
        assert abs(distortion["rotation_deg"]) <= 8


def test_the_pdfs_show_the_number_parties_and_total(tiny_set: Set) -> None:
    folder, _ = tiny_set
    for truth in truths(tiny_set):
        if truth["media"] != "pdf":
            continue
        reader = PdfReader(io.BytesIO((folder / truth["file"]).read_bytes()))
        assert len(reader.pages) == truth["pages"]
        text = "".join("".join(page.extract_text().split()) for page in reader.pages)
        fields = truth["fields"]
        for value in (fields["number"], fields["seller_tax_id"], fields["seller_name"]):
            assert value in text
        assert f"¥{fields['total_with_tax']}" in text


def test_the_same_seed_makes_the_same_set(tiny_set: Set, tmp_path: Path) -> None:
    folder, manifest = tiny_set
    again = generate(tmp_path, 4, seed=16, workers=2)
    assert json.dumps(again["items"]) == json.dumps(manifest["items"])
    for item in manifest["items"]:
        assert (tmp_path / item["file"]).read_bytes() == (folder / item["file"]).read_bytes()
        assert (tmp_path / item["truth"]).read_text() == (folder / item["truth"]).read_text()


def test_a_smaller_set_is_the_first_items_of_a_larger_one(tiny_set: Set) -> None:
    folder, manifest = tiny_set
    smaller = ensure_set(folder, 2, seed=16)
    assert smaller["items"] == [item for item in manifest["items"] if item["index"] < 2]
    assert json.loads((folder / "manifest.json").read_text())["count"] == 4
