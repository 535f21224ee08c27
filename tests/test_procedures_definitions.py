"""Procedure definitions: freezing the blocks, the checks that block publishing, versions
(a later edit never changes a submitted request) and the staff preview."""

import pytest

from parvis.core.models import AuditLogEntry
from parvis.procedures.exceptions import DefinitionInvalid
from parvis.procedures.formspec import FormSpec, freeze, summary
from parvis.procedures.models import (
    Attachment,
    Draft,
    Procedure,
    ProcedureStatus,
    ProcedureVersion,
    Request,
    StatusKind,
    Transition,
)
from parvis.procedures.services.definitions import (
    procedure_default_workflow,
    procedure_publish,
)

from .conftest import verified_login
from .factories import make_user
from .procedures_helpers import (
    field,
    make_agent,
    make_procedure,
    make_resident,
    make_service,
    page,
    private_media,  # noqa: F401
    set_form,
)

pytestmark = pytest.mark.django_db


def problems_of(pages):
    procedure = make_procedure(pages=pages, publish=False)
    with pytest.raises(DefinitionInvalid) as error:
        freeze(procedure)
    return error.value.problems


# --- freeze --------------------------------------------------------------------------------


def test_freeze_gives_pages_fields_options_and_group_sub_fields():
    procedure = make_procedure(
        pages=[
            page(
                "Demandeur", [field("text", "nom", "Nom", max_length=80)], intro="Qui êtes-vous ?"
            ),
            page(
                "Demande",
                [
                    field("choice", "acte", "Acte", choices=["Naissance", "Mariage", " "]),
                    field(
                        "number",
                        "copies",
                        "Nombre de copies",
                        min_value=1,
                        max_value=5,
                        required=False,
                        show_if_key="acte",
                        show_if_value="Naissance",
                    ),
                    field(
                        "group",
                        "enfants",
                        "Enfants",
                        max_rows=3,
                        fields=[field("text", "prenom", "Prénom"), field("date", "ne", "Né le")],
                    ),
                ],
            ),
        ],
        publish=False,
    )

    schema = freeze(procedure)

    assert [p["title"] for p in schema["pages"]] == ["Demandeur", "Demande"]
    assert schema["pages"][0]["intro"] == "Qui êtes-vous ?"
    nom = schema["pages"][0]["fields"][0]
    assert nom["type"] == "text" and nom["options"]["max_length"] == 80 and nom["required"]
    acte, copies, enfants = schema["pages"][1]["fields"]
    assert acte["options"]["choices"] == ["Naissance", "Mariage"]  # blank lines dropped
    assert copies["show_if"] == {"key": "acte", "value": "Naissance"}
    assert copies["options"]["min_value"] == "1" and not copies["required"]
    assert enfants["options"]["max_rows"] == 3
    assert [sub["key"] for sub in enfants["fields"]] == ["prenom", "ne"]
    spec = FormSpec(schema)
    assert spec.order == ["nom", "acte", "copies", "enfants"]
    assert spec.page_of("copies") == 1


def test_duplicate_keys_across_pages_are_refused_with_the_field_named():
    problems = problems_of(
        [page("Un", [field("text", "nom", "Nom")]), page("Deux", [field("text", "nom", "Nom bis")])]
    )
    assert len(problems) == 1
    assert "« nom »" in problems[0] and "Nom bis" in problems[0] and "déjà utilisé" in problems[0]


