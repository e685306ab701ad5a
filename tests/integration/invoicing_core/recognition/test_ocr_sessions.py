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
