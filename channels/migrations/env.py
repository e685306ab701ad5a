"""Alembic environment: runs on the connection handed over by channels.migrations.upgrade."""

from alembic import context

from channels import handoff_tables  # noqa: F401  (its tables join the metadata)
from channels.conversation_tables import metadata
from channels.migrations import VERSION_TABLE

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
