"""What the page templates iterate over: one item per field of a page form, with its
widget HTML (ids, ``aria-describedby`` to help and errors), its condition as data
attributes for ``procedure-form.js`` and the note shown without script; and the list of
errors for the summary at the top of the page."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .forms import ADDRESS_LABELS, IDENTITY_LABELS, ProcedurePageForm
from .values import address_parts, identity_parts

ACCEPT_TEXT = {
    ("pdf",): "PDF",
    ("image",): "JPEG, PNG, WebP",
    ("image", "pdf"): "PDF, JPEG, PNG, WebP",
}


def _condition(form: ProcedurePageForm, field: dict, *, group=None, row=None) -> dict | None:
    condition = field.get("show_if")
    if not condition or (group is None and field["key"] not in form.dynamic):
        return None
    name = condition["key"]
    target = None
    if group is not None:
        target = next((s for s in group["fields"] if s["key"] == condition["key"]), None)
        if target is not None:
            name = f"{group['key']}__{row}__{condition['key']}"
        elif condition["key"] not in {f["key"] for f in form.page_fields}:
            return None  # decided by an earlier page
    target = target or form.spec.fields.get(condition["key"])
    return {
        "name": name,
        "value": condition["value"],
        "type": target["type"] if target else "text",
        "text": form.spec.condition_text(field, group=group),
    }


def _ids(bf) -> tuple[str, str, str]:
    widget_id = bf.id_for_label or bf.auto_id
    return widget_id, f"{bf.auto_id}-aide", f"{bf.auto_id}-erreur"


def _input(
    form: ProcedurePageForm,
    name: str,
    field: dict | None,
    *,
    label: str,
    help_text: str = "",
    required: bool = False,
    condition=None,
    kind: str | None = None,
) -> dict:
    bf = form[name]
    widget_id, help_id, error_id = _ids(bf)
    errors = form.path_errors.get(name, [])
    kind = kind or (field["type"] if field else "text")
    grouped = kind in ("multiple_choice",) or (
        kind == "choice" and (field or {}).get("options", {}).get("widget") != "select"
    )
    described = " ".join(
        item for item, present in ((help_id, help_text), (error_id, errors)) if present
    )
    attrs = {}
    if described and not grouped:
        attrs["aria-describedby"] = described
    if required and not grouped and kind != "checkbox":
        attrs["aria-required"] = "true"
    return {
        "kind": "choices" if grouped else ("checkbox" if kind == "checkbox" else "input"),
        "name": name,
        "id": widget_id,
        "wrapper_id": f"champ-{name}",
        "label": label,
        "help": help_text,
        "help_id": help_id,
        "error_id": error_id,
        "describedby": described,
        "required": required,
        "errors": errors,
        "widget": bf.as_widget(attrs=attrs),
        "condition": condition,
    }


def page_items(form: ProcedurePageForm) -> list[dict]:
    items = []
    for field in form.page_fields:
        key, kind = field["key"], field["type"]
        condition = _condition(form, field)
        if kind in ("address", "identity"):
            parts = address_parts(field) if kind == "address" else identity_parts(field)
            labels = ADDRESS_LABELS if kind == "address" else IDENTITY_LABELS
            items.append(
                {
                    "kind": "composite",
                    "type": kind,
                    "name": key,
                    "wrapper_id": f"fs-{key}",
                    "label": field["label"],
                    "help": field.get("help_text"),
                    "help_id": f"fs-{key}-aide",
                    "required": field["required"],
                    "errors": form.path_errors.get(key, []),
                    "condition": condition,
                    "with_point": kind == "address" and field["options"].get("with_point"),
                    "parts": [
                        _input(
                            form,
                            f"{key}__{part}",
                            None,
                            label=str(labels[part]),
                            required=form.fields[f"{key}__{part}"].shown_required,
                            kind="date" if part == "birth_date" else "text",
                        )
                        for part in parts
                    ],
                }
            )
        elif kind == "group":
            count = form.row_counts.get(key, 0)
            row_label = field["options"].get("row_label") or _("Ligne")
            rows = []
            for row in range(count):
                cells = []
                for sub in field.get("fields") or []:
                    cells.append(
                        _input(
                            form,
                            f"{key}__{row}__{sub['key']}",
                            sub,
                            label=sub["label"],
                            help_text=sub.get("help_text") or "",
                            required=sub["required"],
                            condition=_condition(form, sub, group=field, row=row),
                        )
                    )
                rows.append(
                    {
                        "number": row + 1,
                        "label": f"{row_label} {row + 1}",
                        "items": cells,
                        "remove_action": f"remove_row:{key}:{row}",
                    }
                )
            items.append(
                {
                    "kind": "group",
                    "name": key,
                    "wrapper_id": f"fs-{key}",
                    "label": field["label"],
                    "help": field.get("help_text"),
                    "help_id": f"fs-{key}-aide",
                    "required": field["required"],
                    "errors": form.path_errors.get(key, []),
                    "condition": condition,
                    "rows": rows,
                    "row_label": row_label,
                    "rows_input": form[f"{key}__rows"].as_widget(attrs={"id": f"id_{key}__rows"}),
                    "can_add": count < field["options"]["max_rows"],
                    "add_action": f"add_row:{key}",
                    "min_rows": field["options"]["min_rows"],
                    "max_rows": field["options"]["max_rows"],
                }
            )
        elif kind == "file":
            bf = form[key]
            widget_id, help_id, error_id = _ids(bf)
            errors = form.path_errors.get(key, [])
            options = field["options"]
            existing = form.attachments.get(key, [])
            described = " ".join(
                item
                for item, present in (
                    (f"{help_id}-types", True),
                    (help_id, field.get("help_text")),
                    (error_id, errors),
                )
                if present
            )
            items.append(
                {
                    "kind": "file",
                    "name": key,
                    "id": widget_id,
                    "wrapper_id": f"champ-{key}",
                    "label": field["label"],
                    "help": field.get("help_text"),
                    "help_id": help_id,
                    "error_id": error_id,
                    "required": field["required"],
                    "errors": errors,
                    "condition": condition,
                    "widget": bf.as_widget(attrs={"aria-describedby": described}),
                    "existing": [
                        {
                            "id": str(a.public_id),
                            "name": a.original_name,
                            "size": filesizeformat(a.size),
                            "remove_id": f"id_{key}__remove_{index}",
                        }
                        for index, a in enumerate(existing)
                    ],
                    "remove_name": f"{key}__remove",
                    "single": options["max_files"] <= 1,
                    "max_files": options["max_files"],
                    "max_size_mb": options["max_size_mb"],
                    "accept_text": ACCEPT_TEXT.get(tuple(sorted(options["accept"])), ""),
                }
            )
        else:
            items.append(
                _input(
                    form,
                    key,
                    field,
                    label=field["label"],
                    help_text=field.get("help_text") or "",
                    required=field["required"],
                    condition=condition,
                )
            )
    return items


def _label_for_path(form: ProcedurePageForm, path: str) -> str:
    head, _sep, rest = path.partition("__")
    field = form.spec.fields.get(head)
    if field is None:
        return ""
    if not rest:
        return field["label"]
    if field["type"] in ("address", "identity"):
        labels = ADDRESS_LABELS if field["type"] == "address" else IDENTITY_LABELS
        return f"{field['label']} — {labels.get(rest, rest)}"
    if field["type"] == "group":
        row, _sep, sub_key = rest.partition("__")
        sub = next((s for s in field.get("fields") or [] if s["key"] == sub_key), None)
        row_label = field["options"].get("row_label") or _("Ligne")
        try:
            number = int(row) + 1
        except ValueError:
            number = row
        return f"{field['label']}, {row_label} {number} — {sub['label'] if sub else sub_key}"
    return field["label"]


def error_list(form: ProcedurePageForm) -> list[dict]:
    """``[{"href", "text"}]`` for the error summary, in the order of the page."""
    entries = []
    for reason in form.tamper_reasons[:1]:
        entries.append({"href": "", "text": reason})
    order = {name: index for index, name in enumerate(form.fields)}
    for path in sorted(form.path_errors, key=lambda p: (order.get(p, -1), p)):
        if path in form.fields:
            href = f"#{form[path].id_for_label or form[path].auto_id}"
            if path in form.spec.fields and form.spec.fields[path]["type"] in (
                "choice",
                "multiple_choice",
            ):
                href = f"#champ-{path}"
        else:
            href = f"#fs-{path}"
        label = _label_for_path(form, path)
        for message in form.path_errors[path]:
            entries.append({"href": href, "text": f"{label} : {message}" if label else message})
    return entries
