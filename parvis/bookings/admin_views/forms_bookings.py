"""Forms of the agents' booking pages: the actions on a booking and the booking taken at
the counter or by phone for a resident. Domain errors of the engine are added next to
their field by the views; every field keeps what was typed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parvis.payments.models import OfflineMeans

from ..models import BookingChannel, QuestionKind, TariffAudience

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Communiqué à la personne dans l'e-mail qui la prévient."),
    )


class ApproveForm(forms.Form):
    """Nothing to type: the deposit to ask for is shown on the page."""


class MoveForm(forms.Form):
    start = forms.DateTimeField(
        label=gettext_lazy("Nouveau début"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    end = forms.DateTimeField(
        label=gettext_lazy("Nouvelle fin"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        required=False,
        help_text=gettext_lazy("Ressources seulement ; vide : même durée qu'avant."),
    )

    def __init__(self, *args, with_end: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_end:
            del self.fields["end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("La fin doit suivre le début."))
        return cleaned


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        label=gettext_lazy("Présence"),
        choices=[("1", gettext_lazy("présent")), ("0", gettext_lazy("absent"))],
        coerce=lambda value: value == "1",
    )
    participant = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SettleForm(forms.Form):
    means = forms.ChoiceField(
        label=gettext_lazy("Moyen de paiement"),
        choices=OfflineMeans.choices,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=gettext_lazy("Référence"),
        max_length=100,
        help_text=gettext_lazy(
            "Numéro du chèque, du reçu remis pour des espèces ou du ticket du terminal."
        ),
    )


# --- the booking taken for a resident -------------------------------------------------------


class AccountSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Chercher un compte (e-mail, nom ou téléphone)"),
        min_length=3,
        max_length=120,
        required=False,
    )


def search_accounts(query: str, limit: int = 10):
    """Active accounts whose e-mail, last name or phone contains ``query`` (3 characters
    at least), e-mail order."""
    from django.db.models import Q

    query = (query or "").strip()
    if len(query) < 3:
        return []
    User = get_user_model()
    digits = "".join(ch for ch in query if ch.isdigit())
    condition = Q(email__icontains=query) | Q(last_name__icontains=query)
    if len(digits) >= 4:
        condition |= Q(phone__contains=digits)
    return list(User.objects.filter(condition, is_active=True).order_by("email")[:limit])


class PersonForm(forms.Form):
    """Who the booking is for: an account chosen by search, or someone without account."""

    account = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        widget=forms.HiddenInput,
    )
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=80, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom"), max_length=80, required=False)
    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        required=False,
        help_text=gettext_lazy("Pour la confirmation et le rappel. Facultative par téléphone."),
    )
    phone = forms.CharField(label=gettext_lazy("Téléphone"), max_length=20, required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("Demande reçue"),
        choices=[
            (BookingChannel.COUNTER, BookingChannel.COUNTER.label),
            (BookingChannel.PHONE, BookingChannel.PHONE.label),
        ],
        widget=forms.RadioSelect,
        initial=BookingChannel.COUNTER,
    )
    comment = forms.CharField(
        label=gettext_lazy("Note pour le service"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        if account is not None:
            self.fields["account"].initial = account.pk
            for name in ("first_name", "last_name", "email", "phone"):
                self.fields[name].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("account")
        if account is None:
            if not cleaned.get("last_name"):
                self.add_error("last_name", _("Indiquez le nom de la personne."))
            if not cleaned.get("email") and not cleaned.get("phone"):
                self.add_error(
                    "phone",
                    _("Indiquez un téléphone ou une adresse e-mail pour joindre la personne."),
                )
        return cleaned

    def person(self) -> dict:
        """Keyword arguments of the engine's booking functions for the person."""
        data = self.cleaned_data
        account = data.get("account")
        if account is not None:
            return {
                "user": account,
                "email": account.email,
                "first_name": account.first_name,
                "last_name": account.last_name,
                "phone": getattr(account, "phone", "") or "",
            }
        return {
            "user": None,
            "email": data.get("email") or "",
            "first_name": data.get("first_name") or "",
            "last_name": data.get("last_name") or "",
            "phone": data.get("phone") or "",
        }


