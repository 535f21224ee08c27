"""Cleaning one field's value: the single source of the rules, used by the page forms and
by :func:`validate_submission` alike.

Values (what ``Request.data`` holds for each visible field):

* text, long_text, email, choice: ``str`` (``""`` when empty);
* phone: E.164 ``"+33199001234"`` (``""`` when empty);
* date: ISO ``"2026-03-01"`` or ``None``; number: ``int`` (integer fields) or ``float``, or
  ``None``; checkbox: ``bool``; multiple_choice: ``list[str]`` in the order of the choices;
* address: ``{"street", "complement", "postcode", "city", "lat", "lon"}`` or ``None``;
* identity: ``{"last_name", "first_names", "birth_name", "birth_date", "birth_place"}`` or
  ``None``;
* group: ``list`` of rows, each ``{sub_key: value}``;
* file: ``list`` of ``{"id", "name", "size", "content_type"}`` (the attachments).

Errors are collected as ``{path: [message, ...]}`` where ``path`` is the HTML name of the
input concerned: ``key``, ``key__part`` (address, identity) or ``key__<row>__<sub>``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .schema import TRUE_WORDS

TEXT_MAX = 500
LONG_TEXT_MAX = 10000
FRANCE_BOUNDS = {"lat": (41.0, 51.5), "lon": (-5.5, 10.0)}
ADDRESS_PARTS = ("street", "complement", "postcode", "city", "lat", "lon")
IDENTITY_PARTS = ("last_name", "first_names", "birth_name", "birth_date", "birth_place")
_POSTCODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z \-]{1,9}$")


class Errors(dict):
    """``{path: [messages]}`` with a helper to add one; ``tampered`` is set when a value
    could not have come from the form as shown (a choice outside the list, too many
    rows, a hidden field with a value, a value of the wrong shape)."""

    tampered = False

    def add(self, path: str, message) -> None:
        self.setdefault(path, []).append(str(message))


def _as_text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    if isinstance(raw, bool | dict):
        raise ValidationError(_("Valeur invalide."), code="tampered")
    return str(raw).strip()


# --- simple types -------------------------------------------------------------------------


def clean_text(field, raw) -> str:
    value = _as_text(raw)
    options = field.get("options") or {}
    limit = TEXT_MAX if field["type"] == "text" else LONG_TEXT_MAX
    limit = min(options.get("max_length") or limit, limit)
    if len(value) > limit:
        raise ValidationError(
            ngettext(
                "%(limit)d caractère au plus (vous en avez saisi %(count)d).",
                "%(limit)d caractères au plus (vous en avez saisi %(count)d).",
                limit,
            )
            % {"limit": limit, "count": len(value)}
        )
    if value and field["type"] == "text" and options.get("pattern"):
        if not re.fullmatch(options["pattern"], value):
            raise ValidationError(
                options.get("pattern_message") or _("Le format de cette réponse n'est pas valide.")
            )
    return value


def clean_email(field, raw) -> str:
    value = _as_text(raw)
    if value:
        if len(value) > 254:
            raise ValidationError(_("Adresse e-mail trop longue."))
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("Saisissez une adresse e-mail valide, par exemple nom@example.org.")
            ) from None
        local, _at, domain = value.rpartition("@")
        value = f"{local}@{domain.lower()}"
    return value


def normalise_phone_any(raw: str) -> str:
    """A phone number (French by default, or international with +) in E.164; raises
    ValidationError with a French message."""
    value = (raw or "").strip()
    if len(value) > 30:
        raise ValidationError(_("Numéro de téléphone trop long."))
    compact = re.sub(r"[\s.\-/()]", "", value.replace("(0)", ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not re.fullmatch(r"\+?\d{6,15}", compact):
        raise ValidationError(
            _("Le numéro ne doit contenir que des chiffres, par exemple 01 99 00 12 34.")
        )
    try:
        number = phonenumbers.parse(compact, "FR")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Numéro de téléphone invalide.")) from None
    if number.country_code == 33:
        national = str(number.national_number)
        if len(national) != 9 or national[0] == "0":
            raise ValidationError(
                _("Numéro invalide : saisissez 10 chiffres, par exemple 01 99 00 12 34.")
            )
    elif not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Numéro de téléphone invalide."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_phone(field, raw) -> str:
    value = _as_text(raw)
    return normalise_phone_any(value) if value else ""


def display_phone(value: str) -> str:
    if value and value.startswith("+33") and len(value) == 12:
        national = "0" + value[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return value or ""


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Saisissez une date valide, par exemple 14/07/2026."))


def clean_date(field, raw, *, constraint=None):
    value = _as_text(raw)
    if not value:
        return None
    date = parse_date(value)
    if date.year < 1850:
        raise ValidationError(_("Cette date est trop ancienne."))
    if date.year > 2200:
        raise ValidationError(_("Cette date est trop lointaine."))
    constraint = constraint if constraint is not None else field["options"].get("constraint")
    today = timezone.localdate()
    if constraint == "past" and date > today:
        raise ValidationError(_("La date doit être aujourd'hui ou dans le passé."))
    if constraint == "future" and date < today:
        raise ValidationError(_("La date doit être aujourd'hui ou plus tard."))
    return date.isoformat()


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def clean_number(field, raw):
    if isinstance(raw, bool):
        raise ValidationError(_("Saisissez un nombre."))
    if isinstance(raw, int | float):
        text = repr(raw)
    else:
        text = _as_text(raw).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        text = text.replace(",", ".")
    if not text:
        return None
    if len(text) > 30 or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?", text, re.I):
        raise ValidationError(_("Saisissez un nombre, par exemple 12 ou 3,5."))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Saisissez un nombre, par exemple 12 ou 3,5.")) from None
    options = field.get("options") or {}
    if options.get("integer", True) and number != number.to_integral_value():
        raise ValidationError(_("Saisissez un nombre entier."))
    low, high = options.get("min_value"), options.get("max_value")
    if low is not None and number < Decimal(low):
        raise ValidationError(
            _("Le nombre doit être au moins %(min)s.") % {"min": _number_text(Decimal(low))}
        )
    if high is not None and number > Decimal(high):
        raise ValidationError(
            _("Le nombre doit être au plus %(max)s.") % {"max": _number_text(Decimal(high))}
        )
    if abs(number) >= Decimal(10) ** 15:
        raise ValidationError(_("Ce nombre est trop grand."))
    if options.get("integer", True):
        return int(number)
    return float(number)


def clean_choice(field, raw) -> str:
    value = _as_text(raw)
    if value and value not in field["options"]["choices"]:
        raise ValidationError(_("Choisissez une des réponses proposées."), code="tampered")
    return value


def clean_multiple_choice(field, raw) -> list[str]:
    if raw in (None, ""):
        items = []
    elif isinstance(raw, str):
        items = [raw]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise ValidationError(_("Valeur invalide."), code="tampered")
    items = [str(item).strip() for item in items if str(item).strip()]
    choices = field["options"]["choices"]
    if any(item not in choices for item in items) or len(set(items)) != len(items):
        raise ValidationError(_("Choisissez parmi les réponses proposées."), code="tampered")
    options = field["options"]
    low, high = options.get("min_selected"), options.get("max_selected")
    if items and low and len(items) < low:
        raise ValidationError(
            ngettext(
                "Cochez au moins %(count)d réponse.", "Cochez au moins %(count)d réponses.", low
            )
            % {"count": low}
        )
    if high and len(items) > high:
        raise ValidationError(
            ngettext(
                "Cochez au plus %(count)d réponse.", "Cochez au plus %(count)d réponses.", high
            )
            % {"count": high}
        )
    return [choice for choice in choices if choice in items]


def clean_checkbox(field, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return False
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    text = str(raw).strip().casefold()
    if text in TRUE_WORDS:
        return True
    if text in ("", "non", "no", "false", "0", "off"):
        return False
    raise ValidationError(_("Valeur invalide."), code="tampered")


SIMPLE_CLEANERS = {
    "text": clean_text,
    "long_text": clean_text,
    "email": clean_email,
    "phone": clean_phone,
    "date": clean_date,
    "number": clean_number,
    "choice": clean_choice,
    "multiple_choice": clean_multiple_choice,
    "checkbox": clean_checkbox,
}


def is_empty(value) -> bool:
    return value in (None, "", [], {}, False)


def required_message(field) -> str:
    kind = field["type"]
    if kind == "checkbox":
        return _("Cochez cette case pour continuer.")
    if kind in ("choice",):
        return _("Choisissez une réponse.")
    if kind == "multiple_choice":
        return _("Cochez au moins une réponse.")
    if kind == "file":
        return _("Joignez ce document.")
    return _("Ce champ est obligatoire.")


def clean_simple(field, raw, errors: Errors, path: str, *, required: bool | None = None):
    """Clean a simple field's raw value; record errors under ``path``."""
    try:
        value = SIMPLE_CLEANERS[field["type"]](field, raw)
    except ValidationError as error:
        if any(item.code == "tampered" for item in error.error_list):
            errors.tampered = True
        for message in error.messages:
            errors.add(path, message)
        return None
    required = field["required"] if required is None else required
    if required and is_empty(value):
        errors.add(path, required_message(field))
    return value


