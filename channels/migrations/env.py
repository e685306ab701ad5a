"""Alembic environment: runs on the connection handed over by channels.migrations.upgrade."""

from alembic import context

# The handoff's and the WeChat channels' tables join the conversation store's metadata.
import channels.handoff.tables
import channels.wechat.tables  # noqa: F401
from channels.conversations.tables import metadata
from channels.migrations import VERSION_TABLE

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
