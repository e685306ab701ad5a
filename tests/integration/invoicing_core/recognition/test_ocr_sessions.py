"""The OCR's detection and recognition run in sessions built with the product's options."""

import pytest

from invoicing_core.recognition import ocr
from invoicing_core.recognition.split_recognition import SplitRecognizer


def test_detection_and_recognition_use_the_products_sessions() -> None:
    engine = ocr.engine()
    recognition = engine._load_rec_model()
    assert isinstance(recognition, SplitRecognizer)
    assert len(recognition.recognizers) == ocr.RECOGNITION_WORKERS
    # Detection's session has THREADS threads, each recogniser's session one.
    models = [engine._load_det_model(), *recognition.recognizers]
    sessions = [model.session.session for model in models]
    assert len({id(session) for session in sessions}) == len(sessions)
    counts = [ocr.THREADS] + [1] * len(recognition.recognizers)
    for session, threads in zip(sessions, counts, strict=True):
        options = session.get_session_options()
        assert options.intra_op_num_threads == threads
        assert options.enable_cpu_mem_arena is ocr.MEMORY_ARENA
        for key, value in ocr.SESSION_CONFIG.items():
            assert options.get_session_config_entry(key) == value


def test_split_recognition_reads_a_photo_as_one_session_does(
    digital_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from invoicing_core.recognition.image import open_image
    from tests.integration.invoicing_core.recognition import documents

    picture = open_image(documents.photo_of(documents.page_picture(digital_pdf)))
    split = ocr.engine()
    monkeypatch.setattr(ocr, "RECOGNITION_WORKERS", 1)
    single = ocr.engine.__wrapped__()  # built apart, the cached engine stays
    assert not isinstance(single.text_rec, SplitRecognizer)
    read = [engine(picture) for engine in (split, single)]
    assert len(read[0].txts) > 3 * split.text_rec.rec_batch_num  # batches on both threads
    assert read[0].txts == read[1].txts
    assert read[0].scores == read[1].scores
    assert read[0].boxes.tobytes() == read[1].boxes.tobytes()


def test_the_shipped_detection_model_has_subnormal_weights_to_zero() -> None:
    import numpy as np
    import onnx
    from onnx import numpy_helper

    def subnormal(model: onnx.ModelProto) -> int:
        weights = [numpy_helper.to_array(t) for t in model.graph.initializer]
        return sum(
            int(((w != 0) & (np.abs(w) < np.finfo(np.float32).tiny)).sum())
            for w in weights
            if w.dtype == np.float32
        )

    path = ocr.model_paths()["Det"]
    assert subnormal(onnx.load(str(path))) > 0
    assert subnormal(onnx.load_from_string(ocr.without_subnormal_weights(path))) == 0


def test_detection_without_subnormal_weights_gives_the_same_map(digital_pdf: bytes) -> None:
    import onnxruntime

    from invoicing_core.recognition.image import open_image
    from tests.integration.invoicing_core.recognition import documents

    photo = documents.photo_of(documents.page_picture(digital_pdf, longest=1280))
    engine = ocr.engine()
    batch = engine._load_det_model().get_preprocess()(engine.load_img(open_image(photo)))
    path = ocr.model_paths()["Det"]
    maps = []
    for source in (str(path), ocr.without_subnormal_weights(path)):
        session = onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])
        maps.append(session.run(None, {session.get_inputs()[0].name: batch})[0])
    assert maps[0].tobytes() == maps[1].tobytes()
