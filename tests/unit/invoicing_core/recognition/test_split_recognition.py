"""Text recognition spread over threads makes rapidocr's batches and puts the lines back in order.

Fake recognisers stand in for rapidocr's (no onnxruntime here): each reads a crop as its
width and records the batches it was given.
"""

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from invoicing_core.recognition.split_recognition import SplitRecognizer


@dataclass
class _Input:
    img: Any = None
    return_word_box: bool = False


@dataclass
class _Output:
    imgs: Any = None
    txts: Any = None
    scores: Any = field(default_factory=lambda: [1.0])
    word_results: Any = (("", 1.0, None),)
    elapse: float | None = None
    viser: Any = None


class _Recognizer:
    rec_batch_num = 3

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.threads: set[str] = set()

    def __call__(self, args: _Input) -> _Output:
        crops = [args.img] if isinstance(args.img, np.ndarray) else args.img
        widths = [crop.shape[1] for crop in crops]
        self.batches.append(sorted(widths))
        self.threads.add(threading.current_thread().name)
        return _Output(
            crops,
            tuple(str(w) for w in widths),
            tuple(w / 1000 for w in widths),
            tuple(None for _ in widths),
            0.0,
            viser="viser",
        )


def _crops(widths: list[int]) -> list[np.ndarray]:
    return [np.zeros((10, width, 3), dtype=np.uint8) for width in widths]


def test_the_batches_are_rapidocrs_and_the_lines_come_back_in_order() -> None:
    widths = [50, 10, 80, 20, 70, 30, 60, 40, 90, 15, 25]
    recognizers = [_Recognizer(), _Recognizer()]
    split = SplitRecognizer(recognizers)

    output = split(_Input(img=_crops(widths)))

    assert output.txts == tuple(str(w) for w in widths)
    assert output.scores == tuple(w / 1000 for w in widths)
    assert output.word_results == tuple(None for _ in widths)
    assert [crop.shape[1] for crop in output.imgs] == widths
    assert output.viser == "viser"
    batches = sorted(batch for r in recognizers for batch in r.batches)
    # Sorted by width-to-height ratio and cut every three, as rapidocr batches them.
    assert batches == [[10, 15, 20], [25, 30, 40], [50, 60, 70], [80, 90]]


def test_the_work_runs_on_the_calling_thread_and_a_helper() -> None:
    both = threading.Barrier(2, timeout=10)  # each holds its first batch until both have one

    class Waiting(_Recognizer):
        def __call__(self, args: _Input) -> _Output:
            if not self.batches:
                both.wait()
            return super().__call__(args)

    recognizers = [Waiting(), Waiting()]
    output = SplitRecognizer(recognizers)(_Input(img=_crops(list(range(10, 130, 5)))))
    assert output.txts == tuple(str(w) for w in range(10, 130, 5))
    assert recognizers[0].threads == {threading.current_thread().name}
    assert len(recognizers[1].threads) == 1
    assert recognizers[1].threads.isdisjoint(recognizers[0].threads)
    assert sum(len(r.batches) for r in recognizers) == 8


def test_one_batch_goes_to_the_first_recognizer_as_it_is() -> None:
    recognizers = [_Recognizer(), _Recognizer()]
    given = _Input(img=_crops([30, 10]))
    output = SplitRecognizer(recognizers)(given)
    assert output.txts == ("30", "10")
    assert recognizers[0].batches == [[10, 30]]
    assert recognizers[1].batches == []


def test_an_error_in_a_batch_goes_up() -> None:
    class Failing(_Recognizer):
        def __call__(self, args: _Input) -> _Output:
            raise RuntimeError("the session failed")

    split = SplitRecognizer([Failing(), Failing()])
    with pytest.raises(RuntimeError, match="the session failed"):
        split(_Input(img=_crops(list(range(10, 100, 10)))))
