"""The email support channel: a mailbox read over IMAP and answered over SMTP."""
