"""Resident booking forms: an appointment, a resource, places in a session (one block per
participant with the agenda's questions), moving and cancelling.

Forms check what a person can fix by typing (required fields, formats); whether the place
is still free is the engine's call, under lock: a chosen slot is accepted here even when it
is no longer listed, so that the engine answers « Ce créneau vient d'être pris »."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import QuestionKind, TariffAudience
from .views.common import instant_param, parse_instant
from .views.display import euros, hm

ANTS_NUMBER_RE = re.compile(r"^[A-Z0-9]{10}$")
ME = "me"
OTHER = "other"
FAMILY_PREFIX = "fm-"


class InstantChoiceField(forms.ChoiceField):
    """A start (or end) chosen among the listed instants, or any instant sent back by the
    browser: the engine decides whether it is still free. Cleans to an aware datetime."""

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        moment = parse_instant(value)
        if moment is None:
            raise forms.ValidationError(_("Choisissez un horaire dans la liste."), code="invalid")
        return moment


def instant_choices(moments) -> list[tuple[str, str]]:
    return [(instant_param(moment), hm(moment)) for moment in moments]


def normalise_ants_number(value: str) -> str:
    return re.sub(r"[\s\-.]", "", value or "").upper()


def ants_help():
    """Where the number is found, with the ANTS site written out as its link's text."""
    return format_html(
        '{} <a href="https://ants.gouv.fr" lang="fr">ants.gouv.fr</a>{}',
        _(
            "10 caractères, chiffres et lettres (par exemple AB12CD34EF), indiqués sur le "
            "récapitulatif de votre pré-demande en ligne faite sur le site de l'Agence "
            "nationale des titres sécurisés :"
        ),
        _(". Les espaces et tirets sont ignorés."),
    )


