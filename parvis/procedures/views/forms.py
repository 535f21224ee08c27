"""Public pages of procedures: the catalogue, a procedure's presentation, its multi-page
form with drafts, the check-and-send page, and the staff preview of an unpublished form.

Who may fill a form: « compte » procedures need a signed-in account with a verified
address (:func:`verified_email_required`); the others a proven e-mail address
(:func:`email_proof_required`, which a verified account satisfies). Each page's input,
valid or not, is kept in a :class:`Draft` (an account's, or a guest's whose id the
session holds); values are computed again from that input, page by page, before sending,
and the whole submission is validated once more by ``request_submit`` against the
version. Views orchestrate; services write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from parvis.accounts.email_proof import email_proof_required, proven_email
from parvis.accounts.registration import verified_email_required
from parvis.core.services_access import user_works_for

from ..exceptions import ProcedureError, SubmissionInvalid
from ..formspec import FormSpec, check_schema, freeze, page_form, summary_pages
from ..formspec.forms import as_form_data, input_add_row, input_remove_row
from ..formspec.render import error_list, page_items
from ..formspec.validation import validate_submission
from ..formspec.values import file_entry
from ..models import Attachment, Audience, Draft, Procedure
from ..services import definitions
from ..uploads import attachment_store

logger = logging.getLogger(__name__)

SESSION_DRAFTS = "parvis_procedure_drafts"
SESSION_SUBMITTED = "parvis_procedure_submitted"


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _published(slug: str) -> Procedure:
    return get_object_or_404(
        Procedure.objects.select_related("service", "current_version"),
        slug=slug,
        status=Procedure.Status.PUBLISHED,
        current_version__isnull=False,
    )


def csrf_failure_back(view):
    """CSRF checked here rather than by the middleware: a POST whose token no longer
    matches (expired session, cookies cleared) changes nothing and is sent back to the
    page it came from (through the sign-in or the e-mail proof when needed), where the
    browser's local copy puts the typed values back; never a dead-end 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            rejected = CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})
            if rejected is not None:
                logger.info("procedure form: stale CSRF token on %s", request.path)
                messages.warning(
                    request,
                    _(
                        "Votre session avait expiré : cette étape n'a pas été enregistrée. "
                        "Vérifiez les réponses ci-dessous (ce qui a été saisi sur cet appareil "
                        "est gardé), puis continuez."
                    ),
                )
                return redirect(request.path)
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def submitter_required(view):
    """Load the published procedure named by ``slug`` and apply its audience's guard."""

    @wraps(view)
    def wrapper(request, slug, **kwargs):
        procedure = _published(slug)

        def inner(request):
            return view(request, procedure, **kwargs)

        guard = (
            verified_email_required
            if procedure.audience == Audience.ACCOUNT
            else email_proof_required
        )
        return guard(inner)(request)

    return wrapper


@dataclass
class FormState:
    procedure: Procedure
    spec: FormSpec
    user: object | None
    email: str
    draft: Draft | None
    changed_version: bool = False

    @property
    def version(self):
        return self.procedure.current_version

    @property
    def storage_key(self) -> str:
        return f"parvis:procedure:{self.procedure.pk}:v{self.version.number}"

    def data(self) -> dict:
        return (self.draft.data if self.draft else None) or {}

    def stored_input(self, index: int) -> dict:
        return (self.data().get("input") or {}).get(str(index)) or {}

    def valid_pages(self) -> set[int]:
        return set(self.data().get("valid_pages") or [])

    def values_before(self, index: int) -> dict:
        values = self.data().get("values") or {}
        return {
            key: value
            for key, value in values.items()
            if key in self.spec.fields and self.spec.page_of(key) < index
        }

    def first_incomplete(self) -> int:
        valid = self.valid_pages()
        for index in range(len(self.spec)):
            if index not in valid:
                return index
        return len(self.spec)


def _user(request):
    return request.user if request.user.is_authenticated else None


def _load_state(request, procedure: Procedure) -> FormState:
    user = _user(request)
    if procedure.audience == Audience.ACCOUNT:
        email = user.email
    else:
        email = proven_email(request) or ""
    if user is not None:
        draft = definitions.draft_load(procedure=procedure, user=user)
    else:
        public_id = (request.session.get(SESSION_DRAFTS) or {}).get(str(procedure.pk))
        draft = definitions.draft_load(procedure=procedure, public_id=public_id)
        if draft is not None and draft.email and draft.email != email:
            draft = None  # another proven address: another person's draft
    state = FormState(
        procedure=procedure,
        spec=FormSpec(procedure.current_version.schema),
        user=user,
        email=email,
        draft=draft,
    )
    if draft is not None and draft.version_id != procedure.current_version_id:
        # The form changed since: keep what was typed, check every page again.
        draft.data = {**(draft.data or {}), "values": {}, "valid_pages": []}
        draft.version = procedure.current_version
        draft.save(update_fields=["data", "version", "updated_at"])
        state.changed_version = True
    return state