class PaymentChoiceForm(forms.Form):
    """A paid booking: settled now at the desk, or held for the resident to pay online."""

    DESK, ONLINE = "desk", "online"
    settle = forms.ChoiceField(
        label=gettext_lazy("Règlement"),
        choices=[
            (DESK, gettext_lazy("Réglé maintenant à l'accueil")),
            (ONLINE, gettext_lazy("Payé en ligne par la personne (place bloquée en attendant)")),
        ],
        widget=forms.RadioSelect,
        initial=DESK,
    )
    means = forms.ChoiceField(
        label=gettext_lazy("Moyen de paiement"),
        choices=OfflineMeans.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reference = forms.CharField(
        label=gettext_lazy("Référence du règlement"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Numéro du chèque, du reçu ou du ticket du terminal."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("settle") == self.DESK:
            if not cleaned.get("means"):
                self.add_error("means", _("Choisissez le moyen de paiement."))
            if not (cleaned.get("reference") or "").strip():
                self.add_error(
                    "reference",
                    _("Indiquez une référence (numéro du chèque, du reçu ou du ticket)."),
                )
        return cleaned


def _slot_choices(slots):
    from django.utils import timezone

    return [
        (
            slot.start.isoformat(),
            f"{timezone.localtime(slot.start):%H:%M}–{timezone.localtime(slot.end):%H:%M}",
        )
        for slot in slots
    ]


class AppointmentForm(forms.Form):
    slot = forms.ChoiceField(label=gettext_lazy("Créneau"), widget=forms.RadioSelect)
    ants_number = forms.CharField(
        label=gettext_lazy("Numéro de pré-demande ANTS"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("10 lettres ou chiffres, donné par le site de l'ANTS."),
    )
    family_member = forms.ChoiceField(label=gettext_lazy("Pour"), required=False)

    def __init__(self, *args, slots=(), appointment_type=None, family=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = _slot_choices(slots)
        if appointment_type is None or not appointment_type.ants_required:
            del self.fields["ants_number"]
        _family_field(self, family)

    def clean_ants_number(self):
        return (self.cleaned_data.get("ants_number") or "").strip().upper()


class ResourceForm(forms.Form):
    slot = forms.ChoiceField(label=gettext_lazy("Créneau"), widget=forms.RadioSelect)
    start_time = forms.TimeField(
        label=gettext_lazy("De"), widget=forms.TimeInput(attrs={"type": "time", "step": 1800})
    )
    end_time = forms.TimeField(
        label=gettext_lazy("À"), widget=forms.TimeInput(attrs={"type": "time", "step": 1800})
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Tarif"), choices=TariffAudience.choices, initial="resident"
    )
    association_name = forms.CharField(
        label=gettext_lazy("Association"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Pour le tarif association."),
    )

    def __init__(self, *args, slots=(), free_range=False, **kwargs):
        super().__init__(*args, **kwargs)
        if free_range:
            del self.fields["slot"]
        else:
            del self.fields["start_time"]
            del self.fields["end_time"]
            self.fields["slot"].choices = _slot_choices([slot for slot in slots if slot.free])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == TariffAudience.ASSOCIATION and not cleaned.get(
            "association_name"
        ):
            self.add_error("association_name", _("Indiquez le nom de l'association."))
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("L'heure de fin doit suivre l'heure de début."))
        return cleaned


def _family_field(form, family):
    if family:
        form.fields["family_member"].choices = [("", _("La personne elle-même"))] + [
            (str(member.pk), member.full_name) for member in family
        ]
    else:
        del form.fields["family_member"]


class ParticipantForm(forms.Form):
    """One place of a session: who, at which category, with the agenda's questions."""

    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=80, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom"), max_length=80, required=False)
    category = forms.ChoiceField(label=gettext_lazy("Catégorie"))
    family_member = forms.ChoiceField(label=gettext_lazy("Membre de la famille"), required=False)

    def __init__(self, *args, categories=(), questions=(), family=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.fields["category"].choices = [
            (str(category.id), category.label) for category in categories
        ]
        self.only_category = None
        if len(self.fields["category"].choices) <= 1:
            # One category (or none): nothing to choose.
            self.fields["category"].widget = forms.HiddenInput()
            self.fields["category"].required = False
            if self.fields["category"].choices:
                self.only_category = self.fields["category"].choices[0][0]
                self.fields["category"].initial = self.only_category
        if family:
            self.fields["family_member"].choices = [("", _("Personne sans compte"))] + [
                (str(member.pk), member.full_name) for member in family
            ]
        else:
            del self.fields["family_member"]
        for question in self.questions:
            self.fields[f"q_{question.key}"] = _question_field(question)

    def clean(self):
        cleaned = super().clean()
        if self.only_category is not None:
            cleaned["category"] = self.only_category
        if not cleaned.get("family_member") and not cleaned.get("last_name"):
            self.add_error("last_name", _("Indiquez le nom du participant."))
        return cleaned

    def answers(self) -> dict:
        data = self.cleaned_data
        answers = {}
        for question in self.questions:
            value = data.get(f"q_{question.key}")
            if value in (None, ""):
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            answers[question.key] = value
        return answers


def _question_field(question):
    common = {
        "label": question.label,
        "required": question.required and question.kind != QuestionKind.BOOLEAN,
        "help_text": question.help_text,
    }
    kind = question.kind
    if kind == QuestionKind.NUMBER:
        return forms.IntegerField(
            min_value=question.min_value, max_value=question.max_value, **common
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == QuestionKind.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(choice, choice) for choice in question.choice_list], **common
        )
    if kind == QuestionKind.BOOLEAN:
        return forms.BooleanField(**common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, **common)
    return forms.CharField(max_length=200, **common)


class WaitingListForm(forms.Form):
    join_waiting_list = forms.BooleanField(
        label=gettext_lazy("Si la séance est complète, inscrire sur la liste d'attente"),
        required=False,
        initial=True,
    )
