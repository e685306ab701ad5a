"""Tables of the invoicing core (migrated by invoicing_core/persistence/migrations)."""

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
)

from invoicing_core.persistence.types import UtcDateTime

metadata = MetaData()

companies = Table(
    "companies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("tax_id", String(20), nullable=False, unique=True),
    Column("address", String(200), nullable=False, default=""),
    Column("phone", String(40), nullable=False, default=""),
    Column("bank", String(100), nullable=False, default=""),
    Column("account", String(40), nullable=False, default=""),
    Column("monthly_quota", Numeric(18, 2), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    # Agents serve every company, so they belong to none.
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=True),
    Column("display_name", String(64), nullable=False),
    Column("phone", String(40), nullable=False, default=""),
    Column("email", String(120), nullable=False, default=""),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    # Only a hash of the token is stored, so a leaked table grants nothing.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
)
