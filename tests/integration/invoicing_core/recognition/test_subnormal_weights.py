"""A model's subnormal float weights are set to zero; every other weight is kept as it is."""

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

from invoicing_core.recognition.ocr import without_subnormal_weights

WEIGHTS = np.array([1e-40, 0.5, -2e-39, 0.0, 3.0, np.finfo(np.float32).tiny], dtype=np.float32)
SHAPE = np.array([2, 3], dtype=np.int64)


def _model(path: Path) -> Path:
    """y = reshape(x * w, [2, 3]): a float weight with subnormal values and an int64 one."""
    graph = helper.make_graph(
        [
            helper.make_node("Mul", ["x", "w"], ["product"]),
            helper.make_node("Reshape", ["product", "shape"], ["y"]),
        ],
        "scaled",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [numpy_helper.from_array(WEIGHTS, "w"), numpy_helper.from_array(SHAPE, "shape")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def test_subnormal_weights_become_zero_and_the_rest_stay(tmp_path: Path) -> None:
    zeroed = onnx.load_from_string(without_subnormal_weights(_model(tmp_path / "m.onnx")))
    weights = {t.name: numpy_helper.to_array(t) for t in zeroed.graph.initializer}
    expected = np.array([0.0, 0.5, 0.0, 0.0, 3.0, np.finfo(np.float32).tiny], dtype=np.float32)
    assert weights["w"].tobytes() == expected.tobytes()
    assert np.array_equal(weights["shape"], SHAPE)


def test_the_zeroed_model_runs_in_onnxruntime(tmp_path: Path) -> None:
    session = onnxruntime.InferenceSession(
        without_subnormal_weights(_model(tmp_path / "m.onnx")),
        providers=["CPUExecutionProvider"],
    )
    (output,) = session.run(None, {"x": np.full(6, 2.0, dtype=np.float32)})
    tiny = 2 * np.finfo(np.float32).tiny
    assert output.tolist() == [[0.0, 1.0, 0.0], [0.0, 6.0, float(np.float32(tiny))]]
