"""Freezing a procedure's blocks into a JSON schema, and reading that schema back.

Schema (``ProcedureVersion.schema``)::

    {"format": 1, "pages": [
        {"title": str, "intro": str, "fields": [
            {"type": "text", "key": "nom", "label": "Nom", "help_text": "", "required": true,
             "show_if": {"key": "autre", "value": "oui"} | null,
             "options": {...type-specific...},
             "fields": [...]            # groups only: the sub-fields of a row
            }, ...]}, ...]}

Invariants checked by :func:`freeze` (else :class:`DefinitionInvalid`, French messages):
keys unique across the form (sub-field keys unique in their group), a condition names an
*earlier* simple field (a sub-field may also name an earlier sub-field of its row), choice
lists are non-empty without duplicates, patterns compile, min ≤ max everywhere.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..exceptions import DefinitionInvalid

FORMAT = 1
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Types whose value a condition can test.
CONDITION_TYPES = frozenset(
    {
        "text",
        "long_text",
        "email",
        "phone",
        "date",
        "number",
        "choice",
        "multiple_choice",
        "checkbox",
    }
)
SIMPLE_TYPES = CONDITION_TYPES
COMPOSITE_TYPES = frozenset({"address", "identity"})
ALL_TYPES = SIMPLE_TYPES | COMPOSITE_TYPES | {"file", "group"}
TRUE_WORDS = frozenset({"oui", "yes", "true", "1", "vrai", "coché", "cochée", "x", "on"})
FALSE_WORDS = frozenset({"non", "no", "false", "0", "faux", "", "off"})
FILE_ACCEPT = ("pdf", "image")

_OPTIONS = {
    "text": ("max_length", "pattern", "pattern_message"),
    "long_text": ("max_length",),
    "email": (),
    "phone": (),
    "date": ("constraint",),
    "number": ("min_value", "max_value", "integer"),
    "choice": ("choices", "widget"),
    "multiple_choice": ("choices", "min_selected", "max_selected"),
    "checkbox": (),
    "file": ("accept", "max_size_mb", "max_files"),
    "address": ("with_point",),
    "identity": ("with_birth", "with_birth_name"),
    "group": ("row_label", "min_rows", "max_rows"),
}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


def _decimal_text(value):
    if value in (None, ""):
        return None
    try:
        return str(Decimal(str(value)).normalize())
    except InvalidOperation:
        return str(value)


def split_choices(text) -> list[str]:
    if isinstance(text, list | tuple):
        lines = text
    else:
        lines = str(text or "").splitlines()
    return [line.strip() for line in lines if line and line.strip()]


def _options(kind: str, value) -> dict:
    raw = {name: value.get(name) for name in _OPTIONS[kind]}
    if kind == "text":
        return {
            "max_length": _int_or_none(raw["max_length"]),
            "pattern": _text(raw["pattern"]),
            "pattern_message": _text(raw["pattern_message"]),
        }
    if kind == "long_text":
        return {"max_length": _int_or_none(raw["max_length"])}
    if kind == "date":
        return {"constraint": _text(raw["constraint"])}
    if kind == "number":
        integer = raw["integer"]
        return {
            "min_value": _decimal_text(raw["min_value"]),
            "max_value": _decimal_text(raw["max_value"]),
            "integer": True if integer is None else bool(integer),
        }
    if kind == "choice":
        return {
            "choices": split_choices(raw["choices"]),
            "widget": _text(raw["widget"]) or "radio",
        }
    if kind == "multiple_choice":
        return {
            "choices": split_choices(raw["choices"]),
            "min_selected": _int_or_none(raw["min_selected"]),
            "max_selected": _int_or_none(raw["max_selected"]),
        }
    if kind == "file":
        accept = [item for item in (raw["accept"] or FILE_ACCEPT) if item in FILE_ACCEPT]
        return {
            "accept": accept,
            "max_size_mb": _int_or_none(raw["max_size_mb"]) or 10,
            "max_files": _int_or_none(raw["max_files"]) or 1,
        }
    if kind == "address":
        return {"with_point": bool(raw["with_point"])}
    if kind == "identity":
        with_birth = raw["with_birth"]
        return {
            "with_birth": True if with_birth is None else bool(with_birth),
            "with_birth_name": bool(raw["with_birth_name"]),
        }
    if kind == "group":
        min_rows = _int_or_none(raw["min_rows"])
        max_rows = _int_or_none(raw["max_rows"])
        return {
            "row_label": _text(raw["row_label"]) or _("Ligne"),
            "min_rows": 1 if min_rows is None else min_rows,
            "max_rows": 5 if max_rows is None else max_rows,
        }
    return {}


def _field(kind: str, value) -> dict:
    show_key = _text(value.get("show_if_key"))
    required = value.get("required")
    field = {
        "type": kind,
        "key": _text(value.get("key")),
        "label": _text(value.get("label")),
        "help_text": _text(value.get("help_text")),
        "required": True if required is None else bool(required),
        "show_if": (
            {"key": show_key, "value": _text(value.get("show_if_value"))} if show_key else None
        ),
        "options": _options(kind, value) if kind in _OPTIONS else {},
    }
    if kind == "group":
        field["fields"] = [
            _field(child.block_type, child.value) for child in (value.get("fields") or [])
        ]
    return field


def build_schema(stream) -> dict:
    """The schema of a form stream (a StreamValue of pages), without any check."""
    pages = []
    for page in stream or []:
        if page.block_type != "page":
            continue
        value = page.value
        pages.append(
            {
                "title": _text(value.get("title")),
                "intro": _text(value.get("intro")),
                "fields": [
                    _field(child.block_type, child.value) for child in (value.get("fields") or [])
                ],
            }
        )
    return {"format": FORMAT, "pages": pages}


# --- checks -------------------------------------------------------------------------------


def _where(page_no: int, field: dict, group: dict | None = None) -> str:
    label = field.get("label") or field.get("key") or "?"
    if group is not None:
        return _("Étape %(page)s, tableau « %(group)s », colonne « %(label)s »") % {
            "page": page_no,
            "group": group.get("label") or group.get("key"),
            "label": label,
        }
    return _("Étape %(page)s, champ « %(label)s »") % {"page": page_no, "label": label}


def _check_options(field: dict, where: str, problems: list[str]) -> None:
    kind = field["type"]
    options = field.get("options") or {}
    if kind == "text" and options.get("pattern"):
        try:
            re.compile(options["pattern"])
        except re.error as error:
            problems.append(
                _("%(where)s : le format attendu n'est pas une expression valide (%(error)s).")
                % {"where": where, "error": error}
            )
    if kind in ("choice", "multiple_choice"):
        choices = options.get("choices") or []
        if not choices:
            problems.append(_("%(where)s : la liste des choix est vide.") % {"where": where})
        duplicates = sorted({c for c in choices if choices.count(c) > 1})
        if duplicates:
            problems.append(
                _("%(where)s : le choix « %(choice)s » figure plusieurs fois.")
                % {"where": where, "choice": duplicates[0]}
            )
    if kind == "multiple_choice":
        low, high = options.get("min_selected"), options.get("max_selected")
        if low is not None and high is not None and low > high:
            problems.append(_("%(where)s : « au moins » dépasse « au plus ».") % {"where": where})
        count = len(options.get("choices") or [])
        if count and low is not None and low > count:
            problems.append(
                _("%(where)s : « au moins » dépasse le nombre de choix.") % {"where": where}
            )
    if kind == "number":
        low, high = options.get("min_value"), options.get("max_value")
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            problems.append(_("%(where)s : le minimum dépasse le maximum.") % {"where": where})
    if kind == "group":
        if options.get("min_rows", 0) > options.get("max_rows", 1):
            problems.append(
                _("%(where)s : « lignes au moins » dépasse « lignes au plus ».") % {"where": where}
            )
        if not field.get("fields"):
            problems.append(_("%(where)s : le tableau n'a aucune colonne.") % {"where": where})
    if kind == "file" and not options.get("accept"):
        problems.append(
            _("%(where)s : choisissez au moins un type de fichier accepté.") % {"where": where}
        )
    if kind not in ALL_TYPES:
        problems.append(_("%(where)s : type de champ inconnu.") % {"where": where})


def _check_condition(field, where, earlier: dict, problems, *, earlier_in_row=None) -> None:
    condition = field.get("show_if")
    if not condition:
        return
    key = condition["key"]
    target = (earlier_in_row or {}).get(key) or earlier.get(key)
    if target is None:
        problems.append(
            _(
                "%(where)s : la condition porte sur « %(key)s », qui n'est pas un champ placé "
                "avant celui-ci."
            )
            % {"where": where, "key": key}
        )
        return
    if target["type"] not in CONDITION_TYPES:
        problems.append(
            _(
                "%(where)s : la condition porte sur « %(label)s », dont la valeur ne peut pas "
                "être comparée (choisissez un champ simple)."
            )
            % {"where": where, "label": target["label"]}
        )
        return
    expected = condition["value"]
    if target["type"] in ("choice", "multiple_choice") and expected:
        choices = [c.casefold() for c in target["options"].get("choices") or []]
        if expected.casefold() not in choices:
            problems.append(
                _("%(where)s : « %(value)s » n'est pas un des choix de « %(label)s ».")
                % {"where": where, "value": expected, "label": target["label"]}
            )
    if target["type"] == "checkbox" and expected.casefold() not in TRUE_WORDS | FALSE_WORDS:
        problems.append(
            _("%(where)s : pour une case à cocher, la valeur attendue est « oui » ou « non ».")
            % {"where": where}
        )


def check_schema(schema: dict) -> list[str]:
    """The problems that prevent publishing ``schema`` (empty list: publishable)."""
    problems: list[str] = []
    pages = schema.get("pages") or []
    if not pages:
        problems.append(_("Le formulaire n'a aucune étape."))
    earlier: dict[str, dict] = {}
    seen: dict[str, str] = {}
    for page_no, page in enumerate(pages, start=1):
        if not page.get("fields"):
            problems.append(
                _("Étape %(page)s « %(title)s » : aucun champ.")
                % {"page": page_no, "title": page.get("title")}
            )
        for field in page.get("fields") or []:
            where = _where(page_no, field)
            key = field.get("key", "")
            if not KEY_RE.match(key):
                problems.append(
                    _("%(where)s : l'identifiant « %(key)s » n'est pas valide.")
                    % {"where": where, "key": key}
                )
            elif key in seen:
                problems.append(
                    _("%(where)s : l'identifiant « %(key)s » est déjà utilisé par « %(other)s ».")
                    % {"where": where, "key": key, "other": seen[key]}
                )
            if not field.get("label"):
                problems.append(_("%(where)s : le libellé est vide.") % {"where": where})
            _check_options(field, where, problems)
            _check_condition(field, where, earlier, problems)
            if field["type"] == "group":
                row_keys: dict[str, dict] = {}
                for sub in field.get("fields") or []:
                    sub_where = _where(page_no, sub, field)
                    sub_key = sub.get("key", "")
                    if not KEY_RE.match(sub_key):
                        problems.append(
                            _("%(where)s : l'identifiant « %(key)s » n'est pas valide.")
                            % {"where": sub_where, "key": sub_key}
                        )
                    elif sub_key in row_keys:
                        problems.append(
                            _(
                                "%(where)s : l'identifiant « %(key)s » est déjà utilisé dans ce "
                                "tableau."
                            )
                            % {"where": sub_where, "key": sub_key}
                        )
                    if sub["type"] not in SIMPLE_TYPES:
                        problems.append(
                            _("%(where)s : ce type de champ n'est pas possible dans un tableau.")
                            % {"where": sub_where}
                        )
                    _check_options(sub, sub_where, problems)
                    _check_condition(sub, sub_where, earlier, problems, earlier_in_row=row_keys)
                    row_keys.setdefault(sub_key, sub)
            if key and key not in seen:
                seen[key] = field.get("label") or key
                earlier[key] = field
    return problems


def freeze(procedure, *, check: bool = True) -> dict:
    """The schema of ``procedure``'s current blocks; raises :class:`DefinitionInvalid`
    listing every problem when ``check`` (the default)."""
    schema = build_schema(procedure.form)
    if check:
        problems = check_schema(schema)
        if problems:
            raise DefinitionInvalid(problems)
    return schema


# --- reading ------------------------------------------------------------------------------


def _truthy_word(expected: str) -> bool:
    return expected.casefold() in TRUE_WORDS


def value_matches(field: dict, value, expected: str) -> bool:
    """Whether ``value`` (a cleaned value of ``field``) satisfies « vaut ``expected`` »;
    an empty expected value means « a une valeur »."""
    kind = field["type"]
    expected = (expected or "").strip()
    if kind == "checkbox":
        checked = value is True or (isinstance(value, str) and _truthy_word(value))
        if not expected:
            return checked
        return checked == _truthy_word(expected)
    if kind == "multiple_choice":
        items = [str(item).strip().casefold() for item in (value or [])]
        return bool(items) if not expected else expected.casefold() in items
    if value is None:
        return False
    text = str(value).strip()
    if not expected:
        return bool(text)
    return text.casefold() == expected.casefold()


class FormSpec:
    """Read-only view of a schema: pages, fields by key, conditions."""

    def __init__(self, schema: dict):
        self.schema = schema or {"format": FORMAT, "pages": []}
        self.pages: list[dict] = list(self.schema.get("pages") or [])
        self.fields: dict[str, dict] = {}
        self.order: list[str] = []
        self._page_of: dict[str, int] = {}
        for index, page in enumerate(self.pages):
            for field in page.get("fields") or []:
                self.fields[field["key"]] = field
                self.order.append(field["key"])
                self._page_of[field["key"]] = index

    def __len__(self) -> int:
        return len(self.pages)

    def page_of(self, key: str) -> int:
        return self._page_of[key]

    def page_fields(self, index: int) -> list[dict]:
        return list(self.pages[index].get("fields") or [])

    def file_fields(self) -> list[dict]:
        return [field for field in self.fields.values() if field["type"] == "file"]

    def is_visible(
        self,
        field: dict,
        values: dict,
        *,
        row: dict | None = None,
        group: dict | None = None,
        visible: dict | None = None,
    ) -> bool:
        """Whether ``field``'s condition holds given ``values`` (and, for a sub-field, the
        values of its ``row``). A field whose controlling field is hidden is hidden."""
        condition = field.get("show_if")
        if not condition:
            return True
        key = condition["key"]
        if group is not None and row is not None:
            for sub in group.get("fields") or []:
                if sub["key"] == key:
                    return value_matches(sub, row.get(key), condition["value"])
        target = self.fields.get(key)
        if target is None:
            return False
        if visible is not None and not visible.get(key, True):
            return False
        return value_matches(target, values.get(key), condition["value"])

    def visibility(self, values: dict) -> dict[str, bool]:
        """Visibility of every top-level field, in order (conditions point backwards)."""
        visible: dict[str, bool] = {}
        for key in self.order:
            visible[key] = self.is_visible(self.fields[key], values, visible=visible)
        return visible

    def condition_text(self, field: dict, group: dict | None = None) -> str:
        """« À remplir seulement si « Label » vaut « valeur ». » (empty without condition)."""
        condition = field.get("show_if")
        if not condition:
            return ""
        target = None
        if group is not None:
            target = next(
                (s for s in group.get("fields") or [] if s["key"] == condition["key"]), None
            )
        target = target or self.fields.get(condition["key"])
        label = target["label"] if target else condition["key"]
        if not condition["value"]:
            return _("À remplir seulement si « %(label)s » est rempli.") % {"label": label}
        if target and target["type"] == "checkbox":
            if _truthy_word(condition["value"]):
                return _("À remplir seulement si « %(label)s » est coché.") % {"label": label}
            return _("À remplir seulement si « %(label)s » n'est pas coché.") % {"label": label}
        return _("À remplir seulement si « %(label)s » vaut « %(value)s ».") % {
            "label": label,
            "value": condition["value"],
        }

    def documents(self) -> list[dict]:
        """The file fields (the documents to provide), for the procedure's presentation."""
        return self.file_fields()
