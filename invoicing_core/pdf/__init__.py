"""The printable invoice: a PDF laid out like the tax bureau's digital invoice."""

from invoicing_core.pdf.qr_payload import invoice_qr_payload
from invoicing_core.pdf.render import render_invoice_pdf

__all__ = ["invoice_qr_payload", "render_invoice_pdf"]
