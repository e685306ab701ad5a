"""Settings of the invoicing core, read from the environment once at start-up."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class CoreSettings(BaseSettings):
    """Where the core keeps its data and how long a login lasts."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    var_dir: Path = Path("var")
    # Empty means SQLite in WAL mode under var_dir; PostgreSQL e.g.
    # postgresql+psycopg://user@127.0.0.1:5432/kaipiao
    database_url: str = ""
    token_ttl_hours: int = 12

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to SQLite under var_dir."""
        return self.database_url or f"sqlite:///{self.var_dir.resolve() / 'app.db'}"
