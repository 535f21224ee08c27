"""Server-side validation of a whole submission against a version's schema, and the
readable summary of submitted values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..exceptions import SubmissionInvalid
from .schema import FormSpec
from .values import (
    Errors,
    address_parts,
    clean_address,
    clean_files,
    clean_group,
    clean_identity,
    clean_simple,
    display_phone,
    hidden_message,
    identity_parts,
    is_empty,
)


def files_by_key(attachments: Iterable) -> dict[str, list]:
    """Group attachments (anything with ``field_key``) by the file field they answer."""
    grouped: dict[str, list] = {}
    for attachment in attachments or []:
        grouped.setdefault(attachment.field_key, []).append(attachment)
    return grouped


def _raw_is_empty(field, raw) -> bool:
    if isinstance(raw, dict):
        return all(is_empty(value) for value in raw.values())
    if isinstance(raw, list) and field["type"] == "group":
        return not raw
    return is_empty(raw)


def clean_fields(
    spec: FormSpec,
    fields: list[dict],
    data: dict,
    files: dict[str, list],
    *,
    known_values: dict | None = None,
    errors: Errors,
    hidden: str = "refuse",
) -> dict:
    """Clean ``fields`` (in order) from ``data``/``files``; ``known_values`` are the values
    of fields elsewhere in the form (their conditions). Hidden fields are left out; a
    value given for one is an error (``hidden="refuse"``) or dropped (``"drop"``)."""
    values = dict(known_values or {})
    visible = spec.visibility(values)
    out: dict = {}
    for field in fields:
        key = field["key"]
        shown = spec.is_visible(field, values, visible=visible)
        visible[key] = shown
        raw = data.get(key)
        if not shown:
            values.pop(key, None)
            given = files.get(key) if field["type"] == "file" else raw
            if not _raw_is_empty(field, given) and hidden == "refuse":
                errors.tampered = True
                errors.add(key, hidden_message())
            continue
        kind = field["type"]
        if kind == "file":
            value = clean_files(field, files.get(key), errors, key)
        elif kind == "address":
            value = clean_address(field, raw, errors, key)
        elif kind == "identity":
            value = clean_identity(field, raw, errors, key)
        elif kind == "group":
            value = clean_group(spec, field, raw, errors, key, values, hidden=hidden)
        else:
            value = clean_simple(field, raw, errors, key)
        values[key] = value
        out[key] = value
    return out


def validate_submission(spec: FormSpec, data: dict, files: dict[str, list] | None = None) -> dict:
    """Validate a whole submission against ``spec`` (the VERSION's schema).

    ``data`` maps keys to values (shapes in :mod:`.values`; strings are accepted and
    coerced), ``files`` maps file-field keys to attachments (see :func:`files_by_key`);
    values under file keys in ``data`` are ignored in favour of ``files``. Returns the
    normalised values of the visible fields; idempotent on its own output. Raises
    :class:`SubmissionInvalid` whose ``errors`` map input paths (``key``, ``key__part``,
    ``key__<row>__<sub>``, or ``"__all__"``) to French messages.
    """
    if not isinstance(data, dict):
        raise SubmissionInvalid({"__all__": [_("Réponses illisibles.")]})
    files = dict(files or {})
    errors = Errors()
    unknown = sorted(set(data) - set(spec.fields))
    unknown_files = sorted(
        key for key in files if key not in spec.fields or spec.fields[key]["type"] != "file"
    )
    for key in unknown + unknown_files:
        errors.add("__all__", _("Réponse inattendue : « %(key)s ».") % {"key": key[:40]})
    all_fields = [spec.fields[key] for key in spec.order]
    values = clean_fields(spec, all_fields, data, files, errors=errors)
    if errors:
        raise SubmissionInvalid(dict(errors))
    return values


# --- summary ------------------------------------------------------------------------------


def _date_text(value) -> str:
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(value)


def _number_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def display_value(field: dict, value) -> str:
    """One value as a resident or an agent reads it."""
    kind = field["type"]
    if value is None:
        return ""
    if kind == "checkbox":
        return _("Oui") if value else _("Non")
    if kind == "phone":
        return display_phone(value)
    if kind == "date":
        return _date_text(value)
    if kind == "number":
        return _number_text(value)
    if kind == "multiple_choice":
        return ", ".join(value)
    if kind == "file":
        return ", ".join(
            f"{entry.get('name')} ({filesizeformat(entry.get('size') or 0)})" for entry in value
        )
    if kind == "address":
        line = ", ".join(
            part
            for part in (
                value.get("street"),
                value.get("complement"),
                " ".join(p for p in (value.get("postcode"), value.get("city")) if p),
            )
            if part
        )
        if value.get("lat") is not None and value.get("lon") is not None:
            line += " " + _("(point sur la carte : %(lat)s, %(lon)s)") % {
                "lat": _number_text(value["lat"]),
                "lon": _number_text(value["lon"]),
            }
        return line
    if kind == "identity":
        text = " ".join(p for p in (value.get("last_name"), value.get("first_names")) if p)
        if value.get("birth_name"):
            text += " " + _("(nom de naissance : %(name)s)") % {"name": value["birth_name"]}
        if value.get("birth_date") or value.get("birth_place"):
            text += ", " + _("naissance : %(date)s, %(place)s") % {
                "date": _date_text(value.get("birth_date")),
                "place": value.get("birth_place") or "",
            }
        return text
    return str(value)


def _items(field: dict, value) -> list[tuple[str, str]]:
    if field["type"] != "group":
        return [(field["label"], display_value(field, value))]
    items = []
    row_label = field["options"].get("row_label") or _("Ligne")
    for number, row in enumerate(value or [], start=1):
        parts = []
        for sub in field.get("fields") or []:
            if sub["key"] in row and not is_empty(row[sub["key"]]):
                parts.append(f"{sub['label']} : {display_value(sub, row[sub['key']])}")
        items.append((f"{field['label']} — {row_label} {number}", " ; ".join(parts)))
    if not items:
        items.append((field["label"], ""))
    return items


def summary(spec: FormSpec, data: dict) -> list[tuple[str, str]]:
    """``(label, display value)`` of every answered field, in form order (groups give one
    line per row)."""
    lines: list[tuple[str, str]] = []
    for key in spec.order:
        if key not in data:
            continue
        field = spec.fields[key]
        value = data[key]
        if field["type"] != "checkbox" and is_empty(value):
            continue
        lines.extend(_items(field, value))
    return lines


def summary_pages(spec: FormSpec, data: dict) -> list[dict]:
    """The summary split by page: ``[{"index", "title", "items": [(label, value)]}]``
    (unanswered visible fields show as « non renseigné » so the resident can check)."""
    visible = spec.visibility(data)
    pages = []
    for index, page in enumerate(spec.pages):
        items = []
        for field in page.get("fields") or []:
            if not visible.get(field["key"], True):
                continue
            value = data.get(field["key"])
            if field["type"] != "checkbox" and is_empty(value):
                items.append((field["label"], _("non renseigné")))
                continue
            items.extend(_items(field, value))
        pages.append({"index": index, "title": page.get("title"), "items": items})
    return pages


def requester_name(spec: FormSpec, data: dict) -> str:
    """« Prénoms Nom » from the first identity block answered, else ``""``."""
    for key in spec.order:
        if spec.fields[key]["type"] == "identity" and data.get(key):
            value = data[key]
            return " ".join(p for p in (value.get("first_names"), value.get("last_name")) if p)
    return ""


def contact_phone(spec: FormSpec, data: dict) -> str:
    """The first phone number answered (E.164), else ``""``."""
    for key in spec.order:
        if spec.fields[key]["type"] == "phone" and data.get(key):
            return data[key]
    return ""


__all__ = [
    "address_parts",
    "identity_parts",
    "clean_fields",
    "validate_submission",
    "summary",
    "summary_pages",
    "display_value",
    "files_by_key",
    "requester_name",
    "contact_phone",
]