class ContactFields(forms.Form):
    """Who books: names and an optional mobile number for the reminder."""

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=_("Téléphone portable"),
        max_length=20,
        required=False,
        help_text=_("Facultatif : pour recevoir le rappel la veille par SMS."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = re.sub(r"[\s.\-]", "", phone)
        if phone and not re.fullmatch(r"(\+33|0)[1-9][0-9]{8}", digits):
            raise forms.ValidationError(
                _("Indiquez un numéro français à 10 chiffres, par exemple 06 39 98 12 34.")
            )
        return phone


def for_whom_choices(user, family_members) -> list[tuple[str, str]]:
    name = f"{user.first_name} {user.last_name}".strip() if user is not None else ""
    me = _("Moi-même (%(name)s)") % {"name": name} if name else _("Moi-même")
    choices = [(ME, me)]
    for member in family_members:
        choices.append(
            (
                f"{FAMILY_PREFIX}{member.pk}",
                f"{member.full_name} ({member.get_relation_display()})",
            )
        )
    return choices


def family_member_from(value: str, family_members):
    if not value or not value.startswith(FAMILY_PREFIX):
        return None
    wanted = value.removeprefix(FAMILY_PREFIX)
    return next((member for member in family_members if str(member.pk) == wanted), None)


class AppointmentBookingForm(ContactFields):
    """An appointment of one type: the slot (the day's free starts), for whom, the ANTS
    number when the type needs it, a message."""

    start = InstantChoiceField(label=_("Heure du rendez-vous"), widget=forms.RadioSelect)
    for_whom = forms.ChoiceField(
        label=_("Pour qui ?"), widget=forms.RadioSelect, initial=ME, required=False
    )
    ants_number = forms.CharField(
        label=_("Numéro de pré-demande ANTS"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    comment = forms.CharField(
        label=_("Message au service"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : par exemple, le nombre de personnes concernées."),
    )

    field_order = ["start", "for_whom", "ants_number", "first_name", "last_name", "phone"]

    def __init__(self, *args, appointment_type, starts=(), user=None, family_members=(), **kw):
        super().__init__(*args, **kw)
        self.appointment_type = appointment_type
        self.family_members = list(family_members)
        self.fields["start"].choices = instant_choices(starts)
        if user is None or not self.family_members:
            del self.fields["for_whom"]
        else:
            self.fields["for_whom"].choices = for_whom_choices(user, self.family_members)
        if appointment_type.ants_required:
            self.fields["ants_number"].required = True
            self.fields["ants_number"].help_text = ants_help()
        else:
            del self.fields["ants_number"]

    def clean_ants_number(self):
        value = normalise_ants_number(self.cleaned_data.get("ants_number", ""))
        if value and not ANTS_NUMBER_RE.match(value):
            raise forms.ValidationError(
                _(
                    "Le numéro de pré-demande compte exactement 10 caractères, chiffres et "
                    "lettres (par exemple AB12CD34EF)."
                ),
                code="ants_format",
            )
        return value

    def clean_for_whom(self):
        value = self.cleaned_data.get("for_whom") or ME
        if value != ME and family_member_from(value, self.family_members) is None:
            raise forms.ValidationError(_("Choisissez une personne de la liste."))
        return value

    @property
    def family_member(self):
        return family_member_from(self.cleaned_data.get("for_whom", ""), self.family_members)


class ResourceBookingForm(ContactFields):
    """A resource: a fixed slot, or a free range (start and end among the day's free
    half hours), the audience (the tariff) and an association's name."""

    start = InstantChoiceField(label=_("Début"))
    end = InstantChoiceField(label=_("Fin"), required=False)
    audience = forms.ChoiceField(label=_("Vous réservez en tant que"), widget=forms.RadioSelect)
    association_name = forms.CharField(
        label=_("Nom de l'association"),
        max_length=150,
        required=False,
        help_text=_("Si vous réservez pour une association."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    comment = forms.CharField(
        label=_("Message au service"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : l'objet de la réservation, le nombre de personnes…"),
    )

    field_order = ["start", "end", "audience", "association_name"]

    def __init__(self, *args, resource, slots=(), tariffs=(), price_for=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.fixed = bool(resource.slot_minutes)
        free = [slot for slot in slots if slot.free > 0]
        self.slot_ends = {instant_param(slot.start): slot.end for slot in free}
        if self.fixed:
            start = self.fields["start"]
            start.label = _("Créneau")
            start.widget = forms.RadioSelect()
            start.choices = [
                (
                    instant_param(slot.start),
                    _("%(start)s – %(end)s") % {"start": hm(slot.start), "end": hm(slot.end)},
                )
                for slot in free
            ]
            del self.fields["end"]
        else:
            self.fields["start"].widget = forms.Select()
            self.fields["start"].choices = [("", _("Choisir"))] + instant_choices(
                slot.start for slot in free
            )
            self.fields["end"].required = True
            self.fields["end"].widget = forms.Select()
            self.fields["end"].choices = [("", _("Choisir"))] + instant_choices(
                slot.end for slot in free
            )
            self.fields["end"].help_text = _(
                "Durée de %(min)s à %(max)s, au pas de 30 minutes."
            ) % {
                "min": _duration(resource.min_minutes),
                "max": _duration(resource.max_minutes),
            }
        # Every audience may book; one without its own tariff pays the engine's fallback.
        from .services.rules import resource_tariff

        agenda = resource.agenda
        audiences = list(TariffAudience.values)
        labels = dict(TariffAudience.choices)
        choices = []
        for audience in audiences:
            label = str(labels[audience])
            label = label[:1].upper() + label[1:]
            tariff = resource_tariff(agenda, audience) if tariffs else None
            if tariff is not None:
                label = f"{label} – {euros(tariff.amount_cents)} {tariff.get_unit_display()}"
            choices.append((audience, label))
        self.fields["audience"].choices = choices
        self.fields["audience"].initial = audiences[0]

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start")
        if self.fixed and start is not None:
            key = instant_param(start)
            cleaned["end"] = self.slot_ends.get(
                key, start + dt.timedelta(minutes=self.resource.slot_minutes)
            )
        elif start is not None and cleaned.get("end") is not None and cleaned["end"] <= start:
            self.add_error("end", _("La fin doit être après le début."))
        if (
            cleaned.get("audience") == TariffAudience.ASSOCIATION
            and not cleaned.get("association_name", "").strip()
        ):
            self.add_error("association_name", _("Indiquez le nom de l'association pour ce tarif."))
        return cleaned


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": rest}
    if not rest:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)02d") % {"h": hours, "m": rest}


def question_field(question) -> forms.Field:
    common = {
        "label": question.label,
        "required": question.required,
        "help_text": question.help_text,
    }
    kind = question.kind
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == QuestionKind.NUMBER:
        return forms.IntegerField(
            min_value=question.min_value,
            max_value=question.max_value,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == QuestionKind.CHOICE:
        choices = [(item, item) for item in question.choice_list]
        return forms.ChoiceField(choices=[("", _("Choisir"))] + choices, **common)
    if kind == QuestionKind.BOOLEAN:
        return forms.BooleanField(**common)
    return forms.CharField(max_length=200, **common)


def answer_value(value):
    """A JSON-friendly answer (dates as ISO strings)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class ParticipantForm(forms.Form):
    """One place: who comes (me, a family member, someone else), the category, the
    agenda's questions (fields ``q_<key>``)."""

    category = forms.ChoiceField(label=_("Tarif"), widget=forms.RadioSelect)
    who = forms.ChoiceField(label=_("Qui participe ?"), widget=forms.RadioSelect)
    first_name = forms.CharField(
        label=_("Prénom du participant"),
        max_length=80,
        required=False,
        help_text=_("Si vous inscrivez une autre personne."),
    )
    last_name = forms.CharField(
        label=_("Nom du participant"),
        max_length=80,
        required=False,
        help_text=_("Si vous inscrivez une autre personne."),
    )

    def __init__(self, *args, number, categories, questions, user, family_members, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.user = user
        self.family_members = list(family_members)
        self.questions = list(questions)
        self.categories = list(categories)
        self.fields["who"].choices = for_whom_choices(user, self.family_members) + [
            (OTHER, _("Une autre personne"))
        ]
        self.fields["category"].choices = [
            (str(category.pk), category_label(category)) for category in self.categories
        ]
        if len(self.categories) == 1:
            self.fields["category"].initial = str(self.categories[0].pk)
        for question in self.questions:
            self.fields[f"q_{question.key}"] = question_field(question)

    @property
    def question_fields(self):
        return [self[f"q_{question.key}"] for question in self.questions]

    def clean(self):
        cleaned = super().clean()
        who = cleaned.get("who")
        if who == OTHER:
            for name in ("first_name", "last_name"):
                if not cleaned.get(name, "").strip():
                    self.add_error(name, _("Indiquez le prénom et le nom de la personne inscrite."))
        elif who and who != ME and family_member_from(who, self.family_members) is None:
            self.add_error("who", _("Choisissez une personne de la liste."))
        return cleaned

    def to_input(self):
        from .services import ParticipantInput

        data = self.cleaned_data
        who = data["who"]
        member = family_member_from(who, self.family_members)
        if member is not None:
            first_name, last_name = member.first_name, member.last_name
        elif who == ME:
            first_name, last_name = self.user.first_name, self.user.last_name
        else:
            first_name, last_name = data["first_name"].strip(), data["last_name"].strip()
        return ParticipantInput(
            category_id=int(data["category"]) if data.get("category") else None,
            first_name=first_name,
            last_name=last_name,
            family_member_id=member.pk if member is not None else None,
            answers={
                question.key: answer_value(data.get(f"q_{question.key}"))
                for question in self.questions
                if data.get(f"q_{question.key}") not in (None, "")
            },
        )


def category_label(category) -> str:
    price = euros(category.price_cents) if category.price_cents else _("gratuit")
    label = f"{category.name} – {price}"
    if category.resident_only:
        label += " " + str(_("(habitants de la commune)"))
    if category.quota is not None:
        left = max(category.quota - category.taken, 0)
        if left:
            left_label = ngettext(
                "%(n)s place dans ce tarif", "%(n)s places dans ce tarif", left
            ) % {"n": left}
        else:
            left_label = str(_("complet"))
        label += " – " + left_label
    return label


class SessionBookingForm(forms.Form):
    """How many places, and a contact phone. Participants are :class:`ParticipantForm`
    instances prefixed ``p1``, ``p2``… built by the view for the chosen number."""

    places = forms.TypedChoiceField(label=_("Nombre de participants"), coerce=int)
    phone = ContactFields.base_fields["phone"]

    def __init__(self, *args, max_places: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].choices = [(n, str(n)) for n in range(1, max_places + 1)]
        self.fields["places"].initial = 1

    def clean_phone(self):
        return ContactFields.clean_phone(self)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MoveForm(forms.Form):
    """Another start (and end, free-range resources) for a booking."""

    start = InstantChoiceField(label=_("Nouvel horaire"), widget=forms.RadioSelect)
    end = InstantChoiceField(label=_("Fin"), required=False)

    def __init__(self, *args, slots=(), free_range=False, **kwargs):
        super().__init__(*args, **kwargs)
        free = [slot for slot in slots if slot.free > 0]
        self.free_range = free_range
        self.slot_ends = {instant_param(slot.start): slot.end for slot in free}
        if free_range:
            self.fields["start"].label = _("Nouveau début")
            self.fields["start"].widget = forms.Select()
            self.fields["start"].choices = [("", _("Choisir"))] + instant_choices(
                slot.start for slot in free
            )
            self.fields["end"].label = _("Nouvelle fin")
            self.fields["end"].required = True
            self.fields["end"].widget = forms.Select()
            self.fields["end"].choices = [("", _("Choisir"))] + instant_choices(
                slot.end for slot in free
            )
        else:
            self.fields["start"].choices = [
                (
                    instant_param(slot.start),
                    _("%(start)s – %(end)s") % {"start": hm(slot.start), "end": hm(slot.end)},
                )
                for slot in free
            ]
            del self.fields["end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.free_range and start and end and end <= start:
            self.add_error("end", _("La fin doit être après le début."))
        return cleaned
