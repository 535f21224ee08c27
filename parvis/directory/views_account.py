"""Self-service of associations and businesses on the directory, under
``/annuaire/mon-association/``: claim an entry, propose a new one, propose changes to an
entry one represents. Every view needs a signed-in account with a verified e-mail address;
nothing reaches the public site before staff approve it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parvis.accounts.registration import verified_email_required

from .exceptions import DirectoryError, PlaceInvalid
from .forms_account import ClaimForm, PlaceProposalForm, PlaceSearchForm
from .models import Place, PlaceStatus, ProposalKind
from .selectors import place_list
from .selectors_proposals import places_represented_by, proposals_of
from .services.proposals import AlreadyRepresentative, place_proposable_values, proposal_submit

SEARCH_LIMIT = 20


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _add_errors(form, error: DirectoryError) -> None:
    """Show a domain error next to its field(s), or above the form."""
    errors = getattr(error, "errors", None) or {}
    placed = False
    for field, field_messages in errors.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)
        placed = True
    if not placed:
        form.add_error(error.field if error.field in form.fields else None, error.message)


def space_context(request) -> dict | None:
    """Context of the « Mes fiches et demandes » section of the personal space."""
    from parvis.accounts.registration import is_email_verified

    user = request.user
    if not user.is_authenticated:
        return None
    return {
        "verified": is_email_verified(user),
        "places": list(places_represented_by(user)),
        "proposals": proposals_of(user, limit=20),
    }


@verified_email_required
def account_home(request):
    """The person's entries and requests, and a search to find an entry to claim."""
    search = PlaceSearchForm(request.GET or None)
    results = None
    if search.is_valid() and search.cleaned_data["q"]:
        results = list(
            place_list(q=search.cleaned_data["q"]).only("pk", "name", "slug", "kind")[:SEARCH_LIMIT]
        )
    context = space_context(request)
    context.update({"search": search, "results": results})
    return render(request, "directory/account/home.html", context)


@verified_email_required
@require_http_methods(["GET", "POST"])
def claim(request, slug):
    place = get_object_or_404(Place, slug=slug, status=PlaceStatus.PUBLISHED)
    if place.representatives.filter(pk=request.user.pk).exists():
        messages.info(request, str(AlreadyRepresentative.default_message))
        return redirect("directory:account_edit", slug=place.slug)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_submit(
                user=request.user,
                kind=ProposalKind.CLAIM,
                place=place,
                data={"role": form.cleaned_data["role"]},
                message=form.cleaned_data["message"],
                ip=_ip(request),
            )
        except DirectoryError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Votre demande est envoyée. La mairie la vérifie et vous répond par e-mail."),
            )
            return redirect("directory:account_home")
    return render(request, "directory/account/claim.html", {"place": place, "form": form})


@verified_email_required
@require_http_methods(["GET", "POST"])
def propose(request):
    """Propose a new entry; it is published only once staff accept it."""
    form = PlaceProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_submit(
                user=request.user,
                kind=ProposalKind.NEW,
                data=form.proposal_data(),
                message=form.cleaned_data["message"],
                ip=_ip(request),
            )
        except (PlaceInvalid, DirectoryError) as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Votre proposition est envoyée. La fiche sera publiée dans l'annuaire "
                    "quand la mairie l'aura acceptée ; vous recevrez un e-mail."
                ),
            )
            return redirect("directory:account_home")
    return render(request, "directory/account/propose.html", {"form": form})


@verified_email_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    """Propose changes to an entry the person represents (404 for anyone else)."""
    place = get_object_or_404(places_represented_by(request.user), slug=slug)
    form = PlaceProposalForm(
        request.POST or None, for_change=True, initial=place_proposable_values(place)
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal_submit(
                user=request.user,
                kind=ProposalKind.CHANGE,
                place=place,
                data=form.proposal_data(),
                message=form.cleaned_data["message"],
                ip=_ip(request),
            )
        except DirectoryError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Vos modifications sont envoyées. Elles apparaîtront sur la fiche quand la "
                    "mairie les aura acceptées ; vous recevrez un e-mail."
                ),
            )
            return redirect("directory:account_home")
    return render(request, "directory/account/edit.html", {"place": place, "form": form})
