"""Building the index: skipped when up to date, rebuilt when entries or the model change."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge import KnowledgeSettings, ensure_index, load_entries
from knowledge.encoder import OnnxEncoder, TorchEncoder, Vectors, quantize
from knowledge.index import FLOAT_ONNX_FILE, ONNX_FILE
from knowledge.manifest import Manifest

ROOT = Path(__file__).resolve().parents[3]


def test_the_manifest_names_model_dimension_and_content(knowledge_index: Path) -> None:
    manifest = Manifest.load(knowledge_index)
    assert manifest is not None
    entries = len(load_entries(ROOT / "knowledge" / "entries"))
    assert (manifest.model, manifest.dimension, manifest.entries) == ("m3e-small", 512, entries)
    assert len(manifest.content_hash) == 64


def test_an_unchanged_source_skips_the_build(knowledge_settings: KnowledgeSettings) -> None:
    assert ensure_index(knowledge_settings).built is False


def small_source(folder: Path, answer: str = "答一") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "faq.csv").write_text(
        f"id,question,answer\na.one,忘记密码怎么办,{answer}\na.two,怎么开专票,答二\n",
        encoding="utf-8",
    )
    return folder


def test_changed_entries_or_model_rebuild_the_index(
    tmp_path: Path, knowledge_index: Path, knowledge_settings: KnowledgeSettings
) -> None:
    folder = tmp_path / "index"
    shutil.copytree(knowledge_index, folder)  # reuses the session's exported encoder
    settings = knowledge_settings.model_copy(update={"knowledge_index_dir": folder})
    source = small_source(tmp_path / "source")
    assert ensure_index(settings, source).built is True
    assert ensure_index(settings, source).built is False
    assert ensure_index(settings, small_source(source, "答案改了")).built is True

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "model_hash": "old"}))
    assert ensure_index(settings, source).built is True

    # Vectors of the float encoder do not serve questions the int8 one embeds, nor its file.
    int8 = settings.model_copy(update={"knowledge_int8": True})
    assert ensure_index(int8, source).built is True
    assert ensure_index(int8, source).built is False
    rebuilt = Manifest.load(folder)
    assert rebuilt is not None and rebuilt.weights == "int8"
    assert not (folder / FLOAT_ONNX_FILE).exists()


def test_the_onnx_encoder_gives_the_vectors_of_sentence_transformers(
    knowledge_index: Path, knowledge_settings: KnowledgeSettings
) -> None:
    texts = ["忘记密码怎么办", "数电发票开错了怎么红冲", "开" * 400]
    model = knowledge_settings.model_path()
    reference = TorchEncoder(model).encode(texts)
    exported = OnnxEncoder(knowledge_index / ONNX_FILE, model).encode(texts)
    assert np.allclose((reference * exported).sum(axis=1), 1.0, atol=1e-4)


def test_the_int8_encoder_stays_close_to_the_float_one(
    tmp_path: Path, knowledge_index: Path, knowledge_settings: KnowledgeSettings
) -> None:
    texts = ["忘记密码怎么办", "数电发票开错了怎么红冲", "开" * 400]
    model = knowledge_settings.model_path()
    quantize(knowledge_index / ONNX_FILE, tmp_path / "int8.onnx")
    float_vectors = OnnxEncoder(knowledge_index / ONNX_FILE, model).encode(texts)
    int8_vectors = OnnxEncoder(tmp_path / "int8.onnx", model).encode(texts)
    assert np.all((float_vectors * int8_vectors).sum(axis=1) > 0.99)
    assert (tmp_path / "int8.onnx").stat().st_size < (knowledge_index / ONNX_FILE).stat().st_size


def test_a_rebuild_embeds_only_the_texts_that_changed(
    tmp_path: Path,
    knowledge_index: Path,
    knowledge_settings: KnowledgeSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "index"
    shutil.copytree(knowledge_index, folder)  # reuses the session's exported encoder
    settings = knowledge_settings.model_copy(update={"knowledge_index_dir": folder})
    source = small_source(tmp_path / "source")
    ensure_index(settings, source=source)
    before = np.load(folder / "phrasing_vectors.npy")
    encoded: list[str] = []
    original = OnnxEncoder.encode

    def counting(self: OnnxEncoder, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        encoded.extend(texts)
        return original(self, texts, batch_size)

    monkeypatch.setattr(OnnxEncoder, "encode", counting)
    assert ensure_index(settings, source=small_source(source, answer="新的答案")).built

    assert encoded == ["新的答案"]
    assert np.array_equal(np.load(folder / "phrasing_vectors.npy"), before)
