"""Sentence embeddings with m3e-small: exported once to ONNX, or run by sentence-transformers.

Both backends give the same unit vectors (mean pooling over the last layer, as
m3e does). The ONNX one runs on onnxruntime, whose kernels are about three
times faster per query than torch's MKL ones on this machine's AMD CPU, and it
needs neither torch nor sentence-transformers at search time. With
KNOWLEDGE_INT8 its weights are quantized to int8 once the export is written
(`quantize`): about half the CPU per query, a cosine of at least 0.995 to the
float ones, so an index's vectors and its questions' must come from the same file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
# Questions are short; answers beyond this many tokens add little meaning.
MAX_TOKENS = 256
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Encoder(Protocol):
    """Turns texts into unit-length float32 vectors, one row per text."""

    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed `texts`; rows are L2-normalised."""
        ...


def _offline() -> None:
    # Nothing may be fetched from a model hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class TorchEncoder:
    """sentence-transformers on torch: the reference, and the source of the ONNX export."""

    def __init__(self, model_path: Path, threads: int = 2) -> None:
        _offline()
        import torch  # heavy: loaded only by this backend
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        torch.set_num_threads(threads)
        self.model: Any = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.model.max_seq_length = MAX_TOKENS
        dimension = self.model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"{model_path} does not say its embedding dimension")
        self.dimension = int(dimension)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed `texts` with sentence-transformers."""
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def export_onnx(self, target: Path) -> None:
        """Write the transformer plus mean pooling and normalisation as one ONNX graph."""
        import torch

        module = _PooledEncoder(self.model[0].auto_model.eval())
        sample = self.model.tokenizer(["开票", "忘记密码怎么办"], padding=True, return_tensors="pt")
        axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
        with torch.inference_mode():
            torch.onnx.export(
                module,
                tuple(sample[name] for name in _INPUTS),
                str(target),
                input_names=list(_INPUTS),
                output_names=["embedding"],
                dynamic_axes={**axes, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,  # the TorchScript exporter needs no onnxscript
            )


def _PooledEncoder(transformer: Any) -> Any:
    import torch

    class PooledEncoder(torch.nn.Module):
        """Transformer → masked mean → unit length, exactly what m3e's pooling does."""

        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    return PooledEncoder()


def quantize(exported: Path, target: Path) -> None:
    """Write `exported` (a float ONNX encoder) to `target` with int8 weights.

    ONNX Runtime's dynamic quantization of the matrix products, weights per output
    channel (cosine to the float vectors ≥ 0.995 on realq_dev's questions, against
    0.987 quantizing every tensor at once); activations are quantized per batch at
    run time. Nothing to calibrate, nothing downloaded.
    """
    from onnxruntime.quantization import (  # type: ignore[import-untyped]
        QuantType,
        quantize_dynamic,
    )

    quantize_dynamic(
        exported,
        target,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )


class OnnxEncoder:
    """The exported encoder on onnxruntime, with the model's own fast tokenizer."""

    def __init__(self, onnx_path: Path, model_path: Path, threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Waiting threads sleep rather than spin: on a small shared machine a
        # spinning pool steals the very cores the other work needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed `texts`, similar lengths batched together to waste little on padding."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([len(text) for text in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            vectors[rows] = self._run([texts[i] for i in rows])
        return vectors

    def _run(self, texts: list[str]) -> Vectors:
        batch = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in batch], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64),
        }
        output: Vectors = self._session.run(None, feed)[0]
        return output
