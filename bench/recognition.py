"""Invoice recognition (issue 16): accuracy on photos and PDFs of known truth, latency, memory.

    .venv/bin/python -m bench.recognition [--count 320] [--set DIR] [--seed 16]

Makes the test set (`bench.recognition_dataset`) unless DIR already holds it for
this count and seed, then runs `invoicing_core.recognition.recognize` on every photo
and PDF, one after another in this process (after one warm-up call of each), and
prints, with the machine and its load:

- QR decoded (payload exactly right) on photos where the QR is visible (≥ 99 %);
- number (and code on paper invoices), date, total with tax and both taxpayer ids
  all exactly right (≥ 97 % of photos);
- every line's amount right, with no line missing or extra (≥ 90 % of photos);
- fields reported as certain that are wrong, header and lines, photos and PDFs (0);
- a photo's latency p50 < 1.5 s and p95 < 3 s, a 数电 PDF's p95 < 200 ms;
- the process's peak resident memory (< 1.5 GB);

then every failure (file, field, truth, read). The figures go to
bench/results/recognition.json, the failures to recognition_failures.json; the exit
status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.knowledge_context import peak_rss_mb
from bench.recognition_dataset import (
    DEFAULT_COUNT,
    DEFAULT_SEED,
    DEFAULT_SET,
    describe,
    ensure_set,
    load_truth,
)
from bench.recognition_scoring import HEADER, Failure, Recognition, Score, score
from bench.report import RESULTS, percentiles, publish

Recognize = Callable[..., Recognition]


def engine() -> tuple[Recognize, type[Exception]]:
    """The engine's `recognize` and `RecognitionError`, imported only when the bench runs."""
    module = importlib.import_module("invoicing_core.recognition")
    recognize: Recognize = module.recognize
    refusal: type[Exception] = module.RecognitionError
    return recognize, refusal


Scored = list[tuple[dict[str, Any], Score, float]]


