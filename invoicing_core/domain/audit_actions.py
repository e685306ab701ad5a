"""The names of audited actions, as stored in the audit log's `action` column."""

# Written by the invoice service (services/invoices.py spells them out itself).
INVOICE_ISSUE = "invoice.issue"
INVOICE_VOID = "invoice.void"
INVOICE_RED_LETTER = "invoice.red_letter"
# Written by the use-confirmation service: the buyer's 用途确认 (in the buyer's company's log).
INVOICE_USE_CONFIRM = "invoice.use_confirm"
# Written by the red-letter form service; the suffix is the move (enter, confirm, deny, withdraw).
RED_LETTER_FORM = "red_letter_form."

# Written by the approval service: the company's rules, and each step of a request
# (the suffix: request, approve, reject, cancel, lapse).
APPROVAL_RULES = "approval.rules"
APPROVAL = "approval."

# Written by the received-invoice ledger (收票台账): recording, and each change of state.
RECEIVED_INVOICE_RECORD = "received_invoice.record"
RECEIVED_INVOICE_STATE = "received_invoice.state"

# Written by the paper stock service.
PAPER_STOCK_RECEIVED = "paper_stock.receive"

# Written by the account services (password resets are RESET_*).
LOGIN = "account.login"
LOGIN_FAILED = "account.login_failed"
LOCKED = "account.locked"
UNLOCK = "account.unlock"
CREATE_USER = "account.create_user"
CHANGE_ROLE = "account.change_role"
RESET_REQUESTED = "account.password_reset_requested"
RESET_CODE_WRONG = "account.password_reset_failed"
RESET_DONE = "account.password_reset"

# The actor of changes made by operators' commands and the demo seed, not by a user.
SYSTEM_ACTOR = "system"
