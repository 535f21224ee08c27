"""The public form of a procedure: every field type renders and validates, conditions,
tampered posts, drafts, errors that keep the input, sending, bounded queries."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from parvis.procedures.exceptions import SubmissionInvalid
from parvis.procedures.formspec import FormSpec, summary, validate_submission
from parvis.procedures.models import Attachment, Audience, Draft, Request
from parvis.procedures.services.definitions import drafts_for, procedure_publish

from .procedures_helpers import (
    field,
    jpeg_bytes,
    make_procedure,
    make_resident,
    page,
    pdf_bytes,
    private_media,  # noqa: F401
    prove_email,
    set_form,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]


def form_url(procedure, number=1):
    return f"/demarches/{procedure.slug}/formulaire/{number}/"


def review_url(procedure):
    return f"/demarches/{procedure.slug}/formulaire/verifier/"


def html_of(response):
    return html.unescape(response.content.decode())


def spec_of(procedure):
    return FormSpec(procedure.current_version.schema)


def input_value(html, name):
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


ALL_TYPES = [
    field(
        "text",
        "nom",
        "Nom",
        max_length=30,
        pattern="[A-Za-zÀ-ÿ' -]+",
        pattern_message="Lettres seulement.",
    ),
    field("long_text", "description", "Description", max_length=200),
    field("email", "courriel", "Adresse e-mail"),
    field("phone", "telephone", "Téléphone"),
    field("date", "date_evenement", "Date de l'événement", constraint="past"),
    field("number", "copies", "Nombre de copies", min_value=1, max_value=5),
    field("choice", "acte", "Type d'acte", choices=["Naissance", "Mariage", "Décès"]),
    field("choice", "format", "Format", choices=["Copie intégrale", "Extrait"], widget="select"),
    field(
        "multiple_choice",
        "usages",
        "Usages",
        choices=["Passeport", "Mariage", "Autre"],
        min_selected=1,
        max_selected=2,
    ),
    field("checkbox", "certifie", "Je certifie l'exactitude des informations"),
    field("address", "adresse", "Adresse", with_point=True),
    field("identity", "titulaire", "Personne concernée", with_birth_name=True),
    field(
        "group",
        "enfants",
        "Enfants",
        min_rows=0,
        max_rows=2,
        required=False,
        fields=[
            field("text", "prenom", "Prénom"),
            field("date", "naissance", "Né le", required=False),
        ],
    ),
    field("file", "piece", "Pièce d'identité", max_files=2, max_size_mb=1),
]

GOOD_POST = {
    "nom": "Durand",
    "description": "Pour un dossier de retraite.",
    "courriel": "camille@Example.ORG",
    "telephone": "01 99 00 12 34",
    "date_evenement": "1990-05-17",
    "copies": "2",
    "acte": "Naissance",
    "format": "Extrait",
    "usages": ["Passeport", "Autre"],
    "certifie": "on",
    "adresse__street": "3 rue des Mines",
    "adresse__complement": "",
    "adresse__postcode": "13850",
    "adresse__city": "Gréasque",
    "adresse__lat": "43,4331",
    "adresse__lon": "5.5447",
    "titulaire__last_name": "Durand",
    "titulaire__first_names": "Camille Marie",
    "titulaire__birth_name": "",
    "titulaire__birth_date": "17/05/1990",
    "titulaire__birth_place": "Marseille",
    "enfants__rows": "1",
    "enfants__0__prenom": "Léa",
    "enfants__0__naissance": "2015-09-01",
}


@pytest.fixture
def all_types():
    return make_procedure(ALL_TYPES, slug="etat-civil", title="Acte d'état civil")


@pytest.fixture
def guest(client):
    prove_email(client, "camille@example.org")
    return client


# --- rendering -------------------------------------------------------------------------------


def test_every_field_type_renders_accessibly(guest, all_types):
    html = html_of(guest.get(form_url(all_types)))

    assert "Étape 1 sur 1" in html
    for name in (
        "nom",
        "description",
        "courriel",
        "telephone",
        "date_evenement",
        "copies",
        "adresse__street",
        "titulaire__last_name",
        "enfants__0__prenom",
        "piece",
    ):
        assert re.search(rf'<label for="id_{name}"', html), name
    # choices, identity and address blocks are fieldsets with a legend
    for legend in ("Type d'acte", "Usages", "Adresse", "Personne concernée", "Enfants"):
        assert re.search(rf"<legend[^>]*>{re.escape(legend)}", html), legend
    assert re.search(r'<select name="format"', html)
    assert 'type="radio" name="acte"' in html
    assert 'type="checkbox" name="usages"' in html
    # autocomplete for what the browser knows
    for name, token in (
        ("courriel", "email"),
        ("telephone", "tel"),
        ("adresse__street", "street-address"),
        ("adresse__postcode", "postal-code"),
        ("titulaire__last_name", "family-name"),
        ("titulaire__first_names", "given-name"),
        ("titulaire__birth_date", "bday"),
    ):
        assert re.search(
            rf'name="{name}"[^>]*autocomplete="{token}"|'
            rf'autocomplete="{token}"[^>]*name="{name}"',
            html,
        ), name
    assert 'type="date" name="date_evenement"' in html
    assert 'type="tel"' in html
    assert "Formats acceptés : PDF, JPEG, PNG, WebP. 1 Mo au plus par fichier." in html
    assert "(facultatif)" in html  # the optional group says so


def test_a_valid_page_stores_normalised_values(guest, all_types, django_assert_max_num_queries):
    post = {**GOOD_POST, "piece": upload("carte.pdf", pdf_bytes(), "application/pdf")}
    with django_assert_max_num_queries(40):
        response = guest.post(form_url(all_types), post)

    assert response.status_code == 302 and response["Location"] == review_url(all_types)
    draft = Draft.objects.get()
    values = draft.data["values"]
    assert values["courriel"] == "camille@example.org"
    assert values["telephone"] == "+33199001234"
    assert values["date_evenement"] == "1990-05-17"
    assert values["copies"] == 2
    assert values["usages"] == ["Passeport", "Autre"]
    assert values["certifie"] is True
    assert values["adresse"] == {
        "street": "3 rue des Mines",
        "complement": "",
        "postcode": "13850",
        "city": "Gréasque",
        "lat": 43.4331,
        "lon": 5.5447,
    }
    assert values["titulaire"]["birth_date"] == "1990-05-17"
    assert values["enfants"] == [{"prenom": "Léa", "naissance": "2015-09-01"}]
    attachment = Attachment.objects.get()
    assert values["piece"] == [
        {
            "id": str(attachment.public_id),
            "name": "carte.pdf",
            "size": attachment.size,
            "content_type": "application/pdf",
        }
    ]
    assert attachment.draft == draft and attachment.request is None


@pytest.mark.parametrize(
    ("changes", "name", "message"),
    [
        ({"nom": "Durand42"}, "nom", "Lettres seulement."),
        ({"nom": "D" * 31}, "nom", "30 caractères au plus"),
        ({"courriel": "camille@"}, "courriel", "Saisissez une adresse e-mail valide"),
        ({"telephone": "12 34"}, "telephone", "Le numéro ne doit contenir que des chiffres"),
        ({"telephone": "01 99 00 12"}, "telephone", "Numéro invalide : saisissez 10 chiffres"),
        ({"date_evenement": "31/02/2020"}, "date_evenement", "Saisissez une date valide"),
        ({"copies": "6"}, "copies", "Le nombre doit être au plus 5."),
        ({"copies": "1,5"}, "copies", "Saisissez un nombre entier."),
        ({"copies": "beaucoup"}, "copies", "Saisissez un nombre"),
        ({"acte": ""}, "acte", "Choisissez une réponse."),
        ({"usages": []}, "usages", "Cochez au moins une réponse."),
        ({"usages": ["Passeport", "Mariage", "Autre"]}, "usages", "Cochez au plus 2 réponses."),
        ({"certifie": ""}, "certifie", "Cochez cette case pour continuer."),
        ({"adresse__postcode": ""}, "adresse__postcode", "Indiquez le code postal."),
        (
            {"adresse__lat": "48.85", "adresse__lon": "-60.2"},
            "adresse__lon",
            "Le point doit se trouver en France.",
        ),
        (
            {"titulaire__birth_place": ""},
            "titulaire__birth_place",
            "Indiquez le lieu de naissance.",
        ),
        (
            {"enfants__0__prenom": "", "enfants__0__naissance": "2015-01-01"},
            "enfants__0__prenom",
            "Ce champ est obligatoire.",
        ),
    ],
)
def test_an_error_is_shown_next_to_its_field_and_the_input_is_kept(
    guest, all_types, changes, name, message
):
    post = {**GOOD_POST, **changes}
    response = guest.post(form_url(all_types), post)

    html = html_of(response)
    assert response.status_code == 200
    # next to the field, linked from it, and in the summary at the top
    error_block = re.search(
        rf'<div class="field__errors" id="id_{name}-erreur">(.*?)</div>', html, re.S
    )
    assert error_block and message in error_block.group(1), html[:0]
    summary_block = html.split('class="error-summary__list"')[1].split("</ul>")[0]
    assert message in summary_block
    # what was typed is still there
    assert input_value(html, "nom") == post["nom"]
    assert input_value(html, "adresse__street") == "3 rue des Mines"
    assert input_value(html, "titulaire__first_names") == "Camille Marie"
    assert 'value="Naissance" id="id_acte_0" checked' in html or changes.get("acte") == ""


def test_a_required_file_is_asked_for_and_a_given_file_is_kept_after_an_error(guest, all_types):
    response = guest.post(
        form_url(all_types),
        {**GOOD_POST, "nom": "", "piece": upload("id.jpg", jpeg_bytes(), "image/jpeg")},
    )

    html = html_of(response)
    assert "Ce champ est obligatoire." in html
    assert re.search(r"fichier reçu : id\.jpg \([^)]+\)", html)
    # the file was checked and kept, so the next post needs no new file
    response = guest.post(form_url(all_types), GOOD_POST)
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "id.jpg"


def test_without_the_file_the_page_is_not_valid(guest, all_types):
    html = html_of(guest.post(form_url(all_types), GOOD_POST))
    assert "Joignez ce document." in html


def test_a_single_file_field_replaces_its_file(guest):
    procedure = make_procedure([field("file", "piece", "Justificatif")])
    guest.post(form_url(procedure), {"piece": upload("ancien.pdf")})
    html = html_of(guest.get(form_url(procedure)))
    assert re.search(
        r"fichier reçu : ancien\.pdf \([^)]+\) — <label for=\"id_piece\"[^>]*>"
        r"remplacer</label>",
        html,
    )

    guest.post(form_url(procedure), {"piece": upload("nouveau.pdf")})

    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["nouveau.pdf"]


def test_a_file_can_be_taken_back(guest):
    procedure = make_procedure([field("file", "piece", "Photos", required=False, max_files=3)])
    guest.post(form_url(procedure), {"piece": [upload("a.pdf"), upload("b.pdf")]})
    first = Attachment.objects.get(original_name="a.pdf")

    guest.post(form_url(procedure), {"piece__remove": [str(first.public_id)]})

    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["b.pdf"]


def test_a_refused_upload_says_why_and_keeps_the_rest(guest):
    procedure = make_procedure([field("text", "nom", "Nom"), field("file", "piece", "Pièce")])
    response = guest.post(
        form_url(procedure),
        {"nom": "Durand", "piece": upload("facture.pdf", b"MZ\x90\x00 binary", "application/pdf")},
    )
    html = html_of(response)
    assert "facture.pdf : Ce fichier n'est ni un PDF ni une photo lisible" in html
    assert input_value(html, "nom") == "Durand"
    assert not Attachment.objects.exists()


# --- server-side validation of the whole submission -----------------------------------------


def test_validate_submission_accepts_its_own_output(all_types):
    spec = spec_of(all_types)
    data = {
        "nom": "Durand",
        "description": "Dossier",
        "courriel": "camille@example.org",
        "telephone": "0639981234",
        "date_evenement": "1990-05-17",
        "copies": "3",
        "acte": "Décès",
        "format": "Extrait",
        "usages": "Autre",
        "certifie": True,
        "adresse": {"street": "1 place de la Mairie", "postcode": "13850", "city": "Gréasque"},
        "titulaire": {
            "last_name": "Durand",
            "first_names": "Camille",
            "birth_date": "1990-05-17",
            "birth_place": "Aix",
        },
        "enfants": [],
    }
    attachment = type(
        "A",
        (),
        {
            "public_id": "x",
            "original_name": "id.pdf",
            "size": 10,
            "content_type": "application/pdf",
            "field_key": "piece",
        },
    )()

    try:
        values = validate_submission(spec, data, {"piece": [attachment]})
    except SubmissionInvalid as error:
        raise AssertionError(error.errors) from None

    assert values["telephone"] == "+33639981234" and values["copies"] == 3
    assert values["usages"] == ["Autre"]
    assert validate_submission(spec, values, {"piece": [attachment]}) == values
    lines = dict(summary(spec, values))
    assert lines["Téléphone"] == "06 39 98 12 34"
    assert lines["Date de l'événement"] == "17/05/1990"
    assert lines["Je certifie l'exactitude des informations"] == "Oui"
    assert lines["Adresse"] == "1 place de la Mairie, 13850 Gréasque"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"inconnu": "x"}, "__all__"),
        ({"acte": "Adoption"}, "acte"),
        ({"usages": ["Passeport", "Passeport"]}, "usages"),
        ({"copies": True}, "copies"),
        ({"adresse": {"street": "x", "postcode": "13850", "city": "G", "pays": "FR"}}, "adresse"),
        ({"enfants": [{"prenom": "A"}, {"prenom": "B"}, {"prenom": "C"}]}, "enfants"),
        ({"enfants": [{"prenom": "A", "age": 3}]}, "enfants"),
        (
            {"date_evenement": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
            "date_evenement",
        ),
    ],
)
def test_validate_submission_refuses_what_the_form_cannot_send(all_types, data, path):
    with pytest.raises(SubmissionInvalid) as error:
        validate_submission(spec_of(all_types), data, {})
    assert path in error.value.errors


def test_validate_submission_refuses_a_value_for_a_hidden_field():
    procedure = make_procedure(
        [
            field("choice", "acte", "Acte", choices=["Naissance", "Mariage"]),
            field(
                "text", "conjoint", "Nom du conjoint", show_if_key="acte", show_if_value="Mariage"
            ),
        ]
    )
    spec = spec_of(procedure)
    assert validate_submission(spec, {"acte": "Mariage", "conjoint": "Martin"})["conjoint"]
    assert "conjoint" not in validate_submission(spec, {"acte": "Naissance"})

    with pytest.raises(SubmissionInvalid) as error:
        validate_submission(spec, {"acte": "Naissance", "conjoint": "Martin"})
    assert "ne s'applique pas" in error.value.errors["conjoint"][0]


# --- conditions -------------------------------------------------------------------------------


@pytest.fixture
def conditional():
    return make_procedure(
        pages=[
            page(
                "Situation",
                [
                    field("checkbox", "enfants", "J'ai des enfants à charge", required=False),
                    field(
                        "number", "nombre", "Combien ?", show_if_key="enfants", show_if_value="oui"
                    ),
                ],
            ),
            page(
                "Détails",
                [
                    field(
                        "text",
                        "ecole",
                        "École des enfants",
                        show_if_key="enfants",
                        show_if_value="oui",
                    ),
                    field("text", "remarque", "Remarque", required=False),
                ],
            ),
        ]
    )


def test_a_same_page_condition_is_shown_with_a_note_and_data_for_the_script(guest, conditional):
    html = html_of(guest.get(form_url(conditional)))

    wrapper = re.search(r'<div class="field" id="champ-nombre"([^>]*)>', html).group(1)
    assert 'data-show-if-name="enfants"' in wrapper
    assert 'data-show-if-value="oui"' in wrapper and 'data-show-if-type="checkbox"' in wrapper
    assert "À remplir seulement si « J'ai des enfants à charge » est coché." in html
    assert "<script>" not in html and "onclick" not in html


def test_a_field_whose_condition_is_false_is_not_required_and_its_value_dropped(guest, conditional):
    response = guest.post(form_url(conditional), {"nombre": "3"})  # box not ticked, no script

    assert response.status_code == 302
    assert Draft.objects.get().data["values"] == {"enfants": False}


def test_a_field_whose_condition_is_true_is_required(guest, conditional):
    html = html_of(guest.post(form_url(conditional), {"enfants": "on"}))
    assert "Ce champ est obligatoire." in html


def test_a_condition_on_an_earlier_page_decides_on_the_server(guest, conditional):
    guest.post(form_url(conditional), {})  # no children
    html = html_of(guest.get(form_url(conditional, 2)))
    assert 'name="ecole"' not in html

    guest.post(form_url(conditional), {"enfants": "on", "nombre": "2"})
    html = html_of(guest.get(form_url(conditional, 2)))
    assert 'name="ecole"' in html and "À remplir seulement si" not in html


# --- tampered posts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    ["extra_field", "invalid_choice", "hidden_field", "too_many_rows", "row_beyond_count"],
)
def test_a_tampered_post_is_refused_and_nothing_is_stored(guest, tamper):
    procedure = make_procedure(
        pages=[
            page("Un", [field("checkbox", "enfants", "Enfants ?", required=False)]),
            page(
                "Deux",
                [
                    field("choice", "acte", "Acte", choices=["Naissance", "Mariage"]),
                    field("text", "ecole", "École", show_if_key="enfants", show_if_value="oui"),
                    field(
                        "group",
                        "lignes",
                        "Lignes",
                        max_rows=2,
                        required=False,
                        min_rows=0,
                        fields=[field("text", "x", "X")],
                    ),
                    field("file", "piece", "Pièce", required=False),
                ],
            ),
        ]
    )
    guest.post(form_url(procedure), {})  # page 1: no children, so « École » is hidden
    draft = Draft.objects.get()
    before = draft.data
    post = {
        "acte": "Naissance",
        "lignes__rows": "1",
        "lignes__0__x": "a",
        "piece": upload("ok.pdf"),
    }
    if tamper == "extra_field":
        post["is_admin"] = "1"
    elif tamper == "invalid_choice":
        post["acte"] = "Adoption"
    elif tamper == "hidden_field":
        post["ecole"] = "École des Mines"
    elif tamper == "too_many_rows":
        post.update({"lignes__rows": "3", "lignes__1__x": "b", "lignes__2__x": "c"})
    else:
        post["lignes__1__x"] = "b"

    response = guest.post(form_url(procedure, 2), post)

    html = html_of(response)
    assert response.status_code == 400
    assert "rien n'a été enregistré" in html
    assert 'class="error-summary"' in html
    draft.refresh_from_db()
    assert draft.data == before
    assert not Attachment.objects.exists()


# --- groups -----------------------------------------------------------------------------------


def test_rows_are_added_and_removed_without_losing_input(guest):
    procedure = make_procedure(
        [
            field(
                "group",
                "enfants",
                "Enfants",
                max_rows=3,
                row_label="Enfant",
                fields=[field("text", "prenom", "Prénom")],
            )
        ]
    )
    response = guest.post(
        form_url(procedure),
        {"enfants__rows": "1", "enfants__0__prenom": "Léa", "action": "add_row:enfants"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#fs-enfants")
    html = html_of(guest.get(form_url(procedure)))
    assert input_value(html, "enfants__0__prenom") == "Léa"
    assert input_value(html, "enfants__1__prenom") == ""
    assert "Enfant 2" in html

    guest.post(
        form_url(procedure),
        {
            "enfants__rows": "2",
            "enfants__0__prenom": "Léa",
            "enfants__1__prenom": "Noé",
            "action": "remove_row:enfants:0",
        },
    )
    html = html_of(guest.get(form_url(procedure)))
    assert input_value(html, "enfants__0__prenom") == "Noé"
    assert 'name="enfants__1__prenom"' not in html


def test_a_group_below_its_minimum_says_so(guest):
    procedure = make_procedure(
        [field("group", "enfants", "Enfants", min_rows=2, fields=[field("text", "p", "Prénom")])]
    )
    html = html_of(guest.post(form_url(procedure), {"enfants__rows": "2", "enfants__0__p": "Léa"}))
    assert "2 lignes au moins." in html
    assert 'href="#fs-enfants"' in html


# --- navigation, drafts, sending -------------------------------------------------------------


@pytest.fixture
def two_pages():
    return make_procedure(
        pages=[
            page(
                "Vous",
                [field("text", "nom", "Nom"), field("phone", "tel", "Téléphone", required=False)],
            ),
            page("Pièces", [field("file", "piece", "Justificatif")]),
        ],
        slug="inscription",
    )


def test_a_later_page_cannot_be_reached_before_the_earlier_ones(guest, two_pages):
    response = guest.get(form_url(two_pages, 2))
    assert response.status_code == 302 and response["Location"] == form_url(two_pages, 1)
    assert guest.get(review_url(two_pages)).status_code == 302


def test_previous_keeps_the_values_of_the_page(guest, two_pages):
    guest.post(form_url(two_pages), {"nom": "Durand"})
    response = guest.post(form_url(two_pages, 2), {"action": "previous"})
    assert response["Location"] == form_url(two_pages, 1)
    html = html_of(guest.get(form_url(two_pages, 1)))
    assert input_value(html, "nom") == "Durand"
    assert "Étape 1 sur 2" in html


def test_the_whole_path_to_a_submitted_request(guest, two_pages, mailoutbox):
    assert (
        guest.post(form_url(two_pages), {"nom": "Durand", "tel": "06 39 98 12 34"}).status_code
        == 302
    )
    assert guest.post(form_url(two_pages, 2), {"piece": upload("domicile.pdf")}).status_code == 302

    review = html_of(guest.get(review_url(two_pages)))
    assert "Vérifier et envoyer" in review
    assert "Durand" in review and "06 39 98 12 34" in review and "domicile.pdf" in review
    assert f'href="{form_url(two_pages, 2)}"' in review

    response = guest.post(review_url(two_pages))

    submitted = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/demarches/inscription/envoyee/{submitted.public_id}/"
    assert submitted.email == "camille@example.org"
    assert submitted.version == two_pages.current_version
    assert submitted.data["nom"] == "Durand" and submitted.data["tel"] == "+33639981234"
    attachment = Attachment.objects.get()
    assert attachment.request == submitted and attachment.draft is None
    assert submitted.data["piece"][0]["id"] == str(attachment.public_id)
    assert not Draft.objects.exists()
    done = html_of(guest.get(response["Location"]))
    assert submitted.number in done
    assert f'data-procedure-clear="parvis:procedure:{two_pages.pk}:v1"' in done


def test_the_confirmation_page_is_only_for_the_session_that_sent(client, guest, two_pages):
    from django.test import Client

    guest.post(form_url(two_pages), {"nom": "Durand"})
    guest.post(form_url(two_pages, 2), {"piece": upload()})
    location = guest.post(review_url(two_pages))["Location"]
    assert Client().get(location).status_code == 404


def test_an_earlier_answer_that_hides_a_later_field_is_rechecked_before_sending(guest):
    procedure = make_procedure(
        pages=[
            page("Un", [field("choice", "acte", "Acte", choices=["Naissance", "Mariage"])]),
            page(
                "Deux",
                [
                    field(
                        "text",
                        "conjoint",
                        "Conjoint",
                        show_if_key="acte",
                        show_if_value="Mariage",
                        required=False,
                    )
                ],
            ),
        ]
    )
    guest.post(form_url(procedure), {"acte": "Mariage"})
    guest.post(form_url(procedure, 2), {"conjoint": "Martin"})
    guest.post(form_url(procedure), {"acte": "Naissance"})

    guest.post(review_url(procedure))

    assert Request.objects.get().data == {"acte": "Naissance"}


def test_a_guest_needs_a_proven_address(client, two_pages):
    response = client.get(form_url(two_pages))
    assert response.status_code == 302 and response["Location"].startswith("/comptes/adresse/")


def test_another_guest_does_not_see_a_draft(client, two_pages):
    from django.test import Client

    prove_email(client, "camille@example.org")
    client.post(form_url(two_pages), {"nom": "Durand"})
    other = Client()
    prove_email(other, "dominique@example.org")
    html = html_of(other.get(form_url(two_pages)))
    assert input_value(html, "nom") == ""


@pytest.fixture
def account_procedure():
    return make_procedure(
        pages=[
            page("Vous", [field("text", "nom", "Nom"), field("text", "prenom", "Prénom")]),
            page("Suite", [field("long_text", "motif", "Motif")]),
        ],
        audience=Audience.ACCOUNT,
        slug="inscription-cantine",
        title="Inscription à la cantine",
    )


def test_an_account_draft_is_kept_on_the_server_and_resumed(client, account_procedure):
    resident = make_resident()
    client.force_login(resident)
    client.post(form_url(account_procedure), {"nom": "Durand", "prenom": ""})  # invalid: kept
    draft = Draft.objects.get(user=resident)
    assert draft.data["input"]["0"]["nom"] == ["Durand"]

    assert [d.procedure for d in drafts_for(resident)] == [account_procedure]
    detail = html_of(client.get(f"/demarches/{account_procedure.slug}/"))
    assert "Reprendre ma demande en cours" in detail
    html = html_of(client.get(form_url(account_procedure)))
    assert input_value(html, "nom") == "Durand"
    assert "error-summary" not in html  # coming back is not an error


def test_an_expired_session_sends_to_login_then_back_with_the_draft(client, account_procedure):
    resident = make_resident()
    client.force_login(resident)
    client.post(form_url(account_procedure), {"nom": "Durand", "prenom": "Camille"})
    client.logout()  # the session expires while page 2 is being filled

    response = client.post(form_url(account_procedure, 2), {"motif": "Un long texte"})

    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=" + form_url(account_procedure, 2)
    client.force_login(resident)
    html = html_of(client.get(form_url(account_procedure, 2)))
    draft = Draft.objects.get()
    # the page offers the hooks that put the local copy back (procedure-form.js)
    assert f'data-storage-key="parvis:procedure:{account_procedure.pk}:v1"' in html
    assert f'data-saved-at="{int(draft.updated_at.timestamp() * 1000)}"' in html
    assert 'data-page="2"' in html
    assert "parvis/js/procedure-form.js" in html
    assert input_value(client.get(form_url(account_procedure)).content.decode(), "nom") == "Durand"


def test_an_unverified_account_cannot_fill_an_account_procedure(client, account_procedure):
    client.force_login(make_resident(verified=False))
    assert client.get(form_url(account_procedure)).status_code == 403


def test_save_and_finish_later(client, account_procedure):
    client.force_login(make_resident())
    response = client.post(form_url(account_procedure), {"nom": "Durand", "action": "save"})
    assert response["Location"] == f"/demarches/{account_procedure.slug}/"
    follow = html_of(client.get(response["Location"]))
    assert "Vos réponses sont enregistrées" in follow


def test_discarding_a_draft_deletes_it_and_its_files(
    guest, two_pages, django_capture_on_commit_callbacks
):
    guest.post(form_url(two_pages), {"nom": "Durand"})
    guest.post(form_url(two_pages, 2), {"piece": upload()})
    stored = Attachment.objects.get()
    path = stored.file.path

    with django_capture_on_commit_callbacks(execute=True):
        guest.post(f"/demarches/{two_pages.slug}/formulaire/effacer/")

    assert not Draft.objects.exists() and not Attachment.objects.exists()
    import os

    assert not os.path.exists(path)


def test_a_new_version_during_a_draft_keeps_the_input(guest, two_pages):
    guest.post(form_url(two_pages), {"nom": "Durand"})
    set_form(
        two_pages,
        [
            page("Vous", [field("text", "nom", "Nom de famille"), field("text", "ville", "Ville")]),
            page("Pièces", [field("file", "piece", "Justificatif")]),
        ],
    )
    procedure_publish(procedure=two_pages, actor=None)

    response = guest.get(f"/demarches/{two_pages.slug}/formulaire/")

    assert response["Location"] == form_url(two_pages, 1)
    html = html_of(guest.get(response["Location"]))
    assert input_value(html, "nom") == "Durand"
    assert "Le formulaire a été modifié" in html
    assert Draft.objects.get().version.number == 2


# --- catalogue and bounded queries ----------------------------------------------------------


def test_the_catalogue_lists_published_procedures_by_service(client):
    from .procedures_helpers import make_service

    etat_civil = make_service("État civil")
    make_procedure(title="Acte de naissance", service=etat_civil)
    make_procedure(title="Acte de mariage", service=etat_civil)
    make_procedure(title="Brouillon secret", service=etat_civil, publish=False)

    html = html_of(client.get("/demarches/"))

    assert "État civil" in html and "Acte de naissance" in html and "Acte de mariage" in html
    assert "Brouillon secret" not in html


def test_the_presentation_page(client):
    procedure = make_procedure(
        [field("file", "piece", "Justificatif de domicile", help_text="Moins de trois mois")],
        fee_cents=1250,
        processing_days=10,
        summary="Pour occuper la voie publique.",
    )
    html = html_of(client.get(f"/demarches/{procedure.slug}/"))
    assert "12,50" in html and "10 jours" in html
    assert "Justificatif de domicile" in html and "Moins de trois mois" in html
    assert f'href="/demarches/{procedure.slug}/formulaire/"' in html
    draft = make_procedure(publish=False)
    assert client.get(f"/demarches/{draft.slug}/").status_code == 404


def queries_of(client, method, url, data=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in (200, 302)
    return len(captured.captured_queries)


def test_queries_are_bounded_whatever_the_number_of_fields(guest):
    small = make_procedure([field("text", "a", "A"), field("file", "f", "F", required=False)])
    many = [field("text", f"t{i}", f"T{i}") for i in range(30)]
    many += [field("file", f"f{i}", f"F{i}", required=False) for i in range(5)]
    large = make_procedure(
        many + [field("group", "g", "G", max_rows=10, fields=[field("text", "x", "X")])]
    )
    guest.get(form_url(small))  # the site's settings rows are created on first use

    assert queries_of(guest, "get", form_url(large)) == queries_of(guest, "get", form_url(small))
    post_small = queries_of(guest, "post", form_url(small), {"a": "x", "f": upload()})
    post = {f"t{i}": "x" for i in range(30)} | {"g__rows": "1", "g__0__x": "y"}
    post_large = queries_of(
        guest, "post", form_url(large), post | {"f0": upload(), "f1": upload(), "f2": upload()}
    )
    # each stored file costs its own insert; nothing else grows with the form
    assert post_large <= post_small + 2
    assert queries_of(guest, "get", review_url(large)) <= 25
    assert queries_of(guest, "get", "/demarches/") <= 20


def test_a_post_with_a_stale_csrf_token_goes_back_to_the_page_and_stores_nothing(
    two_pages,
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    prove_email(browser, "camille@example.org")
    browser.get(form_url(two_pages))  # the page sets its CSRF cookie

    response = browser.post(form_url(two_pages), {"nom": "Durand", "csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 302 and response["Location"] == form_url(two_pages)
    assert not Draft.objects.exists()
    page_html = html_of(browser.get(response["Location"]))
    assert "Votre session avait expiré : cette étape n'a pas été enregistrée." in page_html
    assert 'data-storage-key="parvis:procedure:' in page_html


def test_a_stale_csrf_token_with_an_expired_session_goes_through_sign_in(account_procedure):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(form_url(account_procedure, 2), {"motif": "Texte"})
    assert response["Location"] == form_url(account_procedure, 2)
    follow = browser.get(response["Location"])
    assert follow["Location"] == "/comptes/connexion/?next=" + form_url(account_procedure, 2)