def test_sub_field_keys_are_unique_in_their_group_only():
    sub = [field("text", "prenom", "Prénom")]
    ok = make_procedure(
        [
            field("text", "prenom", "Prénom du demandeur"),
            field("group", "enfants", "Enfants", fields=sub),
            field("group", "parents", "Parents", fields=sub),
        ],
        publish=False,
    )
    assert freeze(ok)  # the same sub-key in two groups and at the top level is fine

    problems = problems_of([page("Un", [field("group", "enfants", "Enfants", fields=sub + sub)])])
    assert any("tableau « Enfants »" in p and "déjà utilisé" in p for p in problems)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            [field("text", "a", "A", show_if_key="inconnu", show_if_value="x")],
            "la condition porte sur « inconnu », qui n'est pas un champ placé avant",
        ),
        (
            [
                field("text", "a", "A", show_if_key="b", show_if_value="x"),
                field("text", "b", "B"),
            ],
            "la condition porte sur « b », qui n'est pas un champ placé avant",
        ),
        (
            [field("file", "piece", "Pièce"), field("text", "a", "A", show_if_key="piece")],
            "dont la valeur ne peut pas être comparée",
        ),
        (
            [
                field("choice", "acte", "Acte", choices=["Naissance"]),
                field("text", "a", "A", show_if_key="acte", show_if_value="Décès"),
            ],
            "« Décès » n'est pas un des choix de « Acte »",
        ),
        ([field("choice", "acte", "Acte", choices="\n  \n")], "la liste des choix est vide"),
        (
            [field("multiple_choice", "m", "M", choices=["a", "b", "a"])],
            "le choix « a » figure plusieurs fois",
        ),
        (
            [field("text", "code", "Code", pattern="[A-Z")],
            "le format attendu n'est pas une expression valide",
        ),
        ([field("number", "n", "N", min_value=10, max_value=2)], "le minimum dépasse le maximum"),
        (
            [field("group", "g", "G", min_rows=4, max_rows=2, fields=[field("text", "x", "X")])],
            "« lignes au moins » dépasse « lignes au plus »",
        ),
        (
            [
                field("checkbox", "c", "C"),
                field("text", "a", "A", show_if_key="c", show_if_value="peut-être"),
            ],
            "la valeur attendue est « oui » ou « non »",
        ),
    ],
)
def test_definition_problems_are_explained_in_french(fields, expected):
    problems = problems_of([page("Étape", fields)])
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith("Étape 1") for problem in problems)


def test_a_condition_may_name_an_earlier_page_or_an_earlier_column_of_the_row():
    procedure = make_procedure(
        pages=[
            page("Un", [field("checkbox", "enfants_a_charge", "J'ai des enfants")]),
            page(
                "Deux",
                [
                    field(
                        "group",
                        "enfants",
                        "Enfants",
                        show_if_key="enfants_a_charge",
                        show_if_value="oui",
                        fields=[
                            field("choice", "garde", "Garde", choices=["Alternée", "Exclusive"]),
                            field(
                                "text",
                                "detail",
                                "Détail",
                                show_if_key="garde",
                                show_if_value="Alternée",
                            ),
                        ],
                    )
                ],
            ),
        ],
        publish=False,
    )
    assert freeze(procedure)["pages"][1]["fields"][0]["show_if"]["key"] == "enfants_a_charge"


def test_every_problem_is_listed_at_once():
    problems = problems_of(
        [
            page(
                "Étape",
                [
                    field("text", "a", "A", pattern="("),
                    field("choice", "b", "B", choices=""),
                    field("text", "a", "A bis"),
                ],
            )
        ]
    )
    assert len(problems) == 3


# --- publishing and versions -----------------------------------------------------------------


def test_publish_freezes_a_first_version_and_opens_the_procedure():
    agent = make_user("redaction-etat-civil@example.org", staff=True)
    procedure = make_procedure([field("text", "nom", "Nom")], publish=False)

    version = procedure_publish(procedure=procedure, actor=agent)

    procedure.refresh_from_db()
    assert version.number == 1
    assert procedure.current_version == version
    assert procedure.status == Procedure.Status.PUBLISHED
    assert version.schema == freeze(procedure)
    assert version.created_by == agent
    entry = AuditLogEntry.objects.get(action="procedures.procedure.publish")
    assert entry.actor == agent and entry.data["version"] == 1


