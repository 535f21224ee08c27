"""One page of a procedure's form as a Django form.

HTML names: a simple field is named by its key; an address or identity part
``key__part``; a group's row count ``key__rows`` and its cells ``key__<row>__<sub>``; a
file field ``key`` (files) and ``key__remove`` (attachments to take back).

Rules (the same code as :func:`validate_submission`, in :mod:`.values`):

* a field whose condition depends on an earlier page and is false is not in the form; a
  POST naming it is *tampered* (refused, nothing stored);
* a field whose condition depends on a field of the same page is rendered with a note
  « À remplir seulement si … » (the page's script hides it live); when the condition is
  false it is not required and its value is dropped;
* unknown names, a choice outside the list and too many rows are *tampered* posts:
  ``form.tampered`` is set and the view stores nothing.

Uploaded files are checked here (:func:`parvis.procedures.uploads.check_upload`);
``form.file_changes`` tells the view which to store and which attachments to remove,
even when another field of the page is invalid (a file input cannot be refilled).
"""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import UploadRefused
from .schema import FormSpec
from .validation import clean_fields
from .values import Errors, address_parts, identity_parts

ALLOWED_EXTRA_NAMES = frozenset({"csrfmiddlewaretoken", "action"})
MAX_STORED_TEXT = 10000

