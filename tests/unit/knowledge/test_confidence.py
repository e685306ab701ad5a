"""The calibrated confidence and the rejection threshold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.retriever import FEATURES, Weights
from knowledge.settings import KnowledgeSettings


def weights(threshold: float = 0.5) -> Weights:
    return Weights(np.full(len(FEATURES), 1 / len(FEATURES), np.float32), 20.0, 0.7, threshold)


def test_the_confidence_is_one_half_at_the_offset_and_rises_with_the_score() -> None:
    curve = weights()
    assert curve.confidence(0.7) == pytest.approx(0.5)
    assert curve.confidence(0.6) < 0.5 < curve.confidence(0.8)
    assert 0.0 < curve.confidence(-5.0) < curve.confidence(5.0) <= 1.0


def test_the_settings_weights_add_up_to_one() -> None:
    fitted = Weights.from_settings(KnowledgeSettings())
    assert float(fitted.features.sum()) == pytest.approx(1.0)
    assert fitted.threshold == KnowledgeSettings().knowledge_answer_threshold


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KNOWLEDGE_ANSWER_THRESHOLD", "0.8")
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(tmp_path))
    settings = KnowledgeSettings()
    assert settings.knowledge_answer_threshold == 0.8
    assert settings.knowledge_index_dir == tmp_path


def test_the_bundled_model_is_found_without_importing_its_package() -> None:
    path = KnowledgeSettings().model_path()
    assert path.name == "m3e-small" and (path / "tokenizer.json").is_file()
