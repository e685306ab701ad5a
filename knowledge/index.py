"""The knowledge index on disk: vectors (faiss), keywords (bm25s), identifiers, manifest.

Built into a fresh folder next to the target and then swapped in, so a reader
never sees half an index. Everything is loaded into memory once per process.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.encoder import Encoder, OnnxEncoder, TorchEncoder, Vectors, quantize
from knowledge.entry import Entry
from knowledge.identifiers import find_identifiers
from knowledge.keyword import KeywordIndex
from knowledge.manifest import INDEX_FORMAT, Manifest, content_hash, model_hash
from knowledge.settings import KnowledgeSettings
from knowledge.text import TextAnalyzer
from knowledge.vector import VectorIndex

ONNX_FILE = "encoder.onnx"
# The float export, kept only while it is quantized into ONNX_FILE.
FLOAT_ONNX_FILE = "encoder-float.onnx"
MAX_ENTRIES_PER_IDENTIFIER = 2


@dataclass
class KnowledgeIndex:
    """Everything a search reads, in memory; phrasings of entry e are rows starts[e]:starts[e+1]."""

    manifest: Manifest
    entries: list[Entry]
    starts: npt.NDArray[np.int64]
    phrasing_vectors: Vectors
    centroids: Vectors
    answer_vectors: Vectors | None
    vectors: VectorIndex
    question_keywords: KeywordIndex
    answer_keywords: KeywordIndex
    identifiers: dict[str, list[int]]

    @cached_property
    def owners(self) -> npt.NDArray[np.int64]:
        """The entry of every phrasing row."""
        return np.repeat(np.arange(len(self.entries)), np.diff(self.starts))

    @classmethod
    def load(cls, folder: Path) -> KnowledgeIndex:
        """Read the index in `folder` (written by `build_index`)."""
        manifest = Manifest.load(folder)
        if manifest is None:
            raise FileNotFoundError(f"no knowledge index in {folder}")
        records = json.loads((folder / "entries.json").read_text(encoding="utf-8"))
        answers = folder / "answer_vectors.npy"
        return cls(
            manifest=manifest,
            entries=[Entry.from_canonical(r, str(r.get("origin", ""))) for r in records],
            starts=np.load(folder / "starts.npy"),
            phrasing_vectors=np.load(folder / "phrasing_vectors.npy"),
            centroids=np.load(folder / "centroids.npy"),
            answer_vectors=np.load(answers) if answers.exists() else None,
            vectors=VectorIndex.load(folder / "vectors.faiss"),
            question_keywords=KeywordIndex.load(folder / "question_keywords"),
            answer_keywords=KeywordIndex.load(folder / "answer_keywords"),
            identifiers=json.loads((folder / "identifiers.json").read_text(encoding="utf-8")),
        )


def expected_manifest(
    entries: list[Entry], settings: KnowledgeSettings, analyzer: TextAnalyzer
) -> Manifest:
    """The manifest an up-to-date index of `entries` would have (build facts left empty)."""
    phrasings = sum(len(entry.phrasings) for entry in entries)
    return Manifest(
        format=INDEX_FORMAT,
        model=settings.knowledge_model,
        model_hash=model_hash(settings.model_path()),
        dimension=0,
        content_hash=content_hash(entries, analyzer.fingerprint()),
        entries=len(entries),
        phrasings=phrasings,
        answer_vectors=settings.knowledge_embed_answers,
        vector_index="hnsw" if phrasings >= settings.knowledge_hnsw_min_vectors else "flat",
        built_at="",
        build_seconds=0.0,
        weights=settings.encoder_weights,
    )


def build_index(
    entries: list[Entry],
    settings: KnowledgeSettings,
    folder: Path,
    analyzer: TextAnalyzer,
    previous: Path | None = None,
) -> Manifest:
    """Embed and index `entries` into `folder`, replacing whatever was there.

    The exported encoder and the vectors of unchanged texts are taken from the index in
    `previous` (default: `folder`) when it was built with the same model.
    """
    previous = previous or folder
    started = time.perf_counter()
    expected = expected_manifest(entries, settings, analyzer)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        _reuse_encoder(previous, staging, expected)
        known = _known_vectors(previous, expected, analyzer)
        dimension = _write_index(entries, settings, staging, analyzer, known)
        manifest = Manifest(
            **{
                **expected.__dict__,
                "dimension": dimension,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - started, 1),
            }
        )
        manifest.save(staging)
        _swap(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _write_index(
    entries: list[Entry],
    settings: KnowledgeSettings,
    folder: Path,
    analyzer: TextAnalyzer,
    known: dict[str, npt.NDArray[np.float32]],
) -> int:
    encoder = _build_encoder(settings, folder)
    phrasings = [analyzer.normalize(p) for entry in entries for p in entry.phrasings]
    answers = [analyzer.normalize(entry.answer) for entry in entries]
    starts = np.cumsum([0] + [len(entry.phrasings) for entry in entries], dtype=np.int64)
    vectors = _encode_unique(encoder, phrasings, 64, known)
    np.save(folder / "starts.npy", starts)
    np.save(folder / "phrasing_vectors.npy", vectors)
    np.save(folder / "centroids.npy", centroids(vectors, starts))
    if settings.knowledge_embed_answers:
        np.save(folder / "answer_vectors.npy", _encode_unique(encoder, answers, 16, known))
    VectorIndex.build(vectors, settings.knowledge_hnsw_min_vectors).save(folder / "vectors.faiss")
    _keywords(analyzer, phrasings).save(_folder(folder / "question_keywords"))
    _keywords(analyzer, answers).save(_folder(folder / "answer_keywords"))
    _write_json(folder / "identifiers.json", identifier_table(entries, analyzer))
    _write_json(folder / "entries.json", [_record(entry) for entry in entries])
    return int(vectors.shape[1])


def _reuse_encoder(previous: Path, staging: Path, expected: Manifest) -> None:
    # The exported encoder depends on the model and its weights only: when they are the
    # same, a rebuild after an edit of the entries needs neither torch nor an export.
    manifest = Manifest.load(previous)
    exported = previous / ONNX_FILE
    if manifest and manifest.same_encoder(expected) and exported.is_file():
        shutil.copyfile(exported, staging / ONNX_FILE)


def _build_encoder(settings: KnowledgeSettings, folder: Path) -> Encoder:
    model_path = settings.model_path()
    threads = settings.knowledge_threads
    if settings.knowledge_backend == "onnx" and (folder / ONNX_FILE).is_file():
        return OnnxEncoder(folder / ONNX_FILE, model_path, threads)
    torch_encoder = TorchEncoder(model_path, threads)
    if settings.knowledge_backend == "torch":
        return torch_encoder
    int8 = settings.encoder_weights == "int8"
    exported = folder / (FLOAT_ONNX_FILE if int8 else ONNX_FILE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's tracer warnings are about other models
        torch_encoder.export_onnx(exported)
    if int8:
        quantize(exported, folder / ONNX_FILE)
        exported.unlink()
    return OnnxEncoder(folder / ONNX_FILE, model_path, threads)


def _known_vectors(
    previous: Path, expected: Manifest, analyzer: TextAnalyzer
) -> dict[str, npt.NDArray[np.float32]]:
    """The vectors of the texts the index in `previous` already embedded with the same model,
    so that a rebuild after an edit embeds only what changed."""
    manifest = Manifest.load(previous)
    if manifest is None or not manifest.same_encoder(expected):
        return {}
    try:
        index = KnowledgeIndex.load(previous)
    except (OSError, ValueError, KeyError):
        return {}
    texts = [analyzer.normalize(p) for entry in index.entries for p in entry.phrasings]
    known = dict(zip(texts, index.phrasing_vectors, strict=False))
    if index.answer_vectors is not None:
        answers = [analyzer.normalize(entry.answer) for entry in index.entries]
        known.update(zip(answers, index.answer_vectors, strict=False))
    return known


def _encode_unique(
    encoder: Encoder,
    texts: list[str],
    batch_size: int,
    known: dict[str, npt.NDArray[np.float32]] | None = None,
) -> Vectors:
    # Large FAQs repeat phrasings across entries; each distinct text is embedded once,
    # and not at all when an earlier build of the same model already did.
    known = known or {}
    unique, positions = np.unique(np.array(texts, dtype=object), return_inverse=True)
    new = [str(text) for text in unique if str(text) not in known]
    if new:
        known = {**known, **dict(zip(new, encoder.encode(new, batch_size), strict=True))}
    return np.stack([known[str(text)] for text in unique])[positions]


def centroids(vectors: Vectors, starts: npt.NDArray[np.int64]) -> Vectors:
    """The unit-length mean of each entry's phrasing vectors."""
    sums = np.add.reduceat(vectors, starts[:-1], axis=0)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.ascontiguousarray(sums / np.maximum(norms, 1e-12), dtype=np.float32)


