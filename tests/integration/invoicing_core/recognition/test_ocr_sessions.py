"""The OCR's detection and recognition run in sessions built with the product's options."""

from invoicing_core.recognition import ocr


def test_detection_and_recognition_use_the_products_sessions() -> None:
    engine = ocr.engine()
    for model in (engine._load_det_model(), engine._load_rec_model()):
        options = model.session.session.get_session_options()
        assert options.intra_op_num_threads == ocr.THREADS
        assert options.enable_cpu_mem_arena is ocr.MEMORY_ARENA
        for key, value in ocr.SESSION_CONFIG.items():
            assert options.get_session_config_entry(key) == value


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