# --- composite types ----------------------------------------------------------------------


def _parts(raw, names) -> dict:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise ValidationError(_("Valeur invalide."), code="tampered")
    # Empty parts the block does not ask for are what the cleaned value itself holds
    # (``birth_name: ""``, ``lat: None``…): accepted, so that validation is idempotent.
    unknown = {name for name in set(raw) - set(names) if raw[name] not in (None, "")}
    if unknown:
        raise ValidationError(_("Valeur invalide."), code="tampered")
    return raw


def address_parts(field) -> list[str]:
    parts = ["street", "complement", "postcode", "city"]
    if field["options"].get("with_point"):
        parts += ["lat", "lon"]
    return parts


def clean_address(field, raw, errors: Errors, path: str):
    names = address_parts(field)
    try:
        parts = _parts(raw, names)
    except ValidationError as error:
        errors.tampered = True
        errors.add(path, error.messages[0])
        return None
    text = {}
    for name in names:
        try:
            text[name] = _as_text(parts.get(name))
        except ValidationError:
            errors.tampered = True
            errors.add(f"{path}__{name}", _("Valeur invalide."))
            text[name] = ""
    filled = any(text[name] for name in ("street", "complement", "postcode", "city"))
    if not filled and not (text.get("lat") or text.get("lon")):
        if field["required"]:
            errors.add(f"{path}__street", _("Indiquez l'adresse."))
        return None
    for name, message in (
        ("street", _("Indiquez le numéro et la voie.")),
        ("postcode", _("Indiquez le code postal.")),
        ("city", _("Indiquez la commune.")),
    ):
        if not text[name]:
            errors.add(f"{path}__{name}", message)
    for name in ("street", "complement", "city"):
        if len(text[name]) > 200:
            errors.add(f"{path}__{name}", _("200 caractères au plus."))
    if text["postcode"] and not _POSTCODE_RE.match(text["postcode"]):
        errors.add(f"{path}__postcode", _("Code postal invalide, par exemple 13850."))
    value = {name: text[name] for name in ("street", "complement", "postcode", "city")}
    value["lat"] = value["lon"] = None
    if field["options"].get("with_point") and (text.get("lat") or text.get("lon")):
        point = {}
        for name in ("lat", "lon"):
            raw_number = (text.get(name) or "").replace(",", ".")
            try:
                number = float(raw_number)
                if number != number:  # NaN
                    raise ValueError
            except ValueError:
                errors.add(f"{path}__{name}", _("Le point sur la carte n'est pas valide."))
                continue
            low, high = FRANCE_BOUNDS[name]
            if not low <= number <= high:
                errors.add(f"{path}__{name}", _("Le point doit se trouver en France."))
                continue
            point[name] = round(number, 6)
        if len(point) == 2:
            value.update(point)
    return value


