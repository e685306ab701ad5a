"""Photo recognition with two OCR engines of this process, interleaved photo by photo.

    .venv/bin/python -m bench.recognition_interleaved [--count 80] [--set DIR] [--seed 16]
        [--engines BASELINE CANDIDATE]

Builds two named OCR engines in this process (`ENGINES`: each is the OCR module's settings,
`invoicing_core.recognition.ocr`, changed for that engine; by default `single`, text
recognition on one session of two threads, against `split`, its batches spread over two
threads of one-thread sessions; `shipped` is the models as shipped, with their subnormal
weights) and runs every photo of the set through `recognize` with each, the order
alternating from photo to photo, so that load from other jobs falls on both alike.
Prints each engine's latency (p50, p95, mean), the ratio of their total times
(candidate / baseline) and the median of the per-photo ratios, the load (1-minute
average, lowest and highest seen between photos), how many photos came out identical
(every field, line, check and certainty), and each engine's accuracy against the truth
(as `bench.recognition` scores it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from bench.recognition_dataset import DEFAULT_SEED, ensure_set, load_truth
from bench.recognition_scoring import Score, score
from bench.report import percentiles

# Each engine: the OCR module's settings that differ from the module's own.
ENGINES: dict[str, dict[str, Any]] = {
    "shipped": {"ZERO_SUBNORMAL_WEIGHTS": False, "RECOGNITION_WORKERS": 1},
    "zeroed": {"ZERO_SUBNORMAL_WEIGHTS": True, "RECOGNITION_WORKERS": 1},
    "single": {"RECOGNITION_WORKERS": 1},
    "split": {"RECOGNITION_WORKERS": 2},
}
DEFAULT_ENGINES = ("single", "split")


def build_engine(name: str) -> Any:
    """The OCR engine built with the named engine's settings (the module's are kept)."""
    from invoicing_core.recognition import ocr

    kept = {setting: getattr(ocr, setting) for setting in ENGINES[name]}
    ocr.engine.cache_clear()
    try:
        for setting, value in ENGINES[name].items():
            setattr(ocr, setting, value)
        built = ocr.engine()
    finally:
        for setting, value in kept.items():
            setattr(ocr, setting, value)
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
    parser.add_argument(
        "--engines",
        nargs=2,
        choices=sorted(ENGINES),
        default=DEFAULT_ENGINES,
        metavar=("BASELINE", "CANDIDATE"),
        help=f"two of {', '.join(ENGINES)} (default: {' '.join(DEFAULT_ENGINES)})",
    )
    args = parser.parse_args()
    from invoicing_core.recognition import recognize

    names: tuple[str, str] = tuple(args.engines)
    baseline, candidate = names
    if baseline == candidate:
        parser.error("two different engines are needed")
    manifest = ensure_set(args.set, args.count, args.seed)
    photos = [item for item in manifest["items"] if item["media"] == "photo"]
    engines = {name: build_engine(name) for name in names}
    for built in engines.values():  # warm-up: sessions, arenas, lazy imports
        run_with(built, recognize, (args.set / photos[0]["file"]).read_bytes())
    seconds: dict[str, list[float]] = {name: [] for name in names}
    scores: dict[str, list[Score]] = {name: [] for name in names}
    identical, differing = 0, []
    loads = [os.getloadavg()[0]]
    for index, item in enumerate(photos):
        data = (args.set / item["file"]).read_bytes()
        truth = load_truth(args.set, item)
        order = names if index % 2 == 0 else names[::-1]
        outputs: dict[str, Any] = {}
        for name in order:
            result, error, took = run_with(engines[name], recognize, data)
            seconds[name].append(took)
            scores[name].append(score(item["file"], truth, result, error))
            outputs[name] = result.to_json() if result is not None else error
        if outputs[baseline] == outputs[candidate]:
            identical += 1
        else:
            differing.append(item["file"])
        loads.append(os.getloadavg()[0])
        if (index + 1) % 10 == 0:  # a run under load takes long: how far it got
            print(f"{index + 1}/{len(photos)} photos, load {loads[-1]:.1f}", file=sys.stderr)
    print(
        f"{len(photos)} photos of {args.set} (seed {args.seed}), load {loads[0]:.2f} → "
        f"{loads[-1]:.2f} (lowest {min(loads):.2f}, highest {max(loads):.2f})"
    )
    for name in names:
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
    total = sum(seconds[candidate]) / sum(seconds[baseline])
    each = statistics.median(
        c / b for c, b in zip(seconds[candidate], seconds[baseline], strict=True)
    )
    print(f"  {candidate} / {baseline}: total time {total:.3f}, median per photo {each:.3f}")
    print(f"  identical recognitions: {identical}/{len(photos)}", *differing, sep="\n    ")


if __name__ == "__main__":
    main()
