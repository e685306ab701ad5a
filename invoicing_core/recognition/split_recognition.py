"""Text recognition of a picture's lines spread over worker threads, batch by batch.

rapidocr's `TextRecognizer` sorts a picture's line crops by their width-to-height ratio,
cuts them into batches of `rec_batch_num` and runs the batches one after another; each
batch is a small matrix product on which onnxruntime's intra-op threads scale poorly.
`SplitRecognizer` stands in its place (`RapidOCR.text_rec`, which rapidocr calls with a
`TextRecInput`) and makes exactly the same batches, but hands them to several
recognisers, one per thread, each with a session of one intra-op thread: each batch goes
through rapidocr's own code (resizing, padding to the batch's widest line, decoding)
unchanged, so every line reads the same. onnxruntime lets go of the GIL while a
session runs.

The batches are taken widest first from a shared queue, so a thread slowed by other work
on the machine takes fewer of them. The calling thread is a worker itself; the others
come from a pool shared by all calls.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class SplitRecognizer:
    """Callable like rapidocr's `TextRecognizer`, spreading its batches over recognisers."""

    def __init__(self, recognizers: Sequence[Any]) -> None:
        if not recognizers:
            raise ValueError("at least one recogniser is needed")
        self.recognizers = tuple(recognizers)
        self.rec_batch_num: int = self.recognizers[0].rec_batch_num
        helpers = len(self.recognizers) - 1
        self._pool = (
            ThreadPoolExecutor(helpers, thread_name_prefix="text-recognition") if helpers else None
        )

    def __call__(self, args: Any) -> Any:
        """rapidocr's `TextRecOutput` for a `TextRecInput` (both dataclasses), lines in order."""
        import numpy as np

        started = time.perf_counter()
        first = self.recognizers[0]
        images = [args.img] if isinstance(args.img, np.ndarray) else list(args.img or [])
        batches = _batches(images, self.rec_batch_num)
        if len(batches) < 2 or self._pool is None:
            return first(args)
        # Widest batches first: the last ones taken are the quickest, which evens the end.
        queue = iter(reversed(range(len(batches))))
        lock = threading.Lock()
        outputs: list[Any] = [None] * len(batches)

        def work(recognizer: Any) -> None:
            for number in _taken(queue, lock):
                crops = [images[i] for i in batches[number]]
                outputs[number] = recognizer(dataclasses.replace(args, img=crops))

        helpers: list[Future[None]] = [
            self._pool.submit(work, recognizer) for recognizer in self.recognizers[1:]
        ]
        try:
            work(first)
        finally:
            for helper in helpers:
                # A helper still waiting for the pool (it serves another picture) is not
                # needed any more: the queue is empty. One that started is awaited.
                if not helper.cancel():
                    helper.result()
        texts: list[str] = [""] * len(images)
        scores: list[float] = [0.0] * len(images)
        words: list[Any] = [None] * len(images)
        for indices, output in zip(batches, outputs, strict=True):
            for place, index in enumerate(indices):
                texts[index] = output.txts[place]
                scores[index] = output.scores[place]
                words[index] = output.word_results[place]
        return dataclasses.replace(
            outputs[0],
            imgs=images,
            txts=tuple(texts),
            scores=tuple(scores),
            word_results=tuple(words),
            elapse=time.perf_counter() - started,
        )


def _batches(images: Sequence[Any], size: int) -> list[list[int]]:
    """The crops' indices in rapidocr's batches: sorted by width-to-height ratio, cut by size.

    Within one batch rapidocr pads every crop to the batch's widest; a batch given to it
    alone is sorted again and padded to the same width, so each crop reads the same.
    """
    import numpy as np

    ratios = np.array([image.shape[1] / float(image.shape[0]) for image in images])
    order = [int(i) for i in np.argsort(ratios)]
    return [order[start : start + size] for start in range(0, len(order), size)]


def _taken(queue: Iterator[int], lock: threading.Lock) -> Iterator[int]:
    while True:
        with lock:
            number = next(queue, None)
        if number is None:
            return
        yield number
