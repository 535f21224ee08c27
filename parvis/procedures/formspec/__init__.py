"""A procedure's frozen form (the JSON of a :class:`ProcedureVersion`): rendering as
Django forms, server-side validation, conditions, and a readable summary.

Contract:

* ``freeze(procedure) -> dict`` builds the schema from the procedure's blocks; raises
  :class:`DefinitionInvalid` (duplicate keys, conditions naming unknown or later fields,
  empty choice lists, invalid patterns…) listing every problem in French.
* ``FormSpec(schema)`` gives ``pages`` and ``fields`` (top-level, by key) and ``order``.
* ``page_form(spec, index, data=None, files=None, initial=None, *, known_values=None,
  attachments=None)`` returns a Django form for one page; a field hidden by its condition
  is never required and its value is dropped. ``form.values`` holds the page's cleaned
  values once valid.
* ``validate_submission(spec, data, files) -> dict`` validates everything on the server
  against the version; unknown keys, hidden fields with a value and invalid values raise
  :class:`SubmissionInvalid` whose ``errors`` map input paths to French messages.
  ``files`` maps file-field keys to attachments (``files_by_key(attachments)``).
* ``summary(spec, data) -> list[tuple[str, str]]`` (label, display value) for the
  receipt, the PDF and the agent's view; ``summary_pages`` splits it by page.
* ``requester_name(spec, data)`` and ``contact_phone(spec, data)`` pick the requester's
  name (first identity block) and phone (first phone field) from the values.

Value shapes are documented in :mod:`parvis.procedures.formspec.values`.
"""

from .forms import ProcedurePageForm, page_form
from .schema import FormSpec, build_schema, check_schema, freeze, value_matches
from .validation import (
    contact_phone,
    display_value,
    files_by_key,
    requester_name,
    summary,
    summary_pages,
    validate_submission,
)

__all__ = [
    "FormSpec",
    "ProcedurePageForm",
    "build_schema",
    "check_schema",
    "contact_phone",
    "display_value",
    "files_by_key",
    "freeze",
    "page_form",
    "requester_name",
    "summary",
    "summary_pages",
    "validate_submission",
    "value_matches",
]