ADDRESS_LABELS = {
    "street": gettext_lazy("Numéro et voie"),
    "complement": gettext_lazy("Complément d'adresse"),
    "postcode": gettext_lazy("Code postal"),
    "city": gettext_lazy("Commune"),
    "lat": gettext_lazy("Latitude du point sur la carte"),
    "lon": gettext_lazy("Longitude du point sur la carte"),
}
ADDRESS_AUTOCOMPLETE = {
    "street": "street-address",
    "postcode": "postal-code",
    "city": "address-level2",
}
IDENTITY_LABELS = {
    "last_name": gettext_lazy("Nom"),
    "first_names": gettext_lazy("Prénoms"),
    "birth_name": gettext_lazy("Nom de naissance (s'il est différent)"),
    "birth_date": gettext_lazy("Date de naissance"),
    "birth_place": gettext_lazy("Lieu de naissance (commune, et pays si hors de France)"),
}
IDENTITY_AUTOCOMPLETE = {
    "last_name": "family-name",
    "first_names": "given-name",
    "birth_date": "bday",
}
ACCEPT_ATTR = {
    "pdf": ["application/pdf", ".pdf"],
    "image": ["image/jpeg", "image/png", "image/webp", ".jpg", ".jpeg", ".png", ".webp"],
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"


class UploadsField(forms.Field):
    """Raw uploaded files (a list); checks happen in the form's ``clean``."""

    widget = MultipleFileInput

    def to_python(self, data):
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


class RawField(forms.Field):
    """A container for a raw value: validation is done by the schema's rules."""

    def to_python(self, value):
        return value


def _simple_widget(field: dict, *, autocomplete: str = ""):
    kind = field["type"]
    attrs = {}
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    options = field.get("options") or {}
    if kind == "text":
        if options.get("max_length"):
            attrs["maxlength"] = str(options["max_length"])
        return forms.TextInput(attrs=attrs)
    if kind == "long_text":
        attrs["rows"] = "5"
        return forms.Textarea(attrs=attrs)
    if kind == "email":
        attrs.setdefault("autocomplete", "email")
        attrs["spellcheck"] = "false"
        return forms.EmailInput(attrs=attrs)
    if kind == "phone":
        attrs.setdefault("autocomplete", "tel")
        return forms.TextInput(attrs={**attrs, "type": "tel", "inputmode": "tel"})
    if kind == "date":
        return forms.DateInput(attrs={**attrs, "type": "date"}, format="%Y-%m-%d")
    if kind == "number":
        attrs["inputmode"] = "numeric" if options.get("integer", True) else "decimal"
        return forms.TextInput(attrs=attrs)
    if kind == "choice":
        choices = [(choice, choice) for choice in options["choices"]]
        if options.get("widget") == "select":
            return forms.Select(attrs=attrs, choices=[("", _("— Choisir —"))] + choices)
        return forms.RadioSelect(attrs=attrs, choices=choices)
    if kind == "multiple_choice":
        return forms.CheckboxSelectMultiple(
            attrs=attrs, choices=[(choice, choice) for choice in options["choices"]]
        )
    if kind == "checkbox":
        return forms.CheckboxInput(attrs=attrs)
    raise ValueError(kind)


def _django_field(field: dict, *, label=None, required=None, autocomplete="") -> forms.Field:
    kind = field["type"]
    widget = _simple_widget(field, autocomplete=autocomplete)
    required = field["required"] if required is None else required
    if kind == "checkbox":
        django_field = forms.BooleanField(required=False, widget=widget)
    elif kind == "multiple_choice":
        django_field = RawField(required=False, widget=widget)
    else:
        django_field = RawField(required=False, widget=widget)
    django_field.label = label or field["label"]
    django_field.help_text = field.get("help_text") or ""
    django_field.shown_required = required
    return django_field


class ProcedurePageForm(forms.Form):
    """See the module's docstring. ``values`` is set once the form is valid."""

    def __init__(
        self,
        spec: FormSpec,
        index: int,
        data=None,
        files=None,
        initial=None,
        *,
        known_values=None,
        attachments=None,
        strict=True,
        quiet=False,
        upload_checker=None,
        preview=False,
    ):
        super().__init__(data=data, files=files, initial=None)
        self.spec = spec
        self.index = index
        self.page = spec.pages[index]
        self.known_values = dict(known_values or {})
        self.attachments = {key: list(items) for key, items in (attachments or {}).items()}
        self.initial_values = dict(initial or {})
        self.strict = strict
        self.quiet = quiet
        self.upload_checker = upload_checker
        self.preview = preview
        self.values: dict | None = None
        self.tampered = False
        self.tamper_reasons: list[str] = []
        self.path_errors: dict[str, list[str]] = {}
        self.file_changes: dict[str, dict] = {}
        self.row_counts: dict[str, int] = {}
        self.row_count_errors: dict[str, str] = {}
        self._visible_before = spec.visibility(self.known_values)
        page_keys = {field["key"] for field in spec.page_fields(index)}
        self.page_fields: list[dict] = []
        self.dynamic: set[str] = set()
        for field in spec.page_fields(index):
            condition = field.get("show_if")
            if condition and condition["key"] not in page_keys and not preview:
                if not spec.is_visible(field, self.known_values, visible=self._visible_before):
                    continue
            elif condition:
                if condition["key"] in page_keys and not any(
                    f["key"] == condition["key"] for f in self.page_fields
                ):
                    continue  # its controlling field is itself hidden by an earlier page
                self.dynamic.add(field["key"])
            self.page_fields.append(field)
        self._build_fields()
        if self.is_bound and not strict:
            self.data = _only(self.data, self.expected_names())
        if quiet and self.is_bound:
            self.full_clean()
            self._errors = ErrorDict()
            self.path_errors = {}

    # --- building -------------------------------------------------------------------

    def _rows_for(self, group: dict) -> int:
        key = group["key"]
        maximum = group["options"]["max_rows"]
        if self.is_bound:
            raw = self.data.get(f"{key}__rows", "")
            try:
                count = int(raw)
            except (TypeError, ValueError):
                count = -1
            if count < 0:
                self.row_count_errors[key] = _("Nombre de lignes invalide.")
                return 0
            if count > maximum:
                self.row_count_errors[key] = _("%(count)d lignes au plus.") % {"count": maximum}
                return 0
            return count
        initial = self.initial_values.get(key)
        if isinstance(initial, list) and initial:
            return min(len(initial), maximum)
        return min(max(group["options"]["min_rows"], 1), maximum)

    def _build_fields(self) -> None:
        for field in self.page_fields:
            key, kind = field["key"], field["type"]
            if kind in ("address", "identity"):
                parts = address_parts(field) if kind == "address" else identity_parts(field)
                labels = ADDRESS_LABELS if kind == "address" else IDENTITY_LABELS
                completes = ADDRESS_AUTOCOMPLETE if kind == "address" else IDENTITY_AUTOCOMPLETE
                initial = self.initial_values.get(key) or {}
                for part in parts:
                    proxy = {
                        "type": "date" if part == "birth_date" else "text",
                        "key": f"{key}__{part}",
                        "label": str(labels[part]),
                        "help_text": "",
                        "required": field["required"] and part not in _OPTIONAL_PARTS,
                        "options": {},
                    }
                    django_field = _django_field(proxy, autocomplete=completes.get(part, ""))
                    if part in ("lat", "lon"):
                        django_field.widget.attrs.update(
                            {"inputmode": "decimal", f"data-point-{part}": ""}
                        )
                    if part == "postcode":
                        django_field.widget.attrs.update({"inputmode": "numeric"})
                    django_field.initial = initial.get(part) if isinstance(initial, dict) else None
                    self.fields[f"{key}__{part}"] = django_field
            elif kind == "group":
                count = self._rows_for(field)
                self.row_counts[key] = count
                self.fields[f"{key}__rows"] = RawField(
                    required=False, widget=forms.HiddenInput, initial=str(count)
                )
                rows = self.initial_values.get(key) or []
                for row in range(count):
                    for sub in field.get("fields") or []:
                        name = f"{key}__{row}__{sub['key']}"
                        django_field = _django_field(sub)
                        if row < len(rows) and isinstance(rows[row], dict):
                            django_field.initial = rows[row].get(sub["key"])
                        self.fields[name] = django_field
            elif kind == "file":
                accept = [
                    item
                    for kind_ in field["options"]["accept"]
                    for item in ACCEPT_ATTR.get(kind_, [])
                ]
                widget_attrs = {"accept": ",".join(accept)}
                if field["options"]["max_files"] <= 1:
                    widget = forms.FileInput(dict(widget_attrs))
                else:
                    widget = MultipleFileInput(dict(widget_attrs))
                django_field = UploadsField(required=False, widget=widget)
                django_field.label = field["label"]
                django_field.help_text = field.get("help_text") or ""
                django_field.shown_required = field["required"]
                self.fields[key] = django_field
                self.fields[f"{key}__remove"] = RawField(
                    required=False, widget=forms.CheckboxSelectMultiple
                )
            else:
                django_field = _django_field(field)
                django_field.initial = self.initial_values.get(key)
                self.fields[key] = django_field

    def expected_names(self) -> set[str]:
        return set(self.fields) | ALLOWED_EXTRA_NAMES

    # --- cleaning -------------------------------------------------------------------

    def _tamper(self, reason: str) -> None:
        self.tampered = True
        self.tamper_reasons.append(reason)

    def _raw_values(self) -> dict:
        raw: dict = {}
        for field in self.page_fields:
            key, kind = field["key"], field["type"]
            if kind in ("address", "identity"):
                parts = address_parts(field) if kind == "address" else identity_parts(field)
                raw[key] = {part: self.cleaned_data.get(f"{key}__{part}") or "" for part in parts}
            elif kind == "group":
                rows = []
                for row in range(self.row_counts.get(key, 0)):
                    cells = {
                        sub["key"]: self.cleaned_data.get(f"{key}__{row}__{sub['key']}")
                        for sub in field.get("fields") or []
                    }
                    if any(value not in (None, "", [], False) for value in cells.values()):
                        rows.append(cells)
                raw[key] = rows
            elif kind == "file":
                continue
            else:
                raw[key] = self.cleaned_data.get(key)
        return raw

    def _files(self, errors: Errors) -> dict[str, list]:
        """Check this page's uploads; what the file fields would hold once stored."""
        from ..uploads import check_upload

        checker = self.upload_checker or check_upload
        result = {}
        for field in self.page_fields:
            if field["type"] != "file":
                continue
            key = field["key"]
            existing = self.attachments.get(key, [])
            remove = set(self.cleaned_data.get(f"{key}__remove") or []) & {
                str(a.public_id) for a in existing
            }
            uploads = self.cleaned_data.get(key) or []
            accepted = []
            for upload in uploads:
                try:
                    content_type, sha256 = checker(
                        upload,
                        accept=field["options"]["accept"],
                        max_size_mb=field["options"]["max_size_mb"],
                    )
                except UploadRefused as refusal:
                    errors.add(key, f"{upload.name} : {refusal.message}")
                    continue
                accepted.append((upload, content_type, sha256))
            if accepted and field["options"]["max_files"] <= 1:
                remove |= {str(a.public_id) for a in existing}  # a new file replaces the old
            kept = [a for a in existing if str(a.public_id) not in remove]
            self.file_changes[key] = {"add": accepted, "remove": sorted(remove)}
            pending = [
                SimpleNamespace(
                    public_id="",
                    original_name=upload.name,
                    size=upload.size,
                    content_type=content_type,
                    field_key=key,
                )
                for upload, content_type, _sha in accepted
            ]
            result[key] = kept + pending
        return result

    def clean(self):
        cleaned = super().clean()
        errors = Errors()
        if self.strict:
            unexpected = sorted(set(self.data) - self.expected_names()) + sorted(
                set(self.files) - {f["key"] for f in self.page_fields if f["type"] == "file"}
            )
            if unexpected:
                self._tamper(_("Réponse inattendue : « %(name)s ».") % {"name": unexpected[0][:60]})
        for key, message in self.row_count_errors.items():
            self._tamper(message)
            errors.add(key, message)
        files = self._files(errors)
        values = clean_fields(
            self.spec,
            self.page_fields,
            self._raw_values(),
            files,
            known_values=self.known_values,
            errors=errors,
            hidden="drop",
        )
        for field in self.page_fields:
            if field["type"] == "file" and field["key"] not in values:
                self.file_changes.pop(field["key"], None)  # hidden: nothing to store
        if errors.tampered:
            self._tamper(_("Une réponse ne fait pas partie des choix proposés."))
        self.path_errors = dict(errors)
        for path, messages in errors.items():
            if path in self.fields:
                for message in messages:
                    self.add_error(path, message)
        if self.tampered:
            self.add_error(None, self.tamper_reasons[0])
        if not errors and not self.tampered:
            self.values = values
        return cleaned

    def is_valid(self) -> bool:
        return super().is_valid() and not self.path_errors and not self.tampered

    # --- stored input ---------------------------------------------------------------

    def stored_input(self) -> dict[str, list[str]]:
        """This POST's input restricted to the page's names (what a draft keeps)."""
        if not self.is_bound:
            return {}
        kept = {}
        for name in self.fields:
            if isinstance(self.fields[name], UploadsField):
                continue
            values = (
                self.data.getlist(name)
                if hasattr(self.data, "getlist")
                else (
                    self.data.get(name)
                    if isinstance(self.data.get(name), list)
                    else [self.data.get(name)]
                )
            )
            values = [str(v)[:MAX_STORED_TEXT] for v in values if v is not None]
            if values:
                kept[name] = values
        return kept


_OPTIONAL_PARTS = frozenset({"complement", "birth_name", "lat", "lon"})


class _ListData(dict):
    """A dict of lists that answers like a QueryDict (for stored input)."""

    def getlist(self, key, default=None):
        value = super().get(key, default if default is not None else [])
        return list(value) if isinstance(value, list | tuple) else [value]

    def get(self, key, default=None):
        value = super().get(key)
        if value is None:
            return default
        if isinstance(value, list | tuple):
            return value[-1] if value else default
        return value


def as_form_data(stored: dict) -> _ListData:
    """Stored input (``{name: [str]}``) as form data."""
    return _ListData({name: list(values) for name, values in (stored or {}).items()})


def _only(data, names):
    if names is None:
        return data
    if hasattr(data, "lists"):
        return _ListData({name: values for name, values in data.lists() if name in names})
    return _ListData({name: value for name, value in data.items() if name in names})


def page_form(
    spec: FormSpec, index: int, data=None, files=None, initial=None, **kwargs
) -> ProcedurePageForm:
    """The form of page ``index`` (0-based). See :class:`ProcedurePageForm`."""
    return ProcedurePageForm(spec, index, data=data, files=files, initial=initial, **kwargs)


def input_add_row(stored: dict, group: dict) -> dict:
    """Stored input with one more row in ``group`` (up to its maximum)."""
    stored = {name: list(values) for name, values in (stored or {}).items()}
    key = group["key"]
    try:
        count = int((stored.get(f"{key}__rows") or ["0"])[-1])
    except ValueError:
        count = 0
    count = min(count + 1, group["options"]["max_rows"])
    stored[f"{key}__rows"] = [str(count)]
    return stored


def input_remove_row(stored: dict, group: dict, row: int) -> dict:
    """Stored input without row ``row`` of ``group`` (later rows move up)."""
    stored = {name: list(values) for name, values in (stored or {}).items()}
    key = group["key"]
    try:
        count = int((stored.get(f"{key}__rows") or ["0"])[-1])
    except ValueError:
        count = 0
    if not 0 <= row < count:
        return stored
    subs = [sub["key"] for sub in group.get("fields") or []]
    for index in range(row, count):
        for sub in subs:
            name = f"{key}__{index}__{sub}"
            following = stored.pop(f"{key}__{index + 1}__{sub}", None)
            if following is None:
                stored.pop(name, None)
            else:
                stored[name] = following
    stored[f"{key}__rows"] = [str(count - 1)]
    return stored
