"""Which agents are online: a heartbeat row per agent in the database, shared by all workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from channels.handoff.tables import agents_online


@dataclass(frozen=True)
class Agent:
    """An agent as the console and the user see them."""

    username: str
    display_name: str
    # Sets the agents' skills (channels/handoff/skills.py).
    supervisor: bool = False


class AgentPresence:
    """Agents whose console sent a heartbeat within `online_for` (synchronous)."""

    def __init__(self, engine: Engine, online_for: timedelta) -> None:
        self._engine = engine
        self.online_for = online_for

    def seen(self, agent: Agent) -> None:
        """The agent's console is open now."""
        values = {"display_name": agent.display_name, "last_seen": datetime.now(UTC)}
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(agents_online)
                .where(agents_online.c.username == agent.username)
                .values(**values)
            ).rowcount
        if changed:
            return
        try:
            with self._engine.begin() as connection:
                connection.execute(agents_online.insert().values(username=agent.username, **values))
        except IntegrityError:
            self.seen(agent)  # another worker inserted the row first

    def gone(self, username: str) -> None:
        """The agent's last console closed."""
        with self._engine.begin() as connection:
            connection.execute(
                update(agents_online)
                .where(agents_online.c.username == username)
                .values(last_seen=None)
            )

    def online(self) -> list[Agent]:
        """Agents online now, by user name."""
        since = datetime.now(UTC) - self.online_for
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(agents_online)
                .where(agents_online.c.last_seen >= since)
                .order_by(agents_online.c.username)
            ).all()
        return [Agent(row.username, row.display_name) for row in rows]

    def known(self) -> list[Agent]:
        """Every agent who has opened the console, online or not, by user name."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(agents_online).order_by(agents_online.c.username))
            return [Agent(row.username, row.display_name) for row in rows]

    def find(self, username: str) -> Agent | None:
        """The online agent with this user name, if any."""
        return next((agent for agent in self.online() if agent.username == username), None)
