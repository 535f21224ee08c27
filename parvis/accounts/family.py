"""« Membres de ma famille » (``/comptes/famille/``): the people a resident books or
registers for. Each account sees and changes only its own; another account's member is a
404. Every change goes to the audit log. Bookings copy the names they need, so editing or
removing a member never rewrites a past booking."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from parvis.core.audit import audit_log_record

from .models import FamilyMember

#: At most this many family members per account (a household, not a directory).
MAX_MEMBERS = 20


class FamilyMemberForm(forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = ["first_name", "last_name", "birth_date", "relation", "notes"]
        labels = {
            "first_name": gettext_lazy("Prénom"),
            "last_name": gettext_lazy("Nom"),
            "birth_date": gettext_lazy("Date de naissance"),
            "relation": gettext_lazy("Lien avec vous"),
            "notes": gettext_lazy("Informations utiles"),
        }
        help_texts = {
            "birth_date": gettext_lazy("Facultatif. Certaines activités dépendent de l'âge."),
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.TextInput(),
        }

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("La date de naissance ne peut pas être dans le futur."))
        return value


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _own_member(request, pk) -> FamilyMember:
    return get_object_or_404(FamilyMember, pk=pk, user=request.user)


def family_member_save(*, form: FamilyMemberForm, user, ip=None) -> FamilyMember:
    """Create or update the member of ``user``'s family described by ``form``."""
    creating = form.instance.pk is None
    with transaction.atomic():
        member = form.save(commit=False)
        member.user = user
        member.save()
        audit_log_record(
            actor=user,
            action="accounts.family_member_added" if creating else "accounts.family_member_changed",
            obj=member,
            data={"fields": sorted(form.changed_data)},
            ip=ip,
        )
    return member


def family_member_delete(*, member: FamilyMember, user, ip=None) -> None:
    with transaction.atomic():
        audit_log_record(
            actor=user,
            action="accounts.family_member_removed",
            obj=member,
            data={"name": member.full_name},
            ip=ip,
        )
        member.delete()


@login_required
def family_list(request):
    members = list(request.user.family_members.all())
    return render(
        request,
        "accounts/family_list.html",
        {"members": members, "can_add": len(members) < MAX_MEMBERS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_add(request):
    if request.user.family_members.count() >= MAX_MEMBERS:
        messages.error(
            request,
            _("Vous avez atteint le nombre maximum de %(n)s personnes.") % {"n": MAX_MEMBERS},
        )
        return redirect("accounts:family")
    form = FamilyMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = family_member_save(form=form, user=request.user, ip=_ip(request))
        messages.success(request, _("%(name)s a été ajouté(e).") % {"name": member.full_name})
        return redirect("accounts:family")
    return render(request, "accounts/family_form.html", {"form": form, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request, pk):
    member = _own_member(request, pk)
    form = FamilyMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        member = family_member_save(form=form, user=request.user, ip=_ip(request))
        messages.success(
            request,
            _("Les informations de %(name)s sont enregistrées.") % {"name": member.full_name},
        )
        return redirect("accounts:family")
    return render(request, "accounts/family_form.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def family_delete(request, pk):
    member = _own_member(request, pk)
    if request.method == "POST":
        name = member.full_name
        family_member_delete(member=member, user=request.user, ip=_ip(request))
        messages.success(request, _("%(name)s a été retiré(e) de votre famille.") % {"name": name})
        return redirect("accounts:family")
    return render(request, "accounts/family_delete.html", {"member": member})


urlpatterns = [
    path("famille/", family_list, name="family"),
    path("famille/ajouter/", family_add, name="family_add"),
    path("famille/<int:pk>/", family_edit, name="family_edit"),
    path("famille/<int:pk>/supprimer/", family_delete, name="family_delete"),
]
