"""Admin forms of agendas, sessions and desk absences: the checks a form can make before
anything is saved, each with a French message next to the field it is about.

Counters (``Session.taken``, ``TicketCategory.taken``) are never form fields; the views
re-read them under a row lock when a session is saved (see
:mod:`parvis.bookings.admin_views.viewsets`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from parvis.core.hours import validate_opening_hours

from ..models import (
    OCCUPYING,
    Agenda,
    AgendaKind,
    Booking,
    Desk,
    DeskAbsence,
    Participant,
)
from .access import agendas_for, scoped, services_for_user


def _live_forms(formset):
    """The child forms that will be kept (not marked for deletion, not empty extras)."""
    if formset is None:
        return []
    kept = []
    for form in formset.forms:
        if not form.is_valid():
            # Its own errors are already reported next to its fields.
            kept.append(form)
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if not form.has_changed() and not form.instance.pk:
            continue
        kept.append(form)
    return kept


def _deleted_forms(formset):
    if formset is None or not formset.can_delete:
        return []
    return [
        form
        for form in formset.forms
        if form.instance.pk and form.is_valid() and formset._should_delete_form(form)
    ]


def _keep(form, message) -> None:
    """Refuse the deletion of a child row: its error shows in the row, which stays on the
    page un-ticked, and the formset counts it again (so the whole form is invalid)."""
    form.add_error(None, message)
    form.cleaned_data[DELETION_FIELD_NAME] = False
    data = form.data.copy()
    data.pop(f"{form.prefix}-{DELETION_FIELD_NAME}", None)
    form.data = data


def _value(form, name, default=None):
    cleaned = getattr(form, "cleaned_data", None) or {}
    return cleaned.get(name, default)


class AgendaAdminForm(WagtailAdminModelForm):
    """The agenda with its desks, appointment types, resources, tariffs and questions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "service" in self.fields and self.for_user is not None:
            self.fields["service"].queryset = services_for_user(self.for_user)
            self.fields["service"].help_text = _(
                "Seuls les agents de ce service voient l'agenda et ses réservations."
            )

    # -- helpers ------------------------------------------------------------------------
    def _has_bookings(self) -> bool:
        return bool(self.instance.pk) and Booking.objects.filter(agenda=self.instance).exists()

    def clean_kind(self):
        kind = self.cleaned_data.get("kind")
        if self.instance.pk and kind != self.instance.kind and self._has_bookings():
            raise ValidationError(
                _(
                    "Cet agenda a déjà des réservations : son type ne peut plus changer. "
                    "Créez un nouvel agenda."
                )
            )
        return kind

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or self.instance.kind
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error(
                "closes_at", _("La clôture des réservations doit suivre leur ouverture.")
            )
        self._clean_desks(kind, cleaned)
        self._clean_types(kind, cleaned)
        self._clean_resources(kind, cleaned)
        self._clean_questions()
        self._clean_money(kind, cleaned)
        self._clean_deletions()
        return cleaned

    def _clean_desks(self, kind, cleaned):
        desks = _live_forms(self.formsets.get("desks"))
        for form in desks:
            value = (_value(form, "opening_hours") or "").strip()
            if not value:
                if "opening_hours" not in form.errors:
                    form.add_error(
                        "opening_hours",
                        _("Indiquez les horaires de réception, par exemple « Mo-Fr 08:30-12:00 »."),
                    )
                continue
            try:
                validate_opening_hours(value)
            except ValidationError as error:
                form.add_error("opening_hours", error)
        published = cleaned.get("status") == Agenda.Status.PUBLISHED
        if kind == AgendaKind.APPOINTMENT and published:
            if not any(_value(form, "active", True) for form in desks):
                self.add_error(
                    "status",
                    _("Un agenda de rendez-vous publié a besoin d'au moins un guichet actif."),
                )

    def _clean_types(self, kind, cleaned):
        types = _live_forms(self.formsets.get("appointment_types"))
        if kind == AgendaKind.APPOINTMENT and cleaned.get("status") == Agenda.Status.PUBLISHED:
            if not types:
                self.add_error(
                    "status",
                    _("Un agenda de rendez-vous publié a besoin d'au moins un motif."),
                )

    def _clean_resources(self, kind, cleaned):
        resources = _live_forms(self.formsets.get("resources"))
        agenda_place = cleaned.get("place")
        for form in resources:
            value = (_value(form, "opening_hours") or "").strip()
            if value:
                try:
                    validate_opening_hours(value)
                except ValidationError as error:
                    form.add_error("opening_hours", error)
            else:
                place = _value(form, "place") or agenda_place
                if place is None or not place.opening_hours:
                    form.add_error(
                        "opening_hours",
                        _(
                            "Indiquez les horaires de réservation, ou choisissez un lieu de "
                            "l'annuaire qui a des horaires."
                        ),
                    )
            low, high = _value(form, "min_minutes"), _value(form, "max_minutes")
            if low is not None and high is not None and low > high:
                form.add_error(
                    "max_minutes", _("La durée maximum doit être au moins la durée minimum.")
                )
            slot = _value(form, "slot_minutes")
            if slot is not None and slot < 5:
                form.add_error("slot_minutes", _("Un créneau dure au moins 5 minutes."))
        if kind == AgendaKind.RESOURCE and cleaned.get("status") == Agenda.Status.PUBLISHED:
            if not any(_value(form, "active", True) for form in resources):
                self.add_error(
                    "status",
                    _("Un agenda de ressources publié a besoin d'au moins une ressource."),
                )

    def _clean_questions(self):
        seen: dict[str, forms.Form] = {}
        for form in _live_forms(self.formsets.get("questions")):
            key = _value(form, "key")
            if key:
                if key in seen:
                    form.add_error(
                        "key", _("Cet identifiant est déjà utilisé par une autre question.")
                    )
                seen[key] = form
            if _value(form, "kind") == "choice" and not (_value(form, "choices") or "").strip():
                form.add_error("choices", _("Indiquez les choix possibles, un par ligne."))
            low, high = _value(form, "min_value"), _value(form, "max_value")
            if low is not None and high is not None and low > high:
                form.add_error("max_value", _("Le maximum doit être au moins le minimum."))

    def _clean_money(self, kind, cleaned):
        paid = any(
            (_value(form, "amount_cents") or 0) > 0
            for form in _live_forms(self.formsets.get("tariffs"))
        ) or any(
            (_value(form, "price_cents") or 0) > 0
            for form in _live_forms(self.formsets.get("appointment_types"))
        )
        if paid and not cleaned.get("regie"):
            self.add_error(
                "regie",
                _("Un tarif est payant : choisissez la régie qui encaisse les paiements."),
            )
        if cleaned.get("allow_guests"):
            if kind != AgendaKind.APPOINTMENT:
                self.add_error(
                    "allow_guests",
                    _("La réservation sans compte n'est possible que pour des rendez-vous."),
                )
            elif paid:
                self.add_error(
                    "allow_guests",
                    _(
                        "La réservation sans compte n'est possible que pour des rendez-vous "
                        "gratuits."
                    ),
                )
        audiences = [_value(form, "audience") for form in _live_forms(self.formsets.get("tariffs"))]
        for form in _live_forms(self.formsets.get("tariffs")):
            if audiences.count(_value(form, "audience")) > 1:
                form.add_error("audience", _("Un seul tarif par public."))

    def _clean_deletions(self):
        """Desks, appointment types and resources that have bookings are kept (their
        bookings point to them): they are made inactive instead."""
        checks = (
            ("desks", "desk", _("Ce guichet a des réservations : décochez « actif » plutôt.")),
            (
                "appointment_types",
                "appointment_type",
                _("Ce motif a des réservations : il ne peut pas être supprimé."),
            ),
            (
                "resources",
                "resource",
                _("Cette ressource a des réservations : décochez « réservable » plutôt."),
            ),
        )
        for relation, field, message in checks:
            deleted = _deleted_forms(self.formsets.get(relation))
            if not deleted:
                continue
            used = set(
                Booking.objects.filter(
                    **{f"{field}__in": [form.instance.pk for form in deleted]}
                ).values_list(f"{field}_id", flat=True)
            )
            for form in deleted:
                if form.instance.pk in used:
                    _keep(form, message)


