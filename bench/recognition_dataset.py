"""The recognition benchmark's test set: invoice photos and PDFs whose truth is known.

    .venv/bin/python -m bench.recognition_dataset [--count 320] [--set DIR] [--seed 16]

Writes `--count` photo-like JPEGs, each with its truth beside it (`NAME.json`), and
the clean PDF of every invoice drawn by the product's renderer, into DIR (default
bench/results/recognition_set/, not tracked; `bench.recognition` makes it, or adds
to it, as needed). Half the photos show an invoice
rendered by the product (`invoicing_core.pdf.render_invoice_pdf`, rasterised with
pypdfium2), half one drawn by an independent layout (`bench.recognition_drawn`);
each layout covers every invoice kind equally, one invoice in five is red-letter.
The photo distortions are in `bench.recognition_photo`. Everything follows from the
seed: the same seed and count give the same files.

A truth file holds the invoice's fields and lines as the engine normalises them
(`bench.recognition_invoices.truth_of`), whether its QR code is visible, the page
layout, and the distortion's parameters.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image
from reportlab.lib.units import mm

from bench.recognition_drawn import draw_invoice
from bench.recognition_invoices import KINDS, make_invoice, qr_payload, truth_of
from bench.recognition_photo import occlude, photograph
from bench.report import RESULTS
from invoicing_core.domain.invoice import Invoice
from invoicing_core.pdf import layout as L
from invoicing_core.pdf import render_invoice_pdf

DEFAULT_SET = RESULTS / "recognition_set"
DEFAULT_COUNT = 320
DEFAULT_SEED = 16
GENERATOR = 1  # bump when the generated set changes, so a kept set is made anew
PPM = 12.0  # pixels per mm of the clean page (about 300 dpi)
OCCLUDED_SHARE = 0.04  # photos whose visible QR code is covered by a thumb or a note


def plan(index: int) -> tuple[str, int, bool]:
    """Layout family, kind index and red-letter for item `index`: every 8 cover each pair."""
    family = "product" if (index + index // 4) % 2 == 0 else "drawn"
    return family, index % len(KINDS), index % 5 == 2


def pdf_pages(pdf: bytes, ppm: float = PPM) -> tuple[int, Image.Image]:
    """The PDF's page count and its first page as an RGB image at `ppm` pixels per mm."""
    # pypdfium2 ships no type information; typed as Any whatever mypy is told about it.
    pdfium: Any = importlib.import_module("pypdfium2")
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image: Image.Image = page.render(scale=ppm / mm).to_pil().convert("RGB")  # px per pt
        return len(document), image
    finally:
        document.close()


def make_item(folder: Path, seed: int, index: int) -> list[dict[str, Any]]:
    """Make item `index` (its photo, and for the product layout its PDF); their manifest rows."""
    rng = random.Random(f"recognition-{seed}-{index}")  # noqa: S311 - test data, not secrets
    family, kind_index, red = plan(index)
    kind = KINDS[kind_index]
    invoice = make_invoice(rng, kind, red=red, serial=index + 1)
    stem = f"{index:04d}-{family}-{kind.value}{'-red' if red else ''}"
    rows: list[dict[str, Any]] = []
    if family == "product":
        pdf = render_invoice_pdf(invoice, issuer=invoice.issued_by)
        pages, page = pdf_pages(pdf)
        (folder / f"{stem}.pdf").write_bytes(pdf)
        rows.append(
            _write_truth(
                folder,
                stem,
                ".pdf",
                invoice,
                qr_payload(invoice),
                None,
                {"layout": "product", "pages": pages, "qr_visible": True},
            )
        )
        shown = invoice
        while pages > 1:  # the photo shows one page: drop lines until the invoice fits one
            shown = replace(shown, lines=shown.lines[:-1])
            pages, page = pdf_pages(render_invoice_pdf(shown, issuer=shown.issued_by))
        layout, payload, check_code = "product", qr_payload(shown), None
        qr_mm: tuple[float, float, float, float] | None = (
            L.QR_LEFT / mm,
            (L.PAGE_HEIGHT - L.QR_BOTTOM - L.QR_SIZE) / mm,
            (L.QR_LEFT + L.QR_SIZE) / mm,
            (L.PAGE_HEIGHT - L.QR_BOTTOM) / mm,
        )
    else:
        shown = invoice
        drawn = draw_invoice(invoice, rng, PPM)
        page, layout, qr_mm = drawn.image, drawn.layout, drawn.qr_box
        payload, check_code = drawn.qr_payload, drawn.check_code
    occluder = None
    if qr_mm is not None and rng.random() < OCCLUDED_SHARE:
        x1, y1, x2, y2 = (v * PPM for v in qr_mm)
        occluder = occlude(page, (x1, y1, x2, y2), rng)
    photo = photograph(page, rng)
    (folder / f"{stem}.jpg").write_bytes(photo.data)
    facts = {
        "layout": layout,
        "pages": 1,
        "distortion": photo.distortion,
        "occluder": occluder,
        "qr_visible": qr_mm is not None and occluder is None,
    }
    rows.append(_write_truth(folder, stem, ".jpg", shown, payload, check_code, facts))
    return rows