def identifier_table(entries: Sequence[Entry], analyzer: TextAnalyzer) -> dict[str, list[int]]:
    """Identifiers that single out entries (and every entry id) → the entries holding them.

    One a question names points at its entries; one found only in answers does
    so unless several answers mention it (a hotline number, say), which makes it
    no key to any single entry.
    """
    in_questions: dict[str, list[int]] = {}
    in_answers: dict[str, list[int]] = {}
    for number, entry in enumerate(entries):
        for text, table in ((" ".join(entry.phrasings), in_questions), (entry.answer, in_answers)):
            for value in sorted({i.value for i in find_identifiers(analyzer.normalize(text))}):
                table.setdefault(value, []).append(number)
    table = {v: n for v, n in in_answers.items() if len(n) <= MAX_ENTRIES_PER_IDENTIFIER}
    table.update(in_questions)
    table.update({entry.id.upper(): [number] for number, entry in enumerate(entries)})
    return table


def _keywords(analyzer: TextAnalyzer, texts: list[str]) -> KeywordIndex:
    return KeywordIndex.build([analyzer.keywords(text) for text in texts])


def _swap(staging: Path, folder: Path) -> None:
    retired = folder.parent / f".{folder.name}.retired-{os.getpid()}"
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _record(entry: Entry) -> dict[str, object]:
    return {**entry.canonical(), "origin": entry.origin}
