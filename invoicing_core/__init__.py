"""Invoicing core: the invoice domain, its persistence, services and HTTP router."""
