"""Persistence of the invoicing core: database engines, tables and migrations."""

from invoicing_core.persistence.database import make_engine

__all__ = ["make_engine"]