def run(folder: Path, manifest: dict[str, Any]) -> tuple[dict[str, Any], Scored]:
    """Recognise every item: the figures, and each item's truth, score and seconds."""
    recognize, refusal = engine()
    items = manifest["items"]
    warm_up: dict[str, float] = {}
    for media in ("photo", "pdf"):
        first = next((item for item in items if item["media"] == media), None)
        if first is not None:
            started = time.perf_counter()
            with contextlib.suppress(refusal):
                recognize((folder / first["file"]).read_bytes(), filename=first["file"])
            warm_up[f"first_{media}_s"] = round(time.perf_counter() - started, 2)
    scored: Scored = []
    load_before = round(os.getloadavg()[0], 2)
    for item in items:
        truth = load_truth(folder, item)
        data = (folder / item["file"]).read_bytes()
        started = time.perf_counter()
        try:
            recognition: Recognition | None = recognize(data, filename=item["file"])
            error = ""
        except refusal as refused:
            recognition, error = None, f"RecognitionError: {refused}"
        seconds = time.perf_counter() - started
        scored.append((truth, score(item["file"], truth, recognition, error), seconds))
    measured = {
        **warm_up,
        # Other work on the machine slows every item: the load when the items started.
        "load_average_1m_at_start": load_before,
        **figures(scored),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    return measured, scored


def _share(hits: list[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def _latency(seconds: list[float]) -> dict[str, float]:
    if len(seconds) < 2:
        return {"p50_ms": round(seconds[0] * 1000, 1)} if seconds else {}
    cuts = percentiles([s * 1000 for s in seconds])
    return {**cuts, "max_ms": round(max(seconds) * 1000, 2)}


def figures(scored: Scored) -> dict[str, Any]:
    """Accuracy and latency over the photos and over the PDFs."""
    result: dict[str, Any] = {}
    for media in ("photo", "pdf"):
        mine = [(t, s, sec) for t, s, sec in scored if t["media"] == media]
        if not mine:
            continue
        qr = [s.qr_ok for _, s, _ in mine if s.qr_ok is not None]
        per_field = {
            name: _share([s.fields_ok[name] for _, s, _ in mine if name in s.fields_ok])
            for name in HEADER
        }
        result[media] = {
            "items": len(mine),
            "refused": sum(any(f.field == "error" for f in s.failures) for _, s, _ in mine),
            "qr_visible": len(qr),
            "qr_decoded": _share(qr),
            "key_fields_right": _share([s.key_ok for _, s, _ in mine]),
            "all_line_amounts_right": _share([s.lines_ok for _, s, _ in mine]),
            "certain_but_wrong_fields": sum(len(s.certain_wrong) for _, s, _ in mine),
            "field_accuracy": per_field,
            "key_fields_right_by_layout": {
                layout: _share([s.key_ok for t, s, _ in mine if t["layout"] == layout])
                for layout in sorted({t["layout"] for t, _, _ in mine})
            },
            "latency": _latency([sec for _, _, sec in mine]),
        }
    digital = [
        sec for t, _, sec in scored if t["media"] == "pdf" and t["kind"].startswith("digital")
    ]
    result["digital_pdf_latency"] = _latency(digital)
    return result


def targets(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of issue 16: its figure, its bound and whether it is met."""
    photo = figures.get("photo", {})
    pdf = figures.get("pdf", {})
    checks: list[tuple[str, Any, str, Callable[[Any], bool]]] = [
        (
            "QR decoded where visible (photos)",
            photo.get("qr_decoded"),
            "≥ 0.99",
            lambda v: v >= 0.99,
        ),
        ("key fields right (photos)", photo.get("key_fields_right"), "≥ 0.97", lambda v: v >= 0.97),
        (
            "every line amount right (photos)",
            photo.get("all_line_amounts_right"),
            "≥ 0.90",
            lambda v: v >= 0.90,
        ),
        (
            "certain but wrong fields (photos + PDFs)",
            photo.get("certain_but_wrong_fields", 0) + pdf.get("certain_but_wrong_fields", 0),
            "= 0",
            lambda v: v == 0,
        ),
        (
            "photo latency p50 ms",
            photo.get("latency", {}).get("p50_ms"),
            "< 1500",
            lambda v: v < 1500,
        ),
        (
            "photo latency p95 ms",
            photo.get("latency", {}).get("p95_ms"),
            "< 3000",
            lambda v: v < 3000,
        ),
        (
            "数电 PDF latency p95 ms",
            figures["digital_pdf_latency"].get("p95_ms"),
            "< 200",
            lambda v: v < 200,
        ),
        ("peak RSS MB", figures["peak_rss_mb"], "< 1536", lambda v: v < 1536),
    ]
    return {
        name: {"figure": value, "target": bound, "met": value is not None and check(value)}
        for name, value, bound, check in checks
    }


def print_failures(failures: list[Failure]) -> None:
    print(f"\nfailures ({len(failures)}): file | field | truth | read | source | certain")
    for failure in failures:
        certain = "CERTAIN" if failure.certain else ""
        columns = (failure.file, failure.field, failure.truth, failure.read, failure.source)
        print(" | ".join(str(column) for column in columns), "|", certain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="photos in the set")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the set's folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    manifest = ensure_set(args.set, args.count, args.seed)
    try:
        measured, scored = run(args.set, manifest)
    except ModuleNotFoundError as missing:
        if missing.name == "invoicing_core.recognition":
            sys.exit(f"no recognition engine yet ({missing}); the set is in {args.set}")
        raise
    checks = targets(measured)
    record = {"set": {"folder": str(args.set), "seed": args.seed, **describe(args.set, manifest)}}
    publish("recognition", {**record, **measured, "targets": checks})
    failures = [f for _, s, _ in scored for f in s.failures]
    certain = [f for _, s, _ in scored for f in s.certain_wrong]
    listed = sorted({*failures, *certain}, key=lambda f: (f.file, f.field))
    (RESULTS / "recognition_failures.json").write_text(
        json.dumps([asdict(f) for f in listed], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print_failures(listed)
    print("\ntargets:")
    for name, check in checks.items():
        verdict = "met" if check["met"] else "MISSED"
        print(f"  {name:42} {check['figure']!s:>10}  {check['target']:8} {verdict}")
    sys.exit(0 if all(check["met"] for check in checks.values()) else 1)


if __name__ == "__main__":
    main()