def identity_parts(field) -> list[str]:
    parts = ["last_name", "first_names"]
    if field["options"].get("with_birth_name"):
        parts.append("birth_name")
    if field["options"].get("with_birth", True):
        parts += ["birth_date", "birth_place"]
    return parts


def clean_identity(field, raw, errors: Errors, path: str):
    names = identity_parts(field)
    try:
        parts = _parts(raw, names)
    except ValidationError as error:
        errors.tampered = True
        errors.add(path, error.messages[0])
        return None
    text = {}
    for name in names:
        try:
            text[name] = _as_text(parts.get(name))
        except ValidationError:
            errors.tampered = True
            errors.add(f"{path}__{name}", _("Valeur invalide."))
            text[name] = ""
    if not any(text.values()):
        if field["required"]:
            errors.add(f"{path}__last_name", _("Indiquez le nom."))
            errors.add(f"{path}__first_names", _("Indiquez le ou les prénoms."))
            if "birth_date" in names:
                errors.add(f"{path}__birth_date", _("Indiquez la date de naissance."))
                errors.add(f"{path}__birth_place", _("Indiquez le lieu de naissance."))
        return None
    required_parts = {
        "last_name": _("Indiquez le nom."),
        "first_names": _("Indiquez le ou les prénoms."),
        "birth_date": _("Indiquez la date de naissance."),
        "birth_place": _("Indiquez le lieu de naissance."),
    }
    value = {name: "" for name in IDENTITY_PARTS}
    for name in names:
        if name in required_parts and not text[name]:
            errors.add(f"{path}__{name}", required_parts[name])
        if len(text[name]) > 150:
            errors.add(f"{path}__{name}", _("150 caractères au plus."))
        value[name] = text[name]
    if text.get("birth_date"):
        try:
            value["birth_date"] = clean_date(field, text["birth_date"], constraint="past")
        except ValidationError as error:
            errors.add(f"{path}__birth_date", error.messages[0])
    if "birth_date" not in names:
        value["birth_date"] = None
    return value