def test_publishing_an_unchanged_form_creates_no_version():
    procedure = make_procedure([field("text", "nom", "Nom")])
    first = procedure.current_version

    again = procedure_publish(procedure=procedure, actor=None)

    assert again == first
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1


def test_an_edit_or_a_new_fee_gives_the_next_version():
    procedure = make_procedure([field("text", "nom", "Nom")])
    set_form(procedure, [page("Votre demande", [field("text", "nom", "Nom de famille")])])
    second = procedure_publish(procedure=procedure, actor=None)
    procedure.fee_cents = 1500
    procedure.save()
    third = procedure_publish(procedure=procedure, actor=None)

    assert (second.number, third.number) == (2, 3)
    assert third.fee_cents == 1500 and second.fee_cents == 0
    procedure.refresh_from_db()
    assert procedure.current_version == third


def test_an_invalid_form_is_not_published_and_nothing_changes():
    procedure = make_procedure([field("text", "nom", "Nom")])
    set_form(procedure, [page("Un", [field("text", "nom", "Nom"), field("text", "nom", "Bis")])])

    with pytest.raises(DefinitionInvalid):
        procedure_publish(procedure=procedure, actor=None)

    procedure.refresh_from_db()
    assert procedure.current_version.number == 1
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1


def test_a_published_edit_never_changes_a_submitted_request():
    from parvis.procedures.services.requests import request_submit

    procedure = make_procedure([field("choice", "acte", "Acte", choices=["Naissance", "Mariage"])])
    v1 = procedure.current_version
    submitted = request_submit(
        procedure=procedure,
        version=v1,
        data={"acte": "Mariage"},
        email="demandeur@example.org",
    )
    set_form(
        procedure,
        [page("Nouvelle", [field("choice", "type_acte", "Type d'acte", choices=["Décès"])])],
    )
    v2 = procedure_publish(procedure=procedure, actor=None)

    submitted.refresh_from_db()
    v1.refresh_from_db()
    assert v2.number == 2
    assert submitted.version == v1
    assert submitted.data == {"acte": "Mariage"}
    assert summary(FormSpec(submitted.version.schema), submitted.data) == [("Acte", "Mariage")]
    assert v1.schema["pages"][0]["fields"][0]["key"] == "acte"


def test_publishing_gives_the_default_workflow_once():
    procedure = make_procedure(publish=False, default_workflow=False)
    assert not procedure.statuses.exists()

    procedure_publish(procedure=procedure, actor=None)

    kinds = list(procedure.statuses.order_by("sort_order").values_list("kind", flat=True))
    assert kinds == [
        StatusKind.RECEIVED,
        StatusKind.IN_PROGRESS,
        StatusKind.WAITING_RESIDENT,
        StatusKind.ACCEPTED,
        StatusKind.REFUSED,
        StatusKind.CLOSED,
    ]
    refusals = Transition.objects.filter(procedure=procedure, to_code="refusee")
    assert refusals.exists() and all(t.reason_required for t in refusals)
    assert procedure_default_workflow(procedure) is False  # already there: nothing added
    assert ProcedureStatus.objects.filter(procedure=procedure).count() == 6


def test_a_configured_workflow_is_kept():
    procedure = make_procedure(publish=False, default_workflow=False)
    ProcedureStatus.objects.create(
        procedure=procedure, code="depose", label="Déposé", kind=StatusKind.RECEIVED
    )
    procedure_publish(procedure=procedure, actor=None)
    assert list(procedure.statuses.values_list("code", flat=True)) == ["depose"]


# --- preview ---------------------------------------------------------------------------------


def preview_url(procedure):
    return f"/demarches/apercu/{procedure.pk}/"


