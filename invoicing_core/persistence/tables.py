"""Tables of the invoicing core (migrated by invoicing_core/persistence/migrations)."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
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
    # 单张最高开票限额 of paper special invoices.
    Column("paper_special_limit", Numeric(18, 2), nullable=False, default=100000),
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
    # The account's wrong passwords from every address since failed_logins_since, and
    # its lock-out for everyone (domain/account.py LoginState; per address: login_failures).
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("failed_logins_since", UtcDateTime(), nullable=True),
)

# A client address as kept for lock-outs and password resets (IPv6 needs at most 45).
CLIENT_ADDRESS_LENGTH = 64

# Wrong passwords for a user from one client address, and that address's lock-out.
login_failures = Table(
    "login_failures",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("address", String(CLIENT_ADDRESS_LENGTH), nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("lockouts", Integer, nullable=False),
    Column("locked_until", UtcDateTime(), nullable=True),
    PrimaryKeyConstraint("user_id", "address"),
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

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    # The invoice's identifier: the digital number, or paper code + number.
    Column("number", String(20), nullable=False, unique=True),
    Column("code", String(12), nullable=True),
    Column("kind", String(20), nullable=False),
    # Derived from voiding and red-letter invoices, kept here for searching.
    Column("status", String(24), nullable=False),
    Column("buyer_name", String(100), nullable=False),
    Column("buyer_tax_id", String(20), nullable=True),
    Column("buyer", JSON, nullable=False),
    Column("seller", JSON, nullable=False),
    Column("total_amount", Numeric(18, 2), nullable=False),
    Column("total_tax", Numeric(18, 2), nullable=False),
    Column("total_with_tax", Numeric(18, 2), nullable=False),
    Column("remark", String(230), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("red_of", String(20), nullable=True, index=True),
    Column("red_reason", String(2), nullable=True),
    Column("reported", Boolean, nullable=False, default=False),
    Column("certified", Boolean, nullable=False, default=False),
    Column("void_reason", Text, nullable=True),
    Column("voided_by", String(64), nullable=True),
    Column("voided_at", UtcDateTime(), nullable=True),
    Index("ix_invoices_company_issued_at", "company_id", "issued_at"),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("invoice_id", Integer, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("tax_code", String(19), nullable=True),
    Column("spec", String(40), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("quantity", Numeric(28, 8), nullable=True),
    Column("unit_price", Numeric(28, 8), nullable=True),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("tax_rate", String(8), nullable=False),
    Column("tax", Numeric(18, 2), nullable=False),
    Column("blue_line_no", Integer, nullable=True),
    PrimaryKeyConstraint("invoice_id", "line_no"),
)

# The last sequence number used per digital number prefix (year, province, channel).
invoice_sequences = Table(
    "invoice_sequences",
    metadata,
    Column("prefix", String(5), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

# Paper invoices received from the tax bureau (库存): one row per roll of numbers.
paper_stock = Table(
    "paper_stock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("code", String(12), nullable=False),
    Column("first_number", Integer, nullable=False),
    Column("next_number", Integer, nullable=False),
    Column("last_number", Integer, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("key", String(128), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("invoice_number", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("company_id", "key"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("company_id", Integer, nullable=True, index=True),
    Column("action", String(32), nullable=False),
    Column("target", String(64), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    # Each entry's hash covers its content and the previous entry's hash.
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row: the newest audit entry; updating it serialises writers so the chain never forks.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# One-time password reset codes; only the newest code of a user counts, older ones lapse.
password_reset_codes = Table(
    "password_reset_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # An Argon2 hash: a leaked table does not give away the codes cheaply.
    Column("code_hash", String(255), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("failed_tries", Integer, nullable=False, default=0),
    Column("used_at", UtcDateTime(), nullable=True),
    # Who asked for the code; codes sent before this was kept have none.
    Column("address", String(CLIENT_ADDRESS_LENGTH), nullable=True),
    Index("ix_password_reset_codes_user_created", "user_id", "created_at"),
    Index("ix_password_reset_codes_address_created", "address", "created_at"),
)

# Red-letter confirmation forms (红字确认单), one per red-letter request, open or settled.
red_letter_forms = Table(
    "red_letter_forms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("blue_number", String(20), nullable=False, index=True),
    Column("seller_company_id", Integer, ForeignKey("companies.id"), nullable=False),
    # The buyer as printed on the blue invoice; a registered company answers through it.
    Column("buyer_tax_id", String(20), nullable=True, index=True),
    Column("initiator", String(8), nullable=False),
    Column("reason", String(2), nullable=False),
    # [{"line_no", "amount"}]; empty: everything that remains of the blue invoice.
    Column("parts", JSON, nullable=False),
    Column("state", String(2), nullable=False),
    Column("entered_at", UtcDateTime(), nullable=False),
    Column("entered_by", String(64), nullable=False),
    Column("answered_at", UtcDateTime(), nullable=True),
    Column("answered_by", String(64), nullable=True),
    Column("red_number", String(20), nullable=True),
)

# How much of each month's quota a company has used: kept with every issue and void, so
# checking the quota does not sum the month's invoices. Months are China time, "YYYY-MM".
quota_usage = Table(
    "quota_usage",
    metadata,
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("month", String(7), nullable=False),
    Column("used", Numeric(18, 2), nullable=False),
    PrimaryKeyConstraint("company_id", "month"),
)

# The received-invoice ledger (收票台账): invoices a company received, with the original file.
received_invoices = Table(
    "received_invoices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    # Empty for digital invoices, which have no code: NULLs would not be unique.
    Column("code", String(12), nullable=False),
    Column("number", String(20), nullable=False),
    Column("invoice_date", Date, nullable=False),
    Column("seller_name", String(300), nullable=False),
    Column("seller_tax_id", String(20), nullable=False),
    Column("buyer_name", String(300), nullable=True),
    Column("buyer_tax_id", String(20), nullable=True),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("tax", Numeric(18, 2), nullable=False),
    Column("total_with_tax", Numeric(18, 2), nullable=False),
    # Every field as read and corrected (domain/ledger_fields.py LedgerField), and the
    # rest of what recognition returned: format, lines, checks, QR payload.
    Column("fields", JSON, nullable=False),
    Column("recognition", JSON, nullable=False),
    Column("state", String(12), nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_by_name", String(64), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("file_content", LargeBinary, nullable=False),
    # The duplicate-reimbursement check, also against two clerks recording at once.
    UniqueConstraint("company_id", "kind", "code", "number", name="uq_received_invoices_invoice"),
    Index("ix_received_invoices_company_date", "company_id", "invoice_date"),
)

# Every change of a received invoice's state, recording it included (from_state NULL).
received_invoice_transitions = Table(
    "received_invoice_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "received_invoice_id",
        Integer,
        ForeignKey("received_invoices.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("from_state", String(12), nullable=True),
    Column("to_state", String(12), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("by", String(64), nullable=False),
    Column("by_name", String(64), nullable=False),
    Column("note", String(200), nullable=False),
)

# Recognitions awaiting recording: the upload and what was read, kept for a short time
# (services/recognitions.py PENDING_FOR) so that recording needs no second upload.
pending_recognitions = Table(
    "pending_recognitions",
    metadata,
    # A random token: the id the client records with.
    Column("id", String(32), primary_key=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("username", String(64), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    Column("file_name", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("file_content", LargeBinary, nullable=False),
    Column("result", JSON, nullable=False),
)

# Each company's approval rules (domain/approval.py ApprovalRules.to_json), one row.
approval_rules = Table(
    "approval_rules",
    metadata,
    Column("company_id", Integer, ForeignKey("companies.id"), primary_key=True),
    Column("rules", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

# Requests held back for approval; `content` is what was asked, frozen when asked.
approval_requests = Table(
    "approval_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", Integer, ForeignKey("companies.id"), nullable=False),
    Column("action", String(12), nullable=False),
    Column("state", String(12), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("deadline", UtcDateTime(), nullable=False),
    # [{"approvers": [...]}], copied from the rules when asked.
    Column("levels", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("content", JSON, nullable=False),
    # The quota a waiting issue request holds, in the China-time month it was asked in.
    Column("quota_hold", Numeric(18, 2), nullable=False),
    Column("hold_month", String(7), nullable=False),
    # [{"level", "by", "at", "approved", "reason"}]
    Column("decisions", JSON, nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
    # The invoice issued, voided or red-lettered on approval.
    Column("result", String(20), nullable=True),
    Column("idempotency_key", String(128), nullable=True),
    Index("ix_approval_requests_company_state", "company_id", "state"),
    UniqueConstraint("company_id", "idempotency_key", name="uq_approval_requests_key"),
)

# The buyer's 用途确认 of an invoice issued to it in this system, once per invoice.
use_confirmations = Table(
    "use_confirmations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The invoice's identifier (invoices.number): one confirmation per invoice.
    Column("invoice_number", String(20), ForeignKey("invoices.number"), nullable=False),
    Column("buyer_company_id", Integer, ForeignKey("companies.id"), nullable=False),
    # domain/use_confirmation.py InvoiceUse: deduct or no_deduct.
    Column("use", String(10), nullable=False),
    Column("confirmed_at", UtcDateTime(), nullable=False),
    Column("confirmed_by", String(64), nullable=False),
    UniqueConstraint("invoice_number", name="uq_use_confirmations_invoice"),
)
