"""The knowledge base of one process: loaded once, searched by many, reloaded on demand."""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from knowledge.editing import EntryStore
from knowledge.encoder import Encoder, OnnxEncoder, TorchEncoder
from knowledge.entry import Entry
from knowledge.index import ONNX_FILE, KnowledgeIndex, build_index, expected_manifest
from knowledge.ingest import load_entries
from knowledge.manifest import Manifest
from knowledge.result import SearchResult
from knowledge.retriever import Retriever, Weights
from knowledge.settings import KnowledgeSettings
from knowledge.text import TextAnalyzer

log = logging.getLogger(__name__)
MAX_K = 20


@dataclass(frozen=True)
class BuildOutcome:
    """What `ensure_index` did: the index's manifest and whether it had to be built."""

    manifest: Manifest
    built: bool


def ensure_index(
    settings: KnowledgeSettings,
    source: Path | None = None,
    folder: Path | None = None,
    analyzer: TextAnalyzer | None = None,
    store: EntryStore | None = None,
) -> BuildOutcome:
    """Build the index of `source` (with the console's changes in `store` over it) into
    `folder` unless the one there already matches."""
    source = source or settings.knowledge_source
    folder = folder or settings.knowledge_index_dir
    analyzer = analyzer or TextAnalyzer()
    entries = load_entries(source)
    if store is not None:
        entries = store.overlay(entries)
    expected = expected_manifest(entries, settings, analyzer)
    current = Manifest.load(folder)
    if current is not None and current.matches(expected) and _complete(folder, settings):
        return BuildOutcome(current, built=False)
    log.info("building knowledge index of %s entries into %s", len(entries), folder)
    return BuildOutcome(build_index(entries, settings, folder, analyzer), built=True)


def _complete(folder: Path, settings: KnowledgeSettings) -> bool:
    return settings.knowledge_backend == "torch" or (folder / ONNX_FILE).is_file()


class KnowledgeBase:
    """Searches the index; `reload` rebuilds it from the source when that changed."""

    def __init__(
        self,
        settings: KnowledgeSettings,
        retriever: Retriever,
        source_checked: bool,
        store: EntryStore | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._retriever = retriever
        self._source_checked = source_checked
        self._reloading = threading.Lock()

    @classmethod
    def open(cls, settings: KnowledgeSettings, store: EntryStore | None = None) -> KnowledgeBase:
        """Load the index of the settings' source (and the console's entries in `store`),
        building it first when it is stale."""
        analyzer = TextAnalyzer()
        try:
            ensure_index(settings, analyzer=analyzer, store=store)
        except SQLAlchemyError as failure:
            # The app starts (and answers 503 for what needs the database) while the
            # database is down; the console's entries come back with the next publish.
            log.warning("console entries unavailable, searching the shipped ones: %s", failure)
            ensure_index(settings, analyzer=analyzer)
        retriever = _retriever(settings, settings.knowledge_index_dir, analyzer)
        return cls(settings, retriever, True, store)

    @classmethod
    def load(cls, settings: KnowledgeSettings, folder: Path) -> KnowledgeBase:
        """Load the index in `folder` as it is, without looking at any source."""
        return cls(settings, _retriever(settings, folder, TextAnalyzer()), False)

    @property
    def entries(self) -> list[Entry]:
        """The entries being searched."""
        return self._retriever.index.entries

    @property
    def retriever(self) -> Retriever:
        """The retriever of the index being searched (for calibration and benchmarks)."""
        return self._retriever

    @property
    def manifest(self) -> Manifest:
        """The manifest of the index being searched."""
        return self._retriever.index.manifest

    def search(self, question: str, k: int = 5) -> SearchResult:
        """The best `k` (1–20) entries for `question`; `answered` says if the first is confident."""
        if not 1 <= k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}")
        if not question.strip():
            return SearchResult(False, [])
        return self._retriever.search(question, k)

    def reload(self) -> BuildOutcome:
        """Re-read the source, rebuild the index if it changed, and swap it in.

        Searches go on against the old index until the new one is ready; when
        the source is bad the error is raised and the old index stays.
        """
        with self._reloading:
            analyzer = TextAnalyzer()
            outcome = ensure_index(self.settings, analyzer=analyzer, store=self.store)
            folder = self.settings.knowledge_index_dir
            self._retriever = _retriever(self.settings, folder, analyzer)
            return outcome

    def preview(self, question: str, k: int, changed: Entry | None = None) -> SearchResult:
        """How `question` would be answered with `changed` in the base (replacing the entry of
        its id), searched in a scratch index; what is being searched stays as it is.

        Only the changed texts are embedded: the rest reuse the current index's vectors.
        """
        entries = [e for e in self.entries if changed is None or e.id != changed.id]
        entries += [changed] if changed is not None else []
        folder = self.settings.knowledge_index_dir
        analyzer = TextAnalyzer()
        with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".preview-") as scratch:
            preview = Path(scratch) / "index"
            build_index(entries, self.settings, preview, analyzer, previous=folder)
            return KnowledgeBase.load(self.settings, preview).search(question, k)


def _retriever(settings: KnowledgeSettings, folder: Path, analyzer: TextAnalyzer) -> Retriever:
    index = KnowledgeIndex.load(folder)
    encoder: Encoder
    if settings.knowledge_backend == "torch":
        encoder = TorchEncoder(settings.model_path(), settings.knowledge_threads)
    else:
        encoder = OnnxEncoder(folder / ONNX_FILE, settings.model_path(), settings.knowledge_threads)
    analyzer.warm_up()
    return Retriever(index, encoder, analyzer, Weights.from_settings(settings))
