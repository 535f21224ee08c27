"""« Fermer une période » (strike, holidays): a form, a check that says how many bookings
the closure will cancel, then :func:`parvis.bookings.services.closure_create`, which
cancels them, refunds what was paid and tells their holders. A closure is never
created by a bare save."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import services
from ..exceptions import BookingError, InvalidAnswers
from ..models import OCCUPYING, Booking, BookingStatus
from .access import ADD_CLOSURE, agendas_for, require
from .forms_bookings import DATETIME_FORMATS, DATETIME_WIDGET


class ClosureForm(forms.Form):
    agenda = forms.ModelChoiceField(label=gettext_lazy("Agenda"), queryset=None)
    start = forms.DateTimeField(
        label=gettext_lazy("Début de la fermeture"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
    )
    end = forms.DateTimeField(
        label=gettext_lazy("Fin de la fermeture"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=gettext_lazy(
            "Exclue : pour fermer toute la journée du 5, indiquez du 5 à 00:00 au 6 à 00:00."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=200,
        help_text=gettext_lazy("Par exemple : grève, congés d'été, travaux."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message aux personnes concernées"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Ajouté à l'e-mail d'annulation (par exemple : comment reprendre rendez-vous)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda"].queryset = agendas_for(user).order_by("title")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("La fin doit être après le début."))
        return cleaned


def affected_bookings(agenda, start, end):
    return Booking.objects.filter(
        agenda=agenda,
        status__in=(BookingStatus.WAITING, *OCCUPYING),
        start__lt=end,
        end__gt=start,
    )


def closure_create_view(request):
    require(request.user, ADD_CLOSURE)
    initial = {}
    if (agenda_id := request.GET.get("agenda", "")).isdigit():
        initial["agenda"] = agenda_id
    form = ClosureForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    affected = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        affected = affected_bookings(data["agenda"], data["start"], data["end"]).count()
        if request.POST.get("confirm") == "1":
            try:
                closure = services.closure_create(
                    agenda=data["agenda"],
                    start=data["start"],
                    end=data["end"],
                    reason=data["reason"],
                    message=data["message"],
                    actor=request.user,
                )
            except InvalidAnswers as error:
                for field, errors in error.errors.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, str(message))
            except BookingError as error:
                form.add_error(None, str(error.message))
            else:
                count = closure.cancelled_bookings
                messages.success(
                    request,
                    ngettext(
                        "Période fermée : %(count)s réservation annulée, la personne est "
                        "prévenue par e-mail (et SMS quand elle a un mobile).",
                        "Période fermée : %(count)s réservations annulées, les personnes sont "
                        "prévenues par e-mail (et SMS quand elles ont un mobile).",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("bookings_admin_closure:inspect", closure.pk)
    return TemplateResponse(
        request,
        "bookings/admin/closure_form.html",
        {"form": form, "affected": affected, "checked": affected is not None},
    )
