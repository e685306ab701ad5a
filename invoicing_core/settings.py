"""Settings of the invoicing core, read from the environment once at start-up."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CoreSettings(BaseSettings):
    """Where the core keeps its data and how long a login lasts."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    var_dir: Path = Path("var")
    # Empty means SQLite in WAL mode under var_dir; PostgreSQL e.g.
    # postgresql+psycopg://user@127.0.0.1:5432/kaipiao
    database_url: str = ""
    token_ttl_hours: int = 12
    # The largest file that may be uploaded (a batch template; the app applies it to
    # every upload, the knowledge import too).
    max_upload_bytes: int = Field(default=10 * 2**20, ge=1024)
    # Invoice recognitions one worker runs at once (each takes a CPU core for a second or
    # two); more at the same time are refused with 503 and Retry-After.
    recognition_concurrency: int = Field(default=2, ge=1, le=32)

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to SQLite under var_dir."""
        return self.database_url or f"sqlite:///{self.var_dir.resolve() / 'app.db'}"