def test_preview_shows_the_unpublished_blocks_to_an_agent_of_the_service(client):
    service = make_service("État civil")
    agent = make_agent(service)
    procedure = make_procedure([field("text", "nom", "Nom")], service=service)
    set_form(
        procedure,
        [
            page("Identité", [field("text", "nom", "Nom"), field("email", "courriel", "E-mail")]),
            page("Pièces", [field("file", "piece", "Justificatif de domicile")]),
        ],
    )
    verified_login(client, agent)

    response = client.get(preview_url(procedure))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Aperçu — rien n&#x27;est enregistré" in html or "Aperçu — rien n'est enregistré" in html
    assert 'name="courriel"' in html  # added after publishing: only the preview has it
    assert "Étape 1 sur 2" in html
    second = client.get(preview_url(procedure) + "?etape=2").content.decode()
    assert "Justificatif de domicile" in second and "Étape 2 sur 2" in second
    public = client.get(f"/demarches/{procedure.slug}/")
    assert "Justificatif de domicile" not in public.content.decode()


def test_preview_lists_what_prevents_publishing(client):
    service = make_service()
    agent = make_agent(service)
    procedure = make_procedure(
        [field("text", "a", "A", show_if_key="zz", show_if_value="1")],
        service=service,
        publish=False,
    )
    verified_login(client, agent)
    html = client.get(preview_url(procedure)).content.decode()
    assert "ne peut pas encore être publié" in html
    assert "« zz »" in html


def test_preview_checks_answers_and_stores_nothing(client):
    service = make_service()
    agent = make_agent(service)
    procedure = make_procedure(
        [field("email", "courriel", "E-mail"), field("file", "piece", "Pièce", required=False)],
        service=service,
    )
    verified_login(client, agent)
    from .procedures_helpers import upload

    response = client.post(
        preview_url(procedure), {"courriel": "pas-une-adresse", "piece": upload()}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide" in html
    assert 'value="pas-une-adresse"' in html
    ok = client.post(preview_url(procedure), {"courriel": "camille@example.org"})
    assert "Les réponses de cette étape sont valides" in ok.content.decode()
    assert not Draft.objects.exists()
    assert not Attachment.objects.exists()
    assert not Request.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_service", "unverified_staff"])
def test_preview_is_refused_to_others(client, who):
    service = make_service()
    procedure = make_procedure(service=service)
    url = preview_url(procedure)
    if who == "anonymous":
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
        return
    if who == "resident":
        client.force_login(make_resident())
        assert client.get(url).status_code == 403
        return
    if who == "other_service":
        verified_login(client, make_agent(make_service()))
        assert client.get(url).status_code == 403
        return
    client.force_login(make_agent(service))  # no second factor yet
    response = client.get(url)
    assert response.status_code == 302 and "double-authentification" in response["Location"]


def test_a_superuser_may_preview_any_procedure(client):
    procedure = make_procedure()
    verified_login(client, make_user("admin@example.org", staff=True, superuser=True))
    assert client.get(preview_url(procedure)).status_code == 200


def test_publishing_shows_the_procedure_at_once_in_the_cached_catalogue(
    client, django_capture_on_commit_callbacks
):
    assert "Permis de végétaliser" not in client.get("/demarches/").content.decode()
    procedure = make_procedure(title="Permis de végétaliser", publish=False)

    with django_capture_on_commit_callbacks(execute=True):
        procedure_publish(procedure=procedure, actor=None)

    assert "Permis de végétaliser" in client.get("/demarches/").content.decode()


@pytest.mark.usefixtures("private_media")
def test_old_drafts_are_purged_with_their_files(django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from parvis.procedures.services.definitions import draft_save, drafts_purge

    from .procedures_helpers import make_attachment

    procedure = make_procedure()
    old = draft_save(procedure=procedure, version=procedure.current_version, page=0)
    recent = draft_save(procedure=procedure, version=procedure.current_version, page=0)
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=91))
    attachment = make_attachment(draft=old)
    path = attachment.file.path

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_purge(older_than_days=90) == 1

    assert list(Draft.objects.all()) == [recent]
    assert not Attachment.objects.exists()
    import os

    assert not os.path.exists(path)