class SessionAdminForm(WagtailAdminModelForm):
    """A session of an event agenda with its ticket categories."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "agenda" in self.fields and self.for_user is not None:
            self.fields["agenda"].queryset = agendas_for(self.for_user).filter(
                kind=AgendaKind.EVENT
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("La fin doit suivre le début."))
        capacity = cleaned.get("capacity")
        if capacity is not None and self.instance.pk and capacity < self.instance.taken:
            self.add_error(
                "capacity",
                _(
                    "%(taken)s place(s) sont déjà prises : le nombre de places ne peut pas "
                    "être inférieur."
                )
                % {"taken": self.instance.taken},
            )
        agenda = cleaned.get("agenda") or (
            self.instance.agenda if self.instance.agenda_id else None
        )
        categories = _live_forms(self.formsets.get("categories"))
        for form in categories:
            quota = _value(form, "quota")
            taken = form.instance.taken if form.instance.pk else 0
            if quota is not None and quota < taken:
                form.add_error(
                    "quota",
                    _("%(taken)s place(s) de cette catégorie sont déjà prises.") % {"taken": taken},
                )
        paid = any((_value(form, "price_cents") or 0) > 0 for form in categories)
        if paid and agenda is not None and agenda.regie_id is None:
            self.add_error(
                None,
                _(
                    "Une catégorie est payante mais l'agenda « %(agenda)s » n'a pas de régie : "
                    "choisissez-en une dans l'agenda."
                )
                % {"agenda": agenda},
            )
        deleted = _deleted_forms(self.formsets.get("categories"))
        if deleted:
            used = set(
                Participant.objects.filter(
                    category__in=[form.instance.pk for form in deleted]
                ).values_list("category_id", flat=True)
            )
            for form in deleted:
                if form.instance.pk in used:
                    _keep(
                        form,
                        _("Cette catégorie a des participants : elle ne peut pas être supprimée."),
                    )
        if cleaned.get("cancelled") and self.instance.pk and not self.instance.cancelled:
            if Booking.objects.filter(session=self.instance, status__in=OCCUPYING).exists():
                self.add_error(
                    "cancelled",
                    _(
                        "Des réservations sont en cours : fermez la période de la séance "
                        "(« Fermer une période ») pour les annuler et prévenir les personnes."
                    ),
                )
        return cleaned


class DeskAbsenceAdminForm(forms.ModelForm):
    """An absence of one of the user's desks."""

    class Meta:
        model = DeskAbsence
        fields = ["desk", "start", "end", "reason"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None and "desk" in self.fields:
            self.fields["desk"].queryset = scoped(
                Desk.objects.select_related("agenda"), for_user
            ).order_by("agenda__title", "sort_order")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("La fin doit suivre le début."))
        return cleaned


__all__ = ["AgendaAdminForm", "DeskAbsenceAdminForm", "SessionAdminForm"]
