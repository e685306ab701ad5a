"""QR codes at the edge of what a phone photo resolves: about two pixels a module, blurred.

Two photos of the benchmark's set (seed 16) that the whole picture and its enlarged
corners did not read; thresholding the corner against its neighbourhood does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.recognition_dataset import load_truth, make_item
from invoicing_core.recognition.image import open_image
from invoicing_core.recognition.qr import read_qr


@pytest.mark.parametrize("index", [161, 176])
def test_a_blurred_code_of_two_pixels_a_module_is_read(tmp_path: Path, index: int) -> None:
    [row] = [item for item in make_item(tmp_path, 16, index) if item["media"] == "photo"]
    photo = load_truth(tmp_path, row)
    assert photo["qr_visible"] and photo["distortion"]["blur_px"] > 1
    found = read_qr(open_image((tmp_path / photo["file"]).read_bytes()))
    assert found is not None and found.text == photo["qr_payload"]
