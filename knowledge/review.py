"""What the editors should look at: unanswered, low-confidence and thumbs-down questions,
grouped by meaning so that fifty ways of asking one thing are one line with a count.

Questions are grouped greedily, newest first: a question joins the first group
whose first question is at least `SIMILAR` (cosine of the m3e vectors) close,
or starts a group of its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from knowledge.encoder import Encoder
from knowledge.feedback import Feedback
from knowledge.unanswered import Asked

SIMILAR = 0.85
MAX_SHOWN = 10


@dataclass(frozen=True)
class Item:
    """One question to review: why (unanswered, low_confidence, thumbs_down), the entry
    it got or came closest to, and where it was asked."""

    question: str
    kind: str
    entry_id: str | None
    conversation_id: str | None
    at: datetime | None = None


@dataclass
class Group:
    """Questions that mean the same thing, most recent first."""

    items: list[Item] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """{question, count, kinds, entry_ids, questions, conversation_ids, last_at}."""
        first = self.items[0]
        return {
            "question": first.question,
            "count": len(self.items),
            "kinds": dict(Counter(item.kind for item in self.items)),
            "entry_ids": sorted({i.entry_id for i in self.items if i.entry_id}),
            "questions": list(dict.fromkeys(i.question for i in self.items))[:MAX_SHOWN],
            "conversation_ids": list(
                dict.fromkeys(i.conversation_id for i in self.items if i.conversation_id)
            )[:MAX_SHOWN],
            "last_at": first.at.isoformat() if first.at else None,
        }


def items_of(asked: list[Asked], ratings: list[Feedback]) -> list[Item]:
    """The logged questions and the thumbs-down ratings as review items."""
    items = [
        Item(
            a.question,
            "low_confidence" if a.answered else "unanswered",
            a.closest_id,
            a.conversation_id,
            a.asked_at,
        )
        for a in asked
    ]
    items += [
        Item(r.question, "thumbs_down", r.entry_id, r.conversation_id, r.given_at)
        for r in ratings
        if not r.helpful
    ]
    return sorted(items, key=lambda item: item.at.timestamp() if item.at else 0, reverse=True)


def group(items: list[Item], encoder: Encoder) -> list[Group]:
    """The items grouped by meaning, the largest group first."""
    if not items:
        return []
    vectors = encoder.encode([item.question for item in items], 32)
    groups: list[Group] = []
    heads: list[np.ndarray] = []
    for item, vector in zip(items, vectors, strict=True):
        similarity = np.array([head @ vector for head in heads])
        best = int(similarity.argmax()) if len(heads) else -1
        if best >= 0 and similarity[best] >= SIMILAR:
            groups[best].items.append(item)
        else:
            groups.append(Group([item]))
            heads.append(vector)
    return sorted(groups, key=lambda g: -len(g.items))
