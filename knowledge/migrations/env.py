"""Alembic environment: runs on the connection handed over by knowledge.migrations.upgrade."""

from alembic import context

from knowledge.migrations import VERSION_TABLE
from knowledge.tables import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