# --- groups -------------------------------------------------------------------------------


def row_is_blank(group, row: dict) -> bool:
    return all(is_empty(row.get(sub["key"])) for sub in group.get("fields") or [])


def clean_group(spec, group, raw, errors: Errors, path: str, values: dict, *, hidden="refuse"):
    """Rows of a repeating group; each row's visible sub-fields cleaned; a hidden one with
    a value is refused (``hidden="refuse"``) or dropped (``"drop"``, the page forms)."""
    if raw in (None, ""):
        rows = []
    elif isinstance(raw, list):
        rows = raw
    else:
        errors.tampered = True
        errors.add(path, _("Valeur invalide."))
        return []
    options = group["options"]
    if len(rows) > options["max_rows"]:
        errors.tampered = True
        errors.add(
            path,
            ngettext("%(count)d ligne au plus.", "%(count)d lignes au plus.", options["max_rows"])
            % {"count": options["max_rows"]},
        )
        return []
    minimum = options["min_rows"]
    if group["required"]:
        minimum = max(minimum, 1)
    if (rows or group["required"]) and len(rows) < minimum:
        errors.add(
            path,
            ngettext("%(count)d ligne au moins.", "%(count)d lignes au moins.", minimum)
            % {"count": minimum},
        )
    sub_keys = {sub["key"] for sub in group.get("fields") or []}
    cleaned_rows = []
    for index, row in enumerate(rows):
        row_path = f"{path}__{index}"
        if not isinstance(row, dict) or set(row) - sub_keys:
            errors.tampered = True
            errors.add(path, _("Ligne %(number)d : valeur invalide.") % {"number": index + 1})
            continue
        cleaned = {}
        for sub in group.get("fields") or []:
            key = sub["key"]
            if not spec.is_visible(sub, values, row=cleaned, group=group):
                if not is_empty(row.get(key)) and hidden == "refuse":
                    errors.tampered = True
                    errors.add(f"{row_path}__{key}", hidden_message())
                continue
            cleaned[key] = clean_simple(sub, row.get(key), errors, f"{row_path}__{key}")
        cleaned_rows.append(cleaned)
    return cleaned_rows


def hidden_message() -> str:
    return _("Ce champ ne s'applique pas à votre situation : laissez-le vide.")


# --- files --------------------------------------------------------------------------------

CONTENT_TYPES = {
    "pdf": ("application/pdf",),
    "image": ("image/jpeg", "image/png", "image/webp"),
}


def file_entry(attachment) -> dict:
    return {
        "id": str(attachment.public_id),
        "name": attachment.original_name,
        "size": attachment.size,
        "content_type": attachment.content_type,
    }


def clean_files(field, attachments, errors: Errors, path: str) -> list[dict]:
    options = field["options"]
    attachments = list(attachments or [])
    if field["required"] and not attachments:
        errors.add(path, required_message(field))
    if len(attachments) > options["max_files"]:
        errors.add(
            path,
            ngettext(
                "%(count)d fichier au plus.", "%(count)d fichiers au plus.", options["max_files"]
            )
            % {"count": options["max_files"]},
        )
    allowed = {ct for kind in options["accept"] for ct in CONTENT_TYPES.get(kind, ())}
    limit = options["max_size_mb"] * 1024 * 1024
    entries = []
    for attachment in attachments:
        if attachment.content_type not in allowed:
            errors.add(
                path,
                _("« %(name)s » : type de fichier non accepté.")
                % {"name": attachment.original_name},
            )
        elif attachment.size > limit:
            errors.add(
                path,
                _("« %(name)s » : fichier trop volumineux.") % {"name": attachment.original_name},
            )
        entries.append(file_entry(attachment))
    return entries
