"""Writes of procedures: definitions (publish, drafts) and requests (submit, workflow,
messages, documents, assignment, retention). One transaction each; e-mails and SMS on
commit; every agent action in the audit log."""
