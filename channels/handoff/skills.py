"""Which topics each agent handles, as a supervisor set them (synchronous; call off the loop)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, delete, insert, select

from channels.handoff.tables import agent_skills


class AgentSkills:
    """Agents' skills: topic codes of channels/handoff/topics.py."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def of_all(self) -> dict[str, frozenset[str]]:
        """Every agent with a skill, and their skills."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(agent_skills)).all()
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row.username, set()).add(row.topic)
        return {username: frozenset(topics) for username, topics in found.items()}

    def set(self, username: str, topics: Iterable[str]) -> frozenset[str]:
        """Replace the agent's skills (codes of channels/handoff/topics.py, checked by the API)."""
        chosen = frozenset(topics)
        with self._engine.begin() as connection:
            connection.execute(delete(agent_skills).where(agent_skills.c.username == username))
            if chosen:
                rows = [{"username": username, "topic": topic} for topic in sorted(chosen)]
                connection.execute(insert(agent_skills), rows)
        return chosen