def _remember_guest_draft(request, state: FormState) -> None:
    if state.user is None and state.draft is not None:
        drafts = dict(request.session.get(SESSION_DRAFTS) or {})
        if drafts.get(str(state.procedure.pk)) != str(state.draft.public_id):
            drafts[str(state.procedure.pk)] = str(state.draft.public_id)
            request.session[SESSION_DRAFTS] = drafts


def _pending_attachments(draft: Draft | None) -> dict[str, list[Attachment]]:
    if draft is None:
        return {}
    grouped: dict[str, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(draft=draft, request__isnull=True).order_by(
        "created_at", "pk"
    ):
        grouped.setdefault(attachment.field_key, []).append(attachment)
    return grouped


def page_url(procedure: Procedure, index: int, **query) -> str:
    url = reverse("procedures:form_page", kwargs={"slug": procedure.slug, "page": index + 1})
    return f"{url}?{urlencode(query)}" if query else url


def _review_url(procedure: Procedure) -> str:
    return reverse("procedures:form_review", kwargs={"slug": procedure.slug})


def _saved_at(state: FormState) -> int:
    """When the server last saved this draft (ms since the epoch) for the page's script:
    a local copy newer than that is restored into the page."""
    if state.draft is None:
        return 0
    return int(state.draft.updated_at.timestamp() * 1000)


# --- catalogue and presentation -------------------------------------------------------------


def procedure_list(request):
    """The published procedures, grouped by service."""
    procedures = list(
        Procedure.objects.filter(status=Procedure.Status.PUBLISHED, current_version__isnull=False)
        .select_related("service")
        .order_by("service__name", "title")
    )
    groups: list[dict] = []
    for procedure in procedures:
        if not groups or groups[-1]["service"].pk != procedure.service_id:
            groups.append({"service": procedure.service, "procedures": []})
        groups[-1]["procedures"].append(procedure)
    return render(request, "procedures/list.html", {"groups": groups})


def procedure_detail(request, slug):
    """What the procedure is for, who may submit, fee, delay, documents to provide."""
    from parvis.payments.formatting import euros

    procedure = _published(slug)
    spec = FormSpec(procedure.current_version.schema)
    draft = None
    user = _user(request)
    if user is not None:
        draft = definitions.draft_load(procedure=procedure, user=user)
    else:
        public_id = (request.session.get(SESSION_DRAFTS) or {}).get(str(procedure.pk))
        draft = definitions.draft_load(procedure=procedure, public_id=public_id)
    documents = [
        {
            "label": field["label"],
            "help": field.get("help_text"),
            "required": field["required"],
            "conditional": bool(field.get("show_if")),
        }
        for field in spec.documents()
    ]
    fee = procedure.current_version.fee_cents
    context = {
        "procedure": procedure,
        "documents": documents,
        "fee": euros(fee) if fee else "",
        "pages": len(spec),
        "draft": draft,
        "resume_url": page_url(procedure, min(draft.page, len(spec) - 1)) if draft else "",
        "start_url": reverse("procedures:form_start", kwargs={"slug": procedure.slug}),
        "needs_account": procedure.audience == Audience.ACCOUNT,
    }
    return render(request, "procedures/detail.html", context)


# --- the form -------------------------------------------------------------------------------


@never_cache
@submitter_required
def form_start(request, procedure):
    """Go to the first page to fill (a draft resumes where it stopped)."""
    state = _load_state(request, procedure)
    if state.changed_version:
        messages.warning(request, _version_changed_message())
    index = state.first_incomplete()
    if index >= len(state.spec):
        return redirect(_review_url(procedure))
    return redirect(page_url(procedure, index))


def _version_changed_message() -> str:
    return _(
        "Le formulaire a été modifié depuis votre dernière visite : vos réponses ont été "
        "gardées, vérifiez chaque étape."
    )


def _map_context(form) -> dict:
    from django.conf import settings as django_settings

    tile_url = getattr(django_settings, "PARVIS_MAP_TILE_URL", "")
    uses_map = bool(tile_url) and any(
        field["type"] == "address" and field["options"].get("with_point")
        for field in form.page_fields
    )
    return {
        "uses_map": uses_map,
        "map_tile_url": tile_url,
        "map_tile_attribution": getattr(django_settings, "PARVIS_MAP_TILE_ATTRIBUTION", ""),
    }


def _page_context(request, state: FormState, index: int, form, *, tampered=False) -> dict:
    return {
        **_map_context(form),
        "steps": [
            {"title": page["title"], "current": number == index}
            for number, page in enumerate(state.spec.pages)
        ],
        "procedure": state.procedure,
        "state": state,
        "form": form,
        "items": page_items(form),
        "errors": [] if form.quiet else error_list(form),
        "form_step": state.spec.pages[index],
        "index": index,
        "number": index + 1,
        "total": len(state.spec),
        "is_last": index == len(state.spec) - 1,
        "previous_url": page_url(state.procedure, index - 1) if index else "",
        "storage_key": state.storage_key,
        "saved_at": _saved_at(state),
        "has_server_input": bool(state.stored_input(index)),
        "tampered": tampered,
        "has_files": any(field["type"] == "file" for field in form.page_fields),
        "is_account": state.user is not None,
    }


def _bound_from_draft(state: FormState, index: int, *, quiet: bool, attachments=None):
    stored = state.stored_input(index)
    attachments = attachments if attachments is not None else _pending_attachments(state.draft)
    if stored:
        return page_form(
            state.spec,
            index,
            data=as_form_data(stored),
            known_values=state.values_before(index),
            attachments=attachments,
            strict=False,
            quiet=quiet,
        )
    return page_form(
        state.spec, index, known_values=state.values_before(index), attachments=attachments
    )


@never_cache
@csrf_failure_back
@require_http_methods(["GET", "HEAD", "POST"])
@submitter_required
def form_page(request, procedure, page: int):
    state = _load_state(request, procedure)
    index = page - 1
    if not 0 <= index < len(state.spec):
        raise Http404
    first = state.first_incomplete()
    if index > first:
        return redirect(page_url(procedure, first))
    if state.changed_version and request.method != "POST":
        messages.warning(request, _version_changed_message())
    if request.method == "POST":
        return _page_post(request, state, index)
    show_errors = request.GET.get("erreurs") == "1"
    form = _bound_from_draft(state, index, quiet=not show_errors)
    if show_errors and form.is_bound:
        form.is_valid()
    return render(request, "procedures/form_page.html", _page_context(request, state, index, form))


def _apply_file_changes(state: FormState, form, existing: dict[str, list[Attachment]]) -> None:
    for key, change in form.file_changes.items():
        field = state.spec.fields[key]
        current = existing.get(key, [])
        removed = [a for a in current if str(a.public_id) in set(change["remove"])]
        definitions.attachments_delete(attachments=removed)
        room = field["options"]["max_files"] - (len(current) - len(removed))
        for upload, content_type, sha256 in change["add"][: max(room, 0)]:
            attachment_store(
                uploaded_file=upload,
                content_type=content_type,
                sha256=sha256,
                field_key=key,
                draft=state.draft,
                user=state.user,
            )


def _page_post(request, state: FormState, index: int):
    procedure = state.procedure
    action = request.POST.get("action", "next")
    existing = _pending_attachments(state.draft)
    form = page_form(
        state.spec,
        index,
        data=request.POST,
        files=request.FILES,
        known_values=state.values_before(index),
        attachments=existing,
    )
    valid = form.is_valid()
    if form.tampered:
        logger.warning(
            "procedure %s page %s: refused post (%s)",
            procedure.slug,
            index + 1,
            "; ".join(str(reason) for reason in form.tamper_reasons),
        )
        context = _page_context(request, state, index, form, tampered=True)
        return render(request, "procedures/form_page.html", context, status=400)
    page_input = form.stored_input()
    with transaction.atomic():
        if state.draft is None:
            state.draft = definitions.draft_save(
                procedure=procedure,
                version=state.version,
                user=state.user,
                email=state.email,
                page=index,
            )
        _apply_file_changes(state, form, existing)
        stored_files = _pending_attachments(state.draft)
        values = None
        if valid:
            values = dict(form.values)
            for field in form.page_fields:
                if field["type"] == "file" and field["key"] in values:
                    values[field["key"]] = [
                        file_entry(a) for a in stored_files.get(field["key"], [])
                    ]
        if action.startswith(("add_row:", "remove_row:")):
            page_input = _row_action(state, action, page_input)
            valid = False
        state.draft = definitions.draft_save(
            procedure=procedure,
            version=state.version,
            draft=state.draft,
            email=state.email,
            page=index,
            page_input=page_input,
            page_values=values,
            valid=valid,
        )
    _remember_guest_draft(request, state)
    if action.startswith(("add_row:", "remove_row:")):
        key = action.split(":")[1]
        return redirect(page_url(procedure, index) + f"#fs-{key}")
    if action == "previous" and index > 0:
        return redirect(page_url(procedure, index - 1))
    if action == "save":
        messages.success(
            request,
            _("Vos réponses sont enregistrées : vous pourrez reprendre plus tard.")
            if state.user is not None
            else _(
                "Vos réponses sont enregistrées pour cette visite (24 heures au plus) : "
                "créez un compte pour les garder plus longtemps."
            ),
        )
        return redirect(reverse("procedures:detail", kwargs={"slug": procedure.slug}))
    if valid:
        if index + 1 < len(state.spec):
            return redirect(page_url(procedure, index + 1))
        return redirect(_review_url(procedure))
    form.attachments = stored_files
    return render(request, "procedures/form_page.html", _page_context(request, state, index, form))


def _row_action(state: FormState, action: str, page_input: dict) -> dict:
    parts = action.split(":")
    group = state.spec.fields.get(parts[1])
    if group is None or group["type"] != "group":
        return page_input
    if parts[0] == "add_row":
        return input_add_row(page_input, group)
    try:
        row = int(parts[2])
    except (IndexError, ValueError):
        return page_input
    return input_remove_row(page_input, group, row)


def _revalidate(state: FormState):
    """Every page again from its stored input, in order: ``(values, attachments,
    first invalid page or None)``. Pending files of hidden fields are left out."""
    attachments = _pending_attachments(state.draft)
    values: dict = {}
    for index in range(len(state.spec)):
        form = page_form(
            state.spec,
            index,
            data=as_form_data(state.stored_input(index)),
            known_values=values,
            attachments=attachments,
            strict=False,
        )
        if not form.is_valid():
            return values, attachments, index
        page_values = dict(form.values)
        for field in form.page_fields:
            if field["type"] == "file" and field["key"] in page_values:
                page_values[field["key"]] = [
                    file_entry(a) for a in attachments.get(field["key"], [])
                ]
        values.update(page_values)
    kept = [a for key, items in attachments.items() if key in values for a in items]
    return values, kept, None


@never_cache
@csrf_failure_back
@require_http_methods(["GET", "HEAD", "POST"])
@submitter_required
def form_review(request, procedure):
    """« Vérifier et envoyer »: every answer, a link to change each page, then send."""
    from parvis.payments.formatting import euros

    state = _load_state(request, procedure)
    if state.draft is None:
        return redirect(page_url(procedure, 0))
    values, attachments, invalid = _revalidate(state)
    if invalid is not None:
        if request.method == "POST":
            messages.error(request, _("Une étape est à corriger avant l'envoi."))
        return redirect(page_url(procedure, invalid, erreurs="1"))
    error = ""
    if request.method == "POST":
        try:
            validate_submission(state.spec, values, _files_map(attachments))
            submitted = _submit(request, state, values, attachments)
        except SubmissionInvalid as invalid_submission:
            error = " ".join(
                str(message)
                for messages_ in invalid_submission.errors.values()
                for message in messages_
            )
        except ProcedureError as failure:
            error = str(failure.message)
        else:
            return redirect(
                reverse(
                    "procedures:form_done",
                    kwargs={"slug": procedure.slug, "public_id": submitted.public_id},
                )
            )
    fee = state.version.fee_cents
    context = {
        "procedure": procedure,
        "state": state,
        "pages": [
            {**item, "url": page_url(procedure, item["index"])}
            for item in summary_pages(state.spec, values)
        ],
        "error": error,
        "fee": euros(fee) if fee else "",
        "email": state.email,
        "storage_key": state.storage_key,
        "total": len(state.spec),
    }
    return render(request, "procedures/form_review.html", context, status=400 if error else 200)


def _files_map(attachments) -> dict:
    grouped: dict[str, list] = {}
    for attachment in attachments:
        grouped.setdefault(attachment.field_key, []).append(attachment)
    return grouped


def _submit(request, state: FormState, values: dict, attachments):
    from ..services.requests import request_submit

    submitted = request_submit(
        procedure=state.procedure,
        version=state.version,
        data=values,
        attachments=attachments,
        user=state.user,
        email=state.email,
        ip=_ip(request),
    )
    definitions.draft_delete(draft=state.draft)
    drafts = dict(request.session.get(SESSION_DRAFTS) or {})
    drafts.pop(str(state.procedure.pk), None)
    request.session[SESSION_DRAFTS] = drafts
    done = list(request.session.get(SESSION_SUBMITTED) or [])[-9:]
    done.append(str(submitted.public_id))
    request.session[SESSION_SUBMITTED] = done
    return submitted


def _request_url(submitted) -> str:
    for name in ("procedures:request_detail", "procedures:request"):
        try:
            return reverse(name, kwargs={"public_id": submitted.public_id})
        except NoReverseMatch:
            continue
    return ""


@never_cache
def form_done(request, slug, public_id):
    """The confirmation right after sending (only for the session that sent it)."""
    from ..models import Request

    if str(public_id) not in (request.session.get(SESSION_SUBMITTED) or []):
        raise Http404
    submitted = get_object_or_404(
        Request.objects.select_related("procedure"), public_id=public_id, procedure__slug=slug
    )
    procedure = submitted.procedure
    context = {
        "procedure": procedure,
        "submitted": submitted,
        "request_url": _request_url(submitted),
        "storage_key": f"parvis:procedure:{procedure.pk}:v{submitted.version.number}",
    }
    return render(request, "procedures/form_done.html", context)


@never_cache
@require_POST
@submitter_required
def form_discard(request, procedure):
    """Forget the draft (answers and files) and start again."""
    state = _load_state(request, procedure)
    if state.draft is not None:
        definitions.draft_delete(draft=state.draft)
    drafts = dict(request.session.get(SESSION_DRAFTS) or {})
    drafts.pop(str(procedure.pk), None)
    request.session[SESSION_DRAFTS] = drafts
    messages.success(request, _("Votre brouillon a été effacé."))
    response = redirect(reverse("procedures:detail", kwargs={"slug": procedure.slug}))
    return response


# --- preview (staff) --------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preview(request, pk: int):
    """The form as the procedure's blocks stand now (not a version), page by page; a POST
    checks the page's answers and stores nothing. For staff of the procedure's service."""
    procedure = get_object_or_404(Procedure.objects.select_related("service"), pk=pk)
    user = request.user
    if not (user.is_staff or user.is_superuser):
        raise PermissionDenied
    if hasattr(user, "is_verified") and not user.is_verified():
        target = reverse("accounts:two_factor")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
    if not user_works_for(user, procedure.service):
        raise PermissionDenied
    schema = freeze(procedure, check=False)
    problems = check_schema(schema)
    spec = FormSpec(schema)
    context = {"procedure": procedure, "problems": problems, "total": len(spec)}
    if not spec.pages:
        return render(request, "procedures/preview.html", context)
    try:
        index = int(request.GET.get("etape", "1")) - 1
    except ValueError:
        index = 0
    index = min(max(index, 0), len(spec) - 1)
    checked = False
    try:
        action = request.POST.get("action", "") if request.method == "POST" else ""
        if action.startswith(("add_row:", "remove_row:")):
            stored = {name: values for name, values in request.POST.lists()}
            stored = _row_action(FormState(procedure, spec, None, "", None), action, stored)
            form = page_form(
                spec, index, data=as_form_data(stored), preview=True, strict=False, quiet=True
            )
        elif request.method == "POST":
            form = page_form(spec, index, data=request.POST, files=request.FILES, preview=True)
            checked = form.is_valid()
        else:
            form = page_form(spec, index, preview=True)
        items = page_items(form)
    except (KeyError, TypeError, ValueError) as error:  # a form too broken to show
        logger.info("preview of %s: %s", procedure.pk, error)
        return render(request, "procedures/preview.html", context)
    base = reverse("procedures:preview", kwargs={"pk": procedure.pk})
    context.update(
        {
            "form": form,
            "items": items,
            "errors": [] if form.quiet or request.method != "POST" else error_list(form),
            "checked": checked,
            "form_step": spec.pages[index],
            "index": index,
            "number": index + 1,
            "page_links": [
                {
                    "number": n + 1,
                    "title": p["title"],
                    "url": f"{base}?etape={n + 1}",
                    "current": n == index,
                }
                for n, p in enumerate(spec.pages)
            ],
            "action_url": f"{base}?etape={index + 1}",
            "previous_url": f"{base}?etape={index}" if index else "",
            "next_url": f"{base}?etape={index + 2}" if index + 1 < len(spec) else "",
        }
    )
    return render(request, "procedures/preview.html", context)
