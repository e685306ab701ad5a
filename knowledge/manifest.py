"""The index's manifest: what it was built from, so a stale index is rebuilt."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge.entry import Entry

# Bump when the files of an index or their meaning change.
INDEX_FORMAT = 3
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    """Model, dimension and content hash of a built index, plus what it holds."""

    format: int
    model: str
    model_hash: str
    dimension: int
    content_hash: str
    entries: int
    phrasings: int
    answer_vectors: bool
    vector_index: str
    built_at: str
    build_seconds: float
    # The weights the vectors were computed with: "int8" (the quantized ONNX encoder)
    # or "float" (ONNX or torch, which give the same vectors). Indexes written before
    # this field had float ones.
    weights: str = "float"

    def same_encoder(self, other: Manifest) -> bool:
        """Whether the two indexes' vectors come from the same model with the same weights,
        so one's encoder and vectors serve the other."""
        return self.model_hash == other.model_hash and self.weights == other.weights

    def matches(self, other: Manifest) -> bool:
        """Whether an index built as `other` describes would be the same as this one."""
        return (
            self.format == other.format
            and self.same_encoder(other)
            and self.content_hash == other.content_hash
            and self.answer_vectors == other.answer_vectors
            and self.vector_index == other.vector_index
        )

    def save(self, folder: Path) -> None:
        """Write the manifest into the index folder."""
        text = json.dumps(asdict(self), ensure_ascii=False, indent=2)
        (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        """The manifest of the index in `folder`, or None when there is no usable one."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None


def content_hash(entries: list[Entry], lexicon: str) -> str:
    """SHA-256 of the entries' content (not where they were read) and of the lexicon."""
    digest = hashlib.sha256(f"format {INDEX_FORMAT}\n".encode())
    for entry in entries:
        digest.update(json.dumps(entry.canonical(), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    digest.update(lexicon.encode())
    return digest.hexdigest()


def model_hash(model_path: Path) -> str:
    """SHA-256 of the model folder's files (weights, config, tokenizer)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model_path.rglob("*") if p.is_file() and _is_model_file(p)):
        digest.update(path.relative_to(model_path).as_posix().encode() + b"\0")
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _is_model_file(path: Path) -> bool:
    return path.suffix in {".json", ".bin", ".safetensors", ".txt", ".model"}