def _write_truth(
    folder: Path,
    stem: str,
    suffix: str,
    invoice: Invoice,
    payload: str,
    check_code: str | None,
    facts: dict[str, Any],
) -> dict[str, Any]:
    media = "pdf" if suffix == ".pdf" else "photo"
    name = f"{stem}{suffix}"
    truth = {
        "file": name,
        "media": media,
        "kind": invoice.kind.value,
        **{key: value for key, value in facts.items() if key != "qr_visible"},
        **truth_of(invoice, payload, qr_visible=facts["qr_visible"], check_code=check_code),
    }
    truth_name = f"{stem}{'.pdf' if media == 'pdf' else ''}.json"
    (folder / truth_name).write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return {
        "file": name,
        "truth": truth_name,
        "media": media,
        "layout": facts["layout"],
        "kind": invoice.kind.value,
    }


def generate(
    folder: Path, count: int, seed: int = DEFAULT_SEED, workers: int | None = None
) -> dict[str, Any]:
    """Make the whole set in `folder` (emptied of an older set first); return its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.suffix in (".jpg", ".pdf", ".json"):
            old.unlink()
    return _extend(
        folder, {"generator": GENERATOR, "seed": seed, "count": 0, "items": []}, count, workers
    )


def _extend(
    folder: Path, manifest: dict[str, Any], count: int, workers: int | None = None
) -> dict[str, Any]:
    """Make items manifest["count"] .. count-1 and add them to the manifest (written)."""
    seed, indices = manifest["seed"], range(manifest["count"], count)
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        made = list(pool.map(make_item, [folder] * len(indices), [seed] * len(indices), indices))
    for index, rows in zip(indices, made, strict=True):
        manifest["items"] += [{"index": index, **row} for row in rows]
    manifest["count"] = count
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def ensure_set(folder: Path, count: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The first `count` items of the set in `folder`, making only those it lacks.

    Item i depends on the seed and i alone, so a larger set of the same generator and
    seed holds the smaller one; one of another generator or seed is made anew.
    """
    manifest_file = folder / "manifest.json"
    if not manifest_file.exists():
        return generate(folder, count, seed)
    manifest: dict[str, Any] = json.loads(manifest_file.read_text(encoding="utf-8"))
    complete = all((folder / item["file"]).exists() for item in manifest["items"])
    if (manifest.get("generator"), manifest.get("seed")) != (GENERATOR, seed) or not complete:
        return generate(folder, count, seed)
    if manifest["count"] < count:
        manifest = _extend(folder, manifest, count)
    items = [item for item in manifest["items"] if item["index"] < count]
    return {**manifest, "count": count, "items": items}


def load_truth(folder: Path, item: dict[str, Any]) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((folder / item["truth"]).read_text(encoding="utf-8"))
    return truth


def describe(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """What the set holds: counts per media, layout, kind, style, QR visibility, lines."""
    truths = [load_truth(folder, item) for item in manifest["items"]]
    photos = [t for t in truths if t["media"] == "photo"]
    pdfs = [t for t in truths if t["media"] == "pdf"]
    widths = [t["distortion"]["width"] for t in photos]
    qualities = [t["distortion"]["jpeg_quality"] for t in photos]
    return {
        "photos": len(photos),
        "pdfs": len(pdfs),
        "pdfs_digital": sum(t["kind"].startswith("digital") for t in pdfs),
        "pdfs_two_pages": sum(t["pages"] > 1 for t in pdfs),
        "photos_by_layout": dict(Counter(t["layout"] for t in photos)),
        "photos_by_kind": dict(Counter(t["kind"] for t in photos)),
        "photos_by_style": dict(Counter(t["distortion"]["style"] for t in photos)),
        "photos_red_letter": sum(t["red"] for t in photos),
        "photos_qr_visible": sum(t["qr_visible"] for t in photos),
        "photos_qr_occluded": dict(Counter(t["occluder"] for t in photos if t["occluder"])),
        "photos_with_shadow": sum(t["distortion"]["shadow"] > 0 for t in photos),
        "photo_width_px": [min(widths), max(widths)] if widths else [],
        "jpeg_quality": [min(qualities), max(qualities)] if qualities else [],
        "lines_per_photo": dict(sorted(Counter(len(t["lines"]) for t in photos).items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="photos to make")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="folder to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    args = parser.parse_args()
    manifest = generate(args.set, args.count, args.seed, args.workers)
    print(json.dumps(describe(args.set, manifest), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
