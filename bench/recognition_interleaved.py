"""Photo recognition with and without the OCR models' subnormal weights, interleaved.

    .venv/bin/python -m bench.recognition_interleaved [--count 80] [--set DIR] [--seed 16]

Builds two OCR engines in this process, one from the models as shipped and one with
their subnormal weights set to zero (`invoicing_core.recognition.ocr`), and runs every
photo of the set through `recognize` with each, the order alternating from photo to
photo, so that load from other jobs falls on both alike. Prints each engine's
latency (p50, p95, mean), the ratio of their total times and the median of the per-photo
ratios, how many photos came out identical (every field, line, check and certainty), and
each engine's accuracy against the truth (as `bench.recognition` scores it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from bench.recognition_dataset import DEFAULT_SEED, ensure_set, load_truth
from bench.recognition_scoring import Score, score
from bench.report import percentiles

ENGINES = ("shipped", "zeroed")


def build_engine(zeroed: bool) -> Any:
    """An OCR engine whose sessions are built with or without the subnormal weights."""
    from invoicing_core.recognition import ocr

    kept = ocr.ZERO_SUBNORMAL_WEIGHTS
    ocr.engine.cache_clear()
    try:
        ocr.ZERO_SUBNORMAL_WEIGHTS = zeroed
        built = ocr.engine()
    finally:
        ocr.ZERO_SUBNORMAL_WEIGHTS = kept
        ocr.engine.cache_clear()
    return built


def run_with(built: Any, recognize: Callable[..., Any], data: bytes) -> tuple[Any, str, float]:
    """Recognise one photo with the given engine: the result (or the refusal) and seconds."""
    from invoicing_core.recognition import RecognitionError, ocr

    with mock.patch.object(ocr, "engine", lambda: built):
        started = time.perf_counter()
        try:
            result, error = recognize(data), ""
        except RecognitionError as refused:
            result, error = None, str(refused)
        return result, error, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=80, help="photos in the set")
    parser.add_argument("--set", type=Path, required=True, help="the set's folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    from invoicing_core.recognition import recognize

    manifest = ensure_set(args.set, args.count, args.seed)
    photos = [item for item in manifest["items"] if item["media"] == "photo"]
    engines = {name: build_engine(name == "zeroed") for name in ENGINES}
    for built in engines.values():  # warm-up: sessions, arenas, lazy imports
        run_with(built, recognize, (args.set / photos[0]["file"]).read_bytes())
    seconds: dict[str, list[float]] = {name: [] for name in ENGINES}
    scores: dict[str, list[Score]] = {name: [] for name in ENGINES}
    identical, differing = 0, []
    load_start = os.getloadavg()[0]
    for index, item in enumerate(photos):
        data = (args.set / item["file"]).read_bytes()
        truth = load_truth(args.set, item)
        order = ENGINES if index % 2 == 0 else ENGINES[::-1]
        outputs: dict[str, Any] = {}
        for name in order:
            result, error, took = run_with(engines[name], recognize, data)
            seconds[name].append(took)
            scores[name].append(score(item["file"], truth, result, error))
            outputs[name] = result.to_json() if result is not None else error
        if outputs["shipped"] == outputs["zeroed"]:
            identical += 1
        else:
            differing.append(item["file"])
    load_end = os.getloadavg()[0]
    print(
        f"{len(photos)} photos of {args.set} (seed {args.seed}), "
        f"load {load_start:.2f} → {load_end:.2f}"
    )
    for name in ENGINES:
        cuts = percentiles([s * 1000 for s in seconds[name]])
        mine = scores[name]
        print(
            f"  {name:8} p50 {cuts['p50_ms']:7.0f} ms  p95 {cuts['p95_ms']:7.0f} ms  "
            f"mean {statistics.mean(seconds[name]) * 1000:7.0f} ms  "
            f"key fields {sum(s.key_ok for s in mine)}/{len(mine)}  "
            f"lines {sum(s.lines_ok for s in mine)}/{len(mine)}  "
            f"QR {sum(bool(s.qr_ok) for s in mine)}/{sum(s.qr_ok is not None for s in mine)}  "
            f"fields right {sum(sum(s.fields_ok.values()) for s in mine)}  "
            f"certain but wrong {sum(len(s.certain_wrong) for s in mine)}"
        )
    total = sum(seconds["zeroed"]) / sum(seconds["shipped"])
    each = statistics.median(
        z / s for z, s in zip(seconds["zeroed"], seconds["shipped"], strict=True)
    )
    print(f"  zeroed / shipped: total time {total:.3f}, median per photo {each:.3f}")
    print(f"  identical recognitions: {identical}/{len(photos)}", *differing, sep="\n    ")


if __name__ == "__main__":
    main()
