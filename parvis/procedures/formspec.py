"""A procedure's frozen form (the JSON of a :class:`ProcedureVersion`): rendering as
Django forms, server-side validation, conditions, and a readable summary.

Contract (bodies are being written):

* ``freeze(procedure) -> dict`` builds the schema from the procedure's blocks; raises
  :class:`DefinitionInvalid` (duplicate keys, conditions naming unknown fields…).
* ``FormSpec(schema)`` gives ``pages`` and ``fields`` (flattened, by key).
* ``page_form(spec, index, data=None, files=None, initial=None)`` returns a Django form
  for one page; a field hidden by its condition is never required.
* ``validate_submission(spec, data, files) -> dict`` validates everything on the server
  against the version; unknown keys and invalid values raise
  :class:`SubmissionInvalid` with per-field messages.
* ``summary(spec, data) -> list[tuple[str, str]]`` (label, display value) for the
  receipt, the PDF and the agent's view.
"""
