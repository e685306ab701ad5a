"""Use cases of the invoicing core, each in one transaction."""
