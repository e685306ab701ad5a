"""Persistence of the invoicing core: database engines, tables and migrations."""

from invoicing_core.persistence.database import begin_write, make_engine, statement_time
from invoicing_core.persistence.migrations import upgrade as upgrade_schema

__all__ = ["begin_write", "make_engine", "statement_time", "upgrade_schema"]
