"""The agents' inbox in the admin: service scoping (another service's request answers 404
everywhere), filters, bulk assignment, CSV export, a request's page and its actions, the
editing and publication of procedure definitions, bounded queries."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from parvis.core.models import AuditLogEntry
from parvis.procedures.models import Procedure, Request, RequestEvent

from .conftest import verified_login
from .procedures_helpers import (
    field,
    make_agent,
    make_attachment,
    make_procedure,
    make_request,
    make_resident,
    make_service,
    private_media,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

INBOX = "/admin/demarches/demandes/"


def detail_url(request):
    return reverse("procedures_admin:detail", args=[request.pk])


def accueil(user):
    user.groups.add(Group.objects.get(name="Accueil"))
    return user


@pytest.fixture
def service():
    return make_service("État civil", email="etat-civil@example.org")


@pytest.fixture
def other_service():
    return make_service("Services techniques")


@pytest.fixture
def procedure(service):
    return make_procedure([field("text", "objet", "Objet")], service=service, title="Acte")


@pytest.fixture
def agent(service):
    return accueil(make_agent(service, email="agent.ec@example.org", last_name="Durand"))


@pytest.fixture
def agent_client(client, agent):
    return verified_login(client, agent)


@pytest.fixture
def theirs(other_service):
    procedure = make_procedure(
        [field("text", "objet", "Objet")], service=other_service, title="Lampadaire"
    )
    return make_request(procedure, requester_name="Autre Service", email="autre@example.org")


def numbers(response):
    return {request.number for request in response.context["requests"]}


# --- scoping -------------------------------------------------------------------------------


def test_inbox_lists_only_the_agents_services(agent_client, procedure, theirs):
    ours = make_request(procedure, requester_name="Camille Martin")
    response = agent_client.get(INBOX)
    assert response.status_code == 200
    assert numbers(response) == {ours.number}
    assert theirs.number not in response.content.decode()


def test_another_services_request_is_404_everywhere(agent_client, agent, procedure, theirs):
    assert agent_client.get(detail_url(theirs)).status_code == 404
    response = agent_client.post(detail_url(theirs), {"action": "note", "note-text": "Vu"})
    assert response.status_code == 404
    export = agent_client.get(reverse("procedures_admin:export"))
    assert theirs.number not in b"".join(export.streaming_content).decode("utf-8")
    agent_client.post(
        reverse("procedures_admin:bulk_assign"), {"requests": [theirs.pk], "agent": agent.pk}
    )
    theirs.refresh_from_db()
    assert theirs.assigned_to is None
    assert not theirs.events.exists()


def test_another_services_attachment_is_404(agent_client, theirs):
    attachment = make_attachment(request=theirs)
    try:
        url = reverse("procedures:attachment", args=[attachment.public_id])
    except NoReverseMatch:  # the download view belongs to the resident side
        pytest.fail("the attachment download view « procedures:attachment » is missing")
    assert agent_client.get(url).status_code == 404


def test_staff_without_the_permission_sees_nothing(client, service, procedure):
    request = make_request(procedure)
    staff = make_agent(service)  # works for the service, but no procedures permission
    staff.groups.add(Group.objects.get(name="Communication"))
    verified_login(client, staff)
    assert client.get(INBOX).status_code in (302, 403)
    assert client.get(detail_url(request)).status_code in (302, 403)


# --- filters -------------------------------------------------------------------------------


def test_filters(agent_client, agent, service, procedure):
    other_procedure = make_procedure(
        [field("text", "objet", "Objet")], service=service, title="Mariage"
    )
    colleague = make_agent(service, email="collegue@example.org")
    old = timezone.now() - dt.timedelta(days=40)
    late = make_request(procedure, submitted_at=old, requester_name="Claude Retard")
    late_but_closed = make_request(procedure, submitted_at=old, status="acceptee")
    mine = make_request(procedure, assigned_to=agent, email="moi@example.org")
    theirs = make_request(other_procedure, assigned_to=colleague, requester_name="Léa Petit")
    unpaid = make_request(other_procedure, fee_cents=1500)

    def listed(**params):
        response = agent_client.get(INBOX, params)
        assert response.status_code == 200
        return numbers(response)

    assert listed(procedure=other_procedure.pk) == {theirs.number, unpaid.number}
    assert listed(status="acceptee") == {late_but_closed.number}
    assert late_but_closed.number not in listed(status="open")
    assert listed(assignee="me") == {mine.number}
    assert listed(assignee="someone") == {mine.number, theirs.number}
    assert mine.number not in listed(assignee="nobody")
    assert listed(overdue="on") == {late.number}
    assert listed(unpaid="on") == {unpaid.number}
    assert listed(q=late.number) == {late.number}
    assert listed(q=str(int(late.number.split("-")[1]))) == {late.number}
    assert listed(q="petit") == {theirs.number}
    assert listed(q="moi@example") == {mine.number}
    page = agent_client.get(INBOX, {"overdue": "on"}).content.decode()
    assert "En retard" in page  # said in words, not by colour only
    assert "En attente de paiement" in agent_client.get(INBOX, {"unpaid": "on"}).content.decode()


def test_pagination(agent_client, procedure):
    for _ in range(55):
        make_request(procedure)
    first = agent_client.get(INBOX)
    second = agent_client.get(INBOX, {"p": 2})
    assert len(first.context["requests"]) == 50 and len(second.context["requests"]) == 5
    assert not numbers(first) & numbers(second)


def test_inbox_queries_do_not_grow_with_the_page(agent_client, agent, procedure, service):
    colleague = make_agent(service)
    for index in range(3):
        make_request(procedure, assigned_to=colleague if index % 2 else agent)
    agent_client.get(INBOX)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(INBOX)
    for index in range(40):
        make_request(procedure, assigned_to=colleague if index % 2 else None)
    with CaptureQueriesContext(connection) as many:
        response = agent_client.get(INBOX, {"status": "open", "assignee": "someone"})
    assert response.status_code == 200
    assert len(many) <= len(few) + 1
    assert len(many) <= 25, [q["sql"] for q in many.captured_queries]


def test_request_page_queries_are_bounded(
    agent_client, agent, procedure, django_assert_max_num_queries
):
    request = make_request(procedure)
    for index in range(10):
        RequestEvent.objects.create(request=request, kind="note", actor=agent, text=f"n{index}",
                                    actor_is_agent=True, visible_to_resident=False)  # fmt: skip
        make_attachment(request=request, name=f"piece{index}.pdf")
    agent_client.get(detail_url(request))
    with django_assert_max_num_queries(30):
        assert agent_client.get(detail_url(request)).status_code == 200


# --- bulk assignment and export ------------------------------------------------------------


def test_bulk_assign(agent_client, agent, service, procedure):
    colleague = make_agent(service, email="collegue@example.org")
    requests = [make_request(procedure) for _ in range(3)]
    response = agent_client.post(
        reverse("procedures_admin:bulk_assign"),
        {"requests": [r.pk for r in requests[:2]], "agent": colleague.pk, "next": INBOX},
    )
    assert response.status_code == 302 and response["Location"] == INBOX
    assert set(Request.objects.filter(assigned_to=colleague)) == set(requests[:2])
    assert (
        AuditLogEntry.objects.filter(action="procedures.request.assign", actor=agent).count() == 2
    )
    outsider = make_agent(make_service("Urbanisme"))
    agent_client.post(
        reverse("procedures_admin:bulk_assign"),
        {"requests": [requests[2].pk], "agent": outsider.pk},
    )
    assert Request.objects.get(pk=requests[2].pk).assigned_to is None
    response = agent_client.post(
        reverse("procedures_admin:bulk_assign"),
        {"agent": colleague.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == INBOX


def test_csv_export_is_excel_friendly_and_safe(agent_client, agent, procedure):
    make_request(procedure, requester_name='=HYPERLINK("http://evil")', email="a@example.org")
    make_request(procedure, requester_name="Léa Élise", email="lea@example.org")
    response = agent_client.get(reverse("procedures_admin:export"), {"q": "example.org"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Numéro" and len(rows) == 3
    names = {row[7] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://evil")', "Léa Élise"}
    assert AuditLogEntry.objects.filter(action="procedures.inbox.export", actor=agent).exists()


# --- the request page ----------------------------------------------------------------------


def test_request_page_shows_answers_files_and_marks_internal_notes(agent_client, agent, procedure):
    request = make_request(procedure, data={"objet": "Copie intégrale"})
    make_attachment(request=request, name="livret.pdf")
    RequestEvent.objects.create(request=request, kind="note", actor=agent, actor_is_agent=True,
                                text="À vérifier", visible_to_resident=False)  # fmt: skip
    page = agent_client.get(detail_url(request)).content.decode()
    assert "Copie intégrale" in page and "livret.pdf" in page
    assert "À vérifier" in page and "jamais visible du demandeur" in page


def test_actions_from_the_request_page(
    agent_client, agent, procedure, django_capture_on_commit_callbacks
):
    resident = make_resident("habitant@example.org")
    request = make_request(procedure, user=resident)
    url = detail_url(request)
    # A refusal without reason: refused, with the message next to the field.
    response = agent_client.post(url, {"action": "transition", "transition-to_code": "refusee"})
    assert response.status_code == 200
    assert "Indiquez le motif" in response.content.decode()
    request.refresh_from_db()
    assert request.status_code == "recue"
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            url, {"action": "transition", "transition-to_code": "en-cours"}
        )
        assert response.status_code == 302
        agent_client.post(url, {"action": "note", "note-text": "Appeler la mairie de Nantes"})
        agent_client.post(url, {"action": "message", "message-text": "Bonjour, bien reçu."})
        agent_client.post(url, {"action": "ask_document", "ask_document-text": "Livret de famille"})
        agent_client.post(url, {"action": "assign", "assign-agent": agent.pk})
    request.refresh_from_db()
    assert request.status_kind == "waiting_resident" and request.assigned_to == agent
    kinds = list(request.events.values_list("kind", flat=True))
    for kind in ("note", "message_agent", "document_requested", "assigned"):
        assert kind in kinds
    assert all("Nantes" not in m.body for m in mail.outbox)
    assert {m.to[0] for m in mail.outbox} == {"habitant@example.org"}
    actions = set(
        AuditLogEntry.objects.filter(actor=agent, object_id=str(request.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "procedures.request.transition",
        "procedures.request.note",
        "procedures.request.message",
        "procedures.request.ask_document",
        "procedures.request.assign",
    } <= actions


def test_read_only_staff_cannot_act(client, service, procedure):
    request = make_request(procedure)
    reader = make_agent(service)
    reader.groups.add(Group.objects.get(name="Accueil"))
    group = Group.objects.get(name="Accueil")
    group.permissions.remove(*group.permissions.filter(codename="change_request"))
    verified_login(client, reader)
    assert client.get(detail_url(request)).status_code == 200
    response = client.post(detail_url(request), {"action": "note", "note-text": "x"})
    assert response.status_code in (302, 403)  # the admin redirects a refusal to its home
    assert response.status_code == 403 or response["Location"] != detail_url(request)
    assert not request.events.exists()


# --- procedure definitions -----------------------------------------------------------------


@pytest.fixture
def editor(service):
    user = make_agent(service, email="com@example.org")
    user.groups.add(Group.objects.get(name="Communication"))
    return user


def test_procedure_list_and_edit_are_scoped(client, editor, procedure, other_service):
    foreign = make_procedure([field("text", "objet")], service=other_service, title="Voirie")
    verified_login(client, editor)
    listing = client.get(reverse("procedures_admin_procedure:index"))
    assert listing.status_code == 200
    assert "Acte" in listing.content.decode() and "Voirie" not in listing.content.decode()
    assert (
        client.get(reverse("procedures_admin_procedure:edit", args=[procedure.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("procedures_admin_procedure:edit", args=[foreign.pk])).status_code == 404
    )
    assert (
        client.get(reverse("procedures_admin_procedure:delete", args=[foreign.pk])).status_code
        == 404
    )


def _edit_data(procedure, **overrides):
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    data = {
        "title": procedure.title,
        "slug": procedure.slug,
        "summary": "",
        "description": rich_text("<p>Présentation</p>"),
        "service": procedure.service_id,
        "audience": procedure.audience,
        "fee_euros": "",
        "regie": "",
        "processing_days": 10,
        "retention_days": 365,
        "receipt_message": "",
        "status_message": "",
        "form": streamfield(
            [
                (
                    "page",
                    {
                        "title": "Votre demande",
                        "intro": "",
                        "fields": streamfield(
                            [
                                (
                                    "text",
                                    {
                                        "key": "objet",
                                        "label": "Objet",
                                        "help_text": "",
                                        "required": "on",
                                        "show_if_key": "",
                                        "show_if_value": "",
                                        "max_length": "",
                                        "pattern": "",
                                        "pattern_message": "",
                                    },
                                ),
                                (
                                    "text",
                                    {
                                        "key": "detail",
                                        "label": "Précisions",
                                        "help_text": "",
                                        "show_if_key": "",
                                        "show_if_value": "",
                                        "max_length": "",
                                        "pattern": "",
                                        "pattern_message": "",
                                    },
                                ),
                            ]
                        ),
                    },
                )
            ]
        ),
        "statuses": inline_formset(
            [
                {
                    "id": s.pk,
                    "code": s.code,
                    "label": s.label,
                    "kind": s.kind,
                    "notify_resident": "on" if s.notify_resident else "",
                }  # fmt: skip
                for s in procedure.statuses.all()
            ],
            initial=procedure.statuses.count(),
        ),
        "transitions": inline_formset(
            [
                {
                    "id": t.pk,
                    "from_code": t.from_code,
                    "to_code": t.to_code,
                    "label": t.label,
                    "role": t.role,
                    "reason_required": "on" if t.reason_required else "",
                }  # fmt: skip
                for t in procedure.transitions.all()
            ],
            initial=procedure.transitions.count(),
        ),
    }
    data.update(overrides)
    return nested_form_data(data)


def test_edit_and_publish_a_new_version_keeps_submitted_requests(client, editor, procedure):
    request = make_request(procedure, data={"objet": "x"})
    first_version = procedure.current_version
    verified_login(client, editor)
    url = reverse("procedures_admin_procedure:edit", args=[procedure.pk])
    response = client.post(url, {**_edit_data(procedure), "action-publish": "publish"})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    procedure.refresh_from_db()
    assert procedure.current_version.number == first_version.number + 1
    assert "detail" in str(procedure.current_version.schema)
    request.refresh_from_db()
    assert request.version == first_version
    assert AuditLogEntry.objects.filter(
        action="procedures.procedure.publish", actor=editor
    ).exists()


def test_publish_problems_are_listed_and_nothing_is_published(client, editor, procedure):
    verified_login(client, editor)
    url = reverse("procedures_admin_procedure:edit", args=[procedure.pk])
    version = procedure.current_version
    data = _edit_data(procedure)
    data = {key: ("objet" if value == "detail" else value) for key, value in data.items()}
    response = client.post(url, {**data, "action-publish": "publish"}, follow=True)
    procedure.refresh_from_db()
    assert procedure.current_version == version
    page = response.content.decode()
    assert 'id="publish-problems"' in page and "objet" in page


def test_workflow_must_name_existing_statuses(client, editor, procedure):
    verified_login(client, editor)
    url = reverse("procedures_admin_procedure:edit", args=[procedure.pk])
    data = _edit_data(procedure)
    data["transitions-0-to_code"] = "inexistant"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Aucun état n&#x27;a l&#x27;identifiant « inexistant »" in response.content.decode()


def test_fee_typed_in_euros_needs_a_regie(client, editor, procedure):
    verified_login(client, editor)
    url = reverse("procedures_admin_procedure:edit", args=[procedure.pk])
    response = client.post(url, _edit_data(procedure, fee_euros="12,50"))
    assert response.status_code == 200
    assert "Choisissez la régie" in response.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).fee_cents == 0


def test_preview_link_and_service_choices(client, editor, procedure, other_service):
    verified_login(client, editor)
    page = client.get(reverse("procedures_admin_procedure:edit", args=[procedure.pk]))
    form = page.context["form"]
    assert list(form.fields["service"].queryset) == [procedure.service]
    try:
        preview = reverse("procedures:preview", args=[procedure.pk])
    except NoReverseMatch:
        pytest.fail("the preview view « procedures:preview » is missing")
    assert preview in page.content.decode()


def test_menu_shows_the_procedures_entries(agent_client):
    page = agent_client.get("/admin/").content.decode()
    assert INBOX in page and "/admin/demarches/formulaires/" in page


def test_create_then_unpublish(client, editor, service, procedure):
    verified_login(client, editor)
    assert client.get(reverse("procedures_admin_procedure:add")).status_code == 200
    data = _edit_data(procedure, title="Nouvelle démarche", slug="nouvelle-demarche")
    data = {k: v for k, v in data.items() if not k.startswith(("statuses-", "transitions-"))}
    data.update({"statuses-TOTAL_FORMS": 0, "statuses-INITIAL_FORMS": 0,
                 "transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0})  # fmt: skip
    response = client.post(reverse("procedures_admin_procedure:add"), data)
    created = Procedure.objects.get(slug="nouvelle-demarche")
    assert response.status_code == 302
    assert response["Location"] == reverse("procedures_admin_procedure:edit", args=[created.pk])
    assert created.status == "draft" and created.current_version is None
    url = reverse("procedures_admin_procedure:edit", args=[procedure.pk])
    client.post(url, {**_edit_data(procedure), "action-unpublish": "unpublish"})
    procedure.refresh_from_db()
    assert procedure.status == "draft"
    assert AuditLogEntry.objects.filter(action="procedures.procedure.unpublish").exists()
