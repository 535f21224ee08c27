"""The public page a directory entry's contact reaches from a verification e-mail.

Anyone holding the link may confirm the entry or report changes; the page shows only the
entry's public data. The link is checked on every request (see
:mod:`parvis.directory.services.verification`); a bad link gets a page of its own with
status 400 (altered) or 410 (expired or already used), never a 500.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .exceptions import PlaceInvalid, VerificationLinkInvalid
from .forms import VerificationChangeForm
from .services.verification import (
    verification_confirm,
    verification_place_for_token,
    verification_report_changes,
)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _invalid(request, exc: VerificationLinkInvalid):
    return render(
        request,
        "directory/verify/invalid.html",
        {"message": exc.message, "expired": exc.status == 410},
        status=exc.status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    """Show the entry with « Tout est exact » and « Je signale des changements »."""
    try:
        place = verification_place_for_token(token=token)
    except VerificationLinkInvalid as exc:
        return _invalid(request, exc)
    form = VerificationChangeForm(place=place)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "confirm":
        try:
            place = verification_confirm(token=token, ip=_ip(request))
        except VerificationLinkInvalid as exc:
            return _invalid(request, exc)
        return render(request, "directory/verify/done.html", {"place": place, "confirmed": True})
    if action == "changes":
        form = VerificationChangeForm(request.POST, place=place)
        if form.is_valid():
            try:
                proposal = verification_report_changes(
                    token=token,
                    user=request.user,
                    changes=form.changes(),
                    message=form.cleaned_data["message"],
                    ip=_ip(request),
                )
            except VerificationLinkInvalid as exc:
                return _invalid(request, exc)
            except PlaceInvalid as exc:
                for field, messages in exc.errors.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return render(
                    request,
                    "directory/verify/done.html",
                    {"place": place, "confirmed": False, "proposal": proposal},
                )
    return render(
        request,
        "directory/verify/verify.html",
        {"place": place, "form": form, "show_form": action == "changes"},
    )
