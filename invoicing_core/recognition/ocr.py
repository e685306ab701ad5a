"""OCR with RapidOCR's PP-OCR models, which ship inside the rapidocr wheel.

The engine is told the path of each model file in the installed package, so it
never takes the branch that downloads one; it is built once per process, on first use.
"""

import math
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from PIL import Image

from invoicing_core.recognition.errors import RecognitionError
from invoicing_core.recognition.split_recognition import SplitRecognizer
from invoicing_core.recognition.text_lines import Page, TextLine

# The models of rapidocr 3.10.0 (its config.yaml's defaults), in the wheel's models/ folder.
MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
Point = Sequence[float]
DETECTION_SIDE = 1280
# Two threads: on an idle 2-core machine a photo took 1.8 s at p50 against 2.9 s with one
# (8 benchmark photos, 2026-12-07). Under heavy load two spinning threads were slower
# (7.0 s against 4.3 s); RECOGNITION_CONCURRENCY bounds how many pictures run at once.
THREADS = 2
# The detection and recognition sessions are built here (rapidocr exposes neither option):
# - threads that sleep instead of spinning between operators: OCR of a photo took 0.85 of
#   the time with spinning threads at load 4-5 (30 photos of the benchmark, interleaved,
#   2026-12-07); a spinning thread only burns the core that Rasa or the other thread needs;
# - the CPU memory arena on: recognition runs a batch of a new shape every call, and
#   without the arena each one allocates afresh (0.93 of the time alone, and both
#   together 0.71); text read is identical either way.
SESSION_CONFIG = {"session.intra_op.allow_spinning": "0"}
MEMORY_ARENA = True
# A quarter of the detection model's 2.45 million weights are subnormal floats (below
# 1.2e-38, mostly in two convolutions), which x86 multiplies about a hundred times more
# slowly than normal ones: detection took 2.9 times as long as with them set to zero, and
# its output is the same to the bit (8 benchmark photos, 2026-12-07). The sessions are
# built from the models with those weights zeroed (recognition has 241 of them).
ZERO_SUBNORMAL_WEIGHTS = True
# Text recognition (three quarters of a photo's time, about 66 lines in batches of 6) runs
# its batches on this many threads at once, each with a session of one intra-op thread
# (`split_recognition`), instead of one session of THREADS threads: the batches are too
# small for onnxruntime's threads to share one well. Every line reads the same. One
# recogniser and one session of THREADS threads when this is 1.
RECOGNITION_WORKERS = 2


def model_paths() -> dict[str, Path]:
    """Where the installed rapidocr keeps each model; an error names a missing one."""
    models = Path(str(files("rapidocr").joinpath("models")))
    paths = {task: models / name for task, name in MODEL_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise RuntimeError(f"rapidocr's bundled models are missing: {', '.join(missing)}")
    return paths


@cache
def engine() -> Any:
    """The OCR engine, built once; it reads models from disk only."""
    from omegaconf import flag_override
    from rapidocr import RapidOCR

    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.model_root_dir": str(model_paths()["Det"].parent),
        # Pictures turned on their side or head are turned upright by their QR code, so
        # the per-line 180° classifier is left out (a tenth of the time).
        "Global.use_cls": False,
        # Detection on at most DETECTION_SIDE px (printed text stays over 10 px high);
        # recognition still reads each line from the full picture.
        "Det.limit_type": "max",
        "Det.limit_side_len": DETECTION_SIDE,
    }
    params |= {f"{task}.model_path": str(path) for task, path in model_paths().items()}
    ocr: Any = RapidOCR(params=params)  # its text_rec is typed as None
    # rapidocr uses a session it is given (its config must be told to hold an object).
    with flag_override(ocr.cfg, "allow_objects", True):
        ocr.cfg.Det.session = session(model_source(model_paths()["Det"]))
        recognition = model_source(model_paths()["Rec"])
        if RECOGNITION_WORKERS > 1:
            recognizers = []
            for _ in range(RECOGNITION_WORKERS):
                ocr.cfg.Rec.session = session(recognition, threads=1)
                ocr.text_rec = None
                recognizers.append(ocr._load_rec_model())
            ocr.text_rec = SplitRecognizer(recognizers)
        else:
            ocr.cfg.Rec.session = session(recognition)
    return ocr


def model_source(model: Path) -> str | bytes:
    """What a session is built from: the model's path, or its bytes with weights zeroed."""
    return without_subnormal_weights(model) if ZERO_SUBNORMAL_WEIGHTS else str(model)


def session(source: str | bytes, threads: int = THREADS) -> Any:
    """An onnxruntime session on the CPU with the options above."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # errors go up as exceptions, not to the log
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = options.inter_op_num_threads = threads
    options.enable_cpu_mem_arena = MEMORY_ARENA
    for key, value in SESSION_CONFIG.items():
        options.add_session_config_entry(key, value)
    return onnxruntime.InferenceSession(
        source, sess_options=options, providers=["CPUExecutionProvider"]
    )


def without_subnormal_weights(model: Path) -> bytes:
    """The model, serialised, with every subnormal float32 weight set to zero.

    Their products fall below float32's resolution next to the sums they join, so the
    outputs stay the same (detection's map to the bit, all 160 benchmark photos read the
    same); only the slow arithmetic goes.
    """
    import numpy as np
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(model))
    smallest = np.finfo(np.float32).tiny
    for tensor in proto.graph.initializer:
        if tensor.data_type != onnx.TensorProto.FLOAT:
            continue
        weights = numpy_helper.to_array(tensor)
        subnormal = (weights != 0) & (np.abs(weights) < smallest)
        if subnormal.any():
            zeroed = np.where(subnormal, np.float32(0), weights)
            tensor.CopyFrom(numpy_helper.from_array(zeroed, tensor.name))
    data: bytes = proto.SerializeToString()
    return data


def ocr_page(image: Image.Image) -> Page:
    """The text lines of a picture, straightened: boxes are turned back by the text's slant."""
    try:
        output = engine()(image)
    except RecognitionError:
        raise
    except Exception as error:  # the engine's own errors have no common base class
        raise RecognitionError(
            "ocr_failed", "图片文字识别失败，请换一张清晰的照片重试。"
        ) from error
    boxes = (
        [] if output.boxes is None else [[tuple(map(float, p)) for p in b] for b in output.boxes]
    )
    texts: Sequence[str] = output.txts or ()
    scores: Sequence[float] = output.scores or ()
    slant = _slant(boxes)
    centre = (image.width / 2, image.height / 2)
    lines = [
        _line(text, score, [_turn(point, -slant, centre) for point in box])
        for box, text, score in zip(boxes, texts, scores, strict=True)
        if text.strip()
    ]
    return Page(tuple(lines), "ocr", float(image.width), float(image.height))


def _slant(boxes: Sequence[Sequence[Point]]) -> float:
    """The text's angle (radians), the median of the wide boxes' top edges."""
    angles = sorted(
        math.atan2(box[1][1] - box[0][1], box[1][0] - box[0][0])
        for box in boxes
        if math.dist(box[0], box[1]) > 2 * math.dist(box[1], box[2])
    )
    return angles[len(angles) // 2] if angles else 0.0


def _turn(point: Point, angle: float, centre: Point) -> tuple[float, float]:
    x, y = point[0] - centre[0], point[1] - centre[1]
    cos, sin = math.cos(angle), math.sin(angle)
    return centre[0] + x * cos - y * sin, centre[1] + x * sin + y * cos


def _line(text: str, score: float, points: Sequence[Point]) -> TextLine:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return TextLine(text, min(xs), min(ys), max(xs), max(ys), float(score))
