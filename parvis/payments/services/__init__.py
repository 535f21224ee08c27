"""Writes of the payments app (services/selectors convention): one transaction each, side
effects on commit, audit log with the acting user."""

from .invoices import (  # noqa: F401
    ImportIssue,
    ImportReport,
    invoice_cancel,
    invoice_create,
    invoice_import_csv,
    invoice_pay,
    invoice_settle_offline,
    invoice_update,
    invoices_send_reminders,
)
from .payments import (  # noqa: F401
    payment_check_status,
    payment_close,
    payment_create,
    payment_expire,
    payment_handle_notification,
    payment_mark_paid,
    payment_record_offline,
    payment_refund,
    payment_start,
    payment_start_url,
    payments_check_pending,
)
from .receipts import receipt_issue  # noqa: F401
