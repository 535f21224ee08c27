"""Who may see and do what in the procedures back office (see the package docstring)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .. import selectors
from ..models import Request

VIEW_REQUEST = "procedures.view_request"
CHANGE_REQUEST = "procedures.change_request"
VIEW_PROCEDURE = "procedures.view_procedure"
CHANGE_PROCEDURE = "procedures.change_procedure"


def require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def request_or_404(user, pk) -> Request:
    """The request ``pk`` if it belongs to one of ``user``'s services; 404 otherwise (the
    same answer as a request that does not exist)."""
    require(user, VIEW_REQUEST)
    request = selectors.request_for_agent(user, pk)
    if request is None:
        raise Http404
    return request
