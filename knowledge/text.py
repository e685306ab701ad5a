"""Text as search sees it: normalised spelling and jieba words with a domain dictionary."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cached_property
from pathlib import Path

import jieba
import opencc
import yaml

LEXICON = Path(__file__).resolve().parent / "lexicon"
# High enough that jieba keeps a domain word whole rather than cutting it.
DOMAIN_WORD_FREQUENCY = 2000
# Words are runs of CJK characters, letters or digits; the rest separates them.
_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]", re.IGNORECASE)


class TextAnalyzer:
    """Normalises text and cuts it into keyword tokens; built once, used by every search."""

    def __init__(self, lexicon: Path = LEXICON) -> None:
        self._lexicon = lexicon

    @cached_property
    def _synonyms(self) -> list[tuple[str, str]]:
        table = yaml.safe_load((self._lexicon / "synonyms.yaml").read_text(encoding="utf-8"))
        # Longest variant first, so 全电发票 is replaced before 全电.
        return sorted(((str(k), str(v)) for k, v in table.items()), key=lambda p: -len(p[0]))

    @cached_property
    def _stopwords(self) -> frozenset[str]:
        words = yaml.safe_load((self._lexicon / "stopwords.yaml").read_text(encoding="utf-8"))
        return frozenset(str(word) for word in words)

    @cached_property
    def _jieba(self) -> jieba.Tokenizer:
        jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not ours to print
        tokenizer = jieba.Tokenizer()
        words = yaml.safe_load((self._lexicon / "domain_words.yaml").read_text(encoding="utf-8"))
        for word, tag in words.items():
            tokenizer.add_word(str(word), DOMAIN_WORD_FREQUENCY, str(tag))
        return tokenizer

    @cached_property
    def _subjects(self) -> tuple[re.Pattern[str], dict[str, str], frozenset[str]]:
        """One pattern of every subject word, the subject of each word, the out-of-scope ones."""
        table = yaml.safe_load((self._lexicon / "subjects.yaml").read_text(encoding="utf-8"))
        groups = {**table["subjects"], **table["out_of_scope"]}
        subject_of = {self.normalize(str(w)): str(name) for name, ws in groups.items() for w in ws}
        words = sorted(subject_of, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(word) for word in words))
        return pattern, subject_of, frozenset(str(name) for name in table["out_of_scope"])

    def subjects(self, text: str) -> frozenset[str]:
        """The specific subjects (subjects.yaml) that already normalised text names."""
        pattern, subject_of, _ = self._subjects
        return frozenset(subject_of[match.group(0)] for match in pattern.finditer(text))

    def out_of_scope(self, subjects: frozenset[str]) -> frozenset[str]:
        """Those of `subjects` that are tax matters outside invoicing."""
        return subjects & self._subjects[2]

    def warm_up(self) -> None:
        """Load the dictionaries now rather than on the first search."""
        self.tokens("开票")
        self.subjects("开票")

    @cached_property
    def _simplified(self) -> opencc.OpenCC:
        return opencc.OpenCC("t2s")

    def normalize(self, text: str) -> str:
        """Half-width, lower-case, simplified-character text with domain variants in their
        canonical spelling (報銷 and 报销 are one word)."""
        text = self._simplified.convert(unicodedata.normalize("NFKC", text).lower())
        for variant, canonical in self._synonyms:
            if variant in text:
                text = text.replace(variant, canonical)
        return " ".join(text.split())

    def tokens(self, text: str) -> list[str]:
        """Keyword tokens of already normalised text: words and their parts, no stopwords."""
        return [
            token
            for token in self._jieba.cut_for_search(text)
            if _WORD.search(token) and token not in self._stopwords
        ]

    def keywords(self, text: str) -> list[str]:
        """What keyword search indexes: jieba words plus character bigrams and characters.

        The words carry the domain dictionary; the bigrams still match when a
        typo or an abbreviation splits a word differently (e.g. 开票/开漂额度).
        """
        return self.tokens(text) + _characters(text)

    def fingerprint(self) -> str:
        """The lexicon's content, so an index built with another lexicon is rebuilt."""
        parts = sorted(
            p.name + "\0" + p.read_text(encoding="utf-8") for p in self._lexicon.iterdir()
        )
        return "\n".join(parts)


def _characters(text: str) -> list[str]:
    characters = "".join(_WORD.findall(text))
    return [characters[i : i + 2] for i in range(len(characters) - 1)] + list(characters)
