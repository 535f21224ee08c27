"""Residents' proposals on the directory and their moderation by staff.

Nothing reaches the public directory before approval; a representative edits only the
entries they represent; staff compare field by field, approve (values validated again)
or reject (with a message); the proposer is e-mailed either way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from parvis.core.models import AuditLogEntry
from parvis.directory.models import (
    Place,
    PlaceKind,
    PlaceProposal,
    PlaceStatus,
    ProposalKind,
    ProposalStatus,
)
from parvis.directory.selectors import place_list
from parvis.directory.services.proposals import (
    ProposalAlreadyDecided,
    ProposalMessageRequired,
    proposal_approve,
    proposal_reject,
    proposal_submit,
)

from . import factories
from .conftest import verified_login

pytestmark = pytest.mark.django_db

ACCOUNT = "/annuaire/mon-association/"
QUEUE = "/admin/annuaire/propositions/"


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Each request's on-commit callbacks (e-mails) run when it ends, as after a commit."""
    send = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(**kwargs)

    client.request = request
    return client


@pytest.fixture
def staff_client(django_capture_on_commit_callbacks):
    from django.test import Client

    def make(user):
        staff = Client()
        send = staff.request

        def request(**kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return send(**kwargs)

        staff.request = request
        return verified_login(staff, user)

    return make


def resident(email="claire@example.org"):
    user = factories.make_user(email)
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def moderator(email="moderation@example.org"):
    """A back-office agent given the moderation permission directly."""
    user = factories.make_user(email)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"),
        Permission.objects.get(codename="change_placeproposal"),
    )
    return user


def make_place(name="Les Amis du Puits Castellane", **fields):
    from django.utils.text import slugify

    values = {
        "kind": PlaceKind.ASSOCIATION,
        "slug": slugify(name),
        "status": PlaceStatus.PUBLISHED,
        "summary": "Patrimoine minier.",
        "phone": "01 99 00 12 34",
        "opening_hours": "Sa 09:00-12:00",
        **fields,
    }
    return Place.objects.create(name=name, **values)


NEW_ENTRY = {
    "kind": "association",
    "name": "Gréasque Randonnée",
    "summary": "Sorties à pied dans le massif du Regagnas.",
    "description": "Sorties le dimanche.\n\nDébutants bienvenus & enfants <accompagnés>.",
    "street_number": "2",
    "street": "place de la Mairie",
    "postcode": "13850",
    "city": "Gréasque",
    "phone": "06 39 98 00 11",
    "email": "rando@example.org",
    "website": "https://rando.example.org",
    "opening_hours": "Su 08:00-12:00",
    "wheelchair": "",
    "siret": "",
    "rna": "W131001234",
    "message": "Association créée en 2019.",
}


def public_page(client, slug):
    from django.test import Client

    return Client().get(f"/annuaire/{slug}/")


# --- New entries -----------------------------------------------------------------------


def test_a_new_entry_is_public_only_after_approval(client, site, staff_client):
    user = resident()
    client.force_login(user)
    page = client.get(f"{ACCOUNT}proposer/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Syntaxe OpenStreetMap" in content  # the help of the hours field
    assert 'value="facility"' not in content  # residents cannot propose a public facility

    response = client.post(f"{ACCOUNT}proposer/", NEW_ENTRY)
    assert response.status_code == 302
    proposal = PlaceProposal.objects.get()
    assert proposal.kind == ProposalKind.NEW
    assert proposal.place is None
    assert proposal.proposer == user
    assert proposal.data["name"] == "Gréasque Randonnée"
    assert proposal.message == "Association créée en 2019."
    assert not Place.objects.exists()
    assert not place_list(q="Randonnée").exists()
    assert public_page(client, "greasque-randonnee").status_code == 404
    assert AuditLogEntry.objects.filter(action="directory.proposal.submit").exists()

    # The personal space lists the pending request.
    space = client.get(ACCOUNT).content.decode()
    assert "Gréasque Randonnée" in space and "En attente" in space

    agent = staff_client(moderator())
    response = agent.post(
        f"{QUEUE}{proposal.pk}/",
        {"action": "approve", "approve-message": "Bienvenue !", "approve-publish": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    place = Place.objects.get()
    assert place.name == "Gréasque Randonnée"
    assert place.status == PlaceStatus.PUBLISHED
    assert place.slug == "greasque-randonnee"
    assert place.rna == "W131001234" and place.siret is None
    assert list(place.representatives.all()) == [user]
    # Plain text became escaped paragraphs of rich text.
    assert "<p>Sorties le dimanche.</p>" in place.description
    assert "&lt;accompagnés&gt;" in place.description
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.place == place
    assert proposal.reviewed_at is not None

    assert place_list(q="Randonnée").get() == place
    page = public_page(client, place.slug)
    assert page.status_code == 200
    assert "Gréasque Randonnée" in page.content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "acceptée" in message.subject
    assert "Bienvenue !" in message.body
    assert f"/annuaire/{place.slug}/" in message.body
    assert AuditLogEntry.objects.filter(action="directory.proposal.approve").exists()


def test_a_new_entry_can_be_approved_as_a_draft(site):
    user = resident()
    proposal = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "business", "name": "Boulangerie du Puits"}
    )
    agent = moderator()
    proposal_approve(actor=agent, proposal=proposal, publish=False)
    place = Place.objects.get()
    assert place.status == PlaceStatus.DRAFT
    assert not place_list(q="Boulangerie").exists()
    assert user in place.representatives.all()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("opening_hours", "lundi matin", "Horaires illisibles"),
        ("postcode", "1385", "code postal a 5 chiffres"),
        ("rna", "123", "RNA commence par W"),
        ("website", "pas une adresse", "URL valide"),
    ],
)
def test_malformed_values_are_explained_next_to_the_field(client, site, field, value, message):
    client.force_login(resident())
    response = client.post(f"{ACCOUNT}proposer/", {**NEW_ENTRY, field: value})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert 'value="Gréasque Randonnée"' in response.content.decode()  # the rest is kept
    assert not PlaceProposal.objects.exists()


def test_a_duplicate_siret_is_refused_on_submission(client, site):
    make_place("Garage des Mines", kind=PlaceKind.BUSINESS, siret="12345678900011")
    client.force_login(resident())
    response = client.post(
        f"{ACCOUNT}proposer/",
        {**NEW_ENTRY, "kind": "business", "rna": "", "siret": "12345678900011"},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["siret"])
    assert "12345678900011" in errors and "Garage des Mines" in errors
    assert not PlaceProposal.objects.exists()


def test_a_duplicate_siret_is_refused_on_approval_with_a_clear_message(site, staff_client):
    user = resident()
    proposal = proposal_submit(
        user=user,
        kind=ProposalKind.NEW,
        data={"kind": "business", "name": "Épicerie Vrac", "siret": "98765432100017"},
    )
    # Meanwhile staff entered the same business themselves.
    make_place("Épicerie Vrac et Bio", kind=PlaceKind.BUSINESS, siret="98765432100017")
    agent = staff_client(moderator())
    response = agent.post(f"{QUEUE}{proposal.pk}/", {"action": "approve", "approve-publish": "1"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "SIRET" in content and "Épicerie Vrac et Bio" in content
    assert Place.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert mail.outbox == []


# --- Changes by a representative -------------------------------------------------------


def test_representative_proposes_only_changed_fields_and_nothing_shows_before_approval(
    client, site, staff_client
):
    user = resident()
    place = make_place(description="<p>Visites du <b>chevalement</b>.</p>")
    place.representatives.add(user)
    client.force_login(user)

    page = client.get(f"{ACCOUNT}fiches/{place.slug}/modifier/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["name"] == place.name
    assert form.initial["description"] == "Visites du chevalement."
    assert "kind" not in form.fields

    values = {k: v for k, v in form.initial.items()}
    values.update({"name": "Amis du Puits Castellane", "opening_hours": "Sa,Su 09:00-12:00"})
    response = client.post(f"{ACCOUNT}fiches/{place.slug}/modifier/", values)
    assert response.status_code == 302
    proposal = PlaceProposal.objects.get()
    assert proposal.kind == ProposalKind.CHANGE and proposal.place == place
    changed = {k: v for k, v in proposal.data.items() if not k.startswith("_")}
    assert changed == {"name": "Amis du Puits Castellane", "opening_hours": "Sa,Su 09:00-12:00"}

    place.refresh_from_db()
    assert place.name == "Les Amis du Puits Castellane"
    page = public_page(client, place.slug).content.decode()
    assert "Les Amis du Puits Castellane" in page
    assert "Sa,Su" not in page

    # An unchanged form sends nothing.
    response = client.post(f"{ACCOUNT}fiches/{place.slug}/modifier/", form.initial)
    assert response.status_code == 200
    assert "rien modifié" in response.content.decode()
    assert PlaceProposal.objects.count() == 1

    agent = staff_client(moderator())
    detail = agent.get(f"{QUEUE}{proposal.pk}/")
    assert detail.status_code == 200
    rows = {row.field: row for row in detail.context["rows"]}
    assert rows["name"].changed and rows["opening_hours"].changed
    assert not rows["phone"].changed and not rows["description"].changed
    assert rows["name"].label == "Nom"
    assert rows["name"].current == "Les Amis du Puits Castellane"
    assert rows["name"].proposed == "Amis du Puits Castellane"
    html = detail.content.decode()
    assert html.count('data-changed="true"') == 2
    assert rows["opening_hours"].label == "Horaires d'ouverture"

    response = agent.post(f"{QUEUE}{proposal.pk}/", {"action": "approve"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "Amis du Puits Castellane"
    assert place.opening_hours == "Sa,Su 09:00-12:00"
    # Fields not proposed keep their rich text.
    assert place.description == "<p>Visites du <b>chevalement</b>.</p>"
    assert "Amis du Puits Castellane" in public_page(client, place.slug).content.decode()
    assert len(mail.outbox) == 1 and "acceptée" in mail.outbox[0].subject


def test_only_representatives_can_edit_an_entry(client, site):
    owner, other = resident("owner@example.org"), resident("other@example.org")
    mine = make_place("Tennis Club")
    theirs = make_place("Chorale du Bassin")
    draft = make_place("Brouillon", status=PlaceStatus.DRAFT)
    mine.representatives.add(owner)
    theirs.representatives.add(other)
    client.force_login(owner)
    assert client.get(f"{ACCOUNT}fiches/{mine.slug}/modifier/").status_code == 200
    for slug in (theirs.slug, draft.slug, "nexiste-pas", str(theirs.pk)):
        assert client.get(f"{ACCOUNT}fiches/{slug}/modifier/").status_code == 404
        response = client.post(f"{ACCOUNT}fiches/{slug}/modifier/", {"name": "Piraté"})
        assert response.status_code == 404
    assert not PlaceProposal.objects.exists()
    theirs.refresh_from_db()
    assert theirs.name == "Chorale du Bassin"
    # The service refuses too, whatever calls it.
    from parvis.directory.services.proposals import ProposalNotAllowed

    with pytest.raises(ProposalNotAllowed):
        proposal_submit(user=owner, kind=ProposalKind.CHANGE, place=theirs, data={"name": "X"})


def test_a_conflicting_change_needs_staff_confirmation(site, staff_client):
    user = resident()
    place = make_place()
    place.representatives.add(user)
    proposal = proposal_submit(
        user=user, kind=ProposalKind.CHANGE, place=place, data={"phone": "01 99 00 55 66"}
    )
    Place.objects.filter(pk=place.pk).update(phone="01 99 00 77 88")  # staff changed it since
    agent = staff_client(moderator())
    detail = agent.get(f"{QUEUE}{proposal.pk}/")
    rows = {row.field: row for row in detail.context["rows"]}
    assert rows["phone"].conflict
    assert rows["phone"].current == "01 99 00 77 88"
    assert rows["phone"].original == "01 99 00 12 34"
    assert "modifié depuis la proposition" in detail.content.decode()

    response = agent.post(f"{QUEUE}{proposal.pk}/", {"action": "approve"})
    assert response.status_code == 400
    assert "modifiée depuis la proposition" in response.content.decode()
    place.refresh_from_db()
    assert place.phone == "01 99 00 77 88"

    response = agent.post(
        f"{QUEUE}{proposal.pk}/", {"action": "approve", "approve-overwrite": "on"}
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.phone == "01 99 00 55 66"


# --- Claims ----------------------------------------------------------------------------


def test_claim_flow(client, site, staff_client):
    user = resident()
    place = make_place()
    client.force_login(user)
    # The entry is found by name from the self-service page.
    found = client.get(ACCOUNT, {"q": "Puits"}).content.decode()
    assert f"{ACCOUNT}revendiquer/{place.slug}/" in found
    assert client.get(f"{ACCOUNT}fiches/{place.slug}/modifier/").status_code == 404

    response = client.post(f"{ACCOUNT}revendiquer/{place.slug}/", {"role": "", "message": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"role", "message"}

    response = client.post(
        f"{ACCOUNT}revendiquer/{place.slug}/",
        {"role": "Présidente", "message": "Élue présidente en mars."},
    )
    assert response.status_code == 302
    proposal = PlaceProposal.objects.get()
    assert (proposal.kind, proposal.place, proposal.data) == (
        ProposalKind.CLAIM,
        place,
        {"role": "Présidente"},
    )
    assert not place.representatives.exists()

    again = client.post(
        f"{ACCOUNT}revendiquer/{place.slug}/", {"role": "Présidente", "message": "Relance"}
    )
    assert again.status_code == 200
    assert "déjà une demande en attente" in again.content.decode()
    assert PlaceProposal.objects.count() == 1

    agent = staff_client(moderator())
    detail = agent.get(f"{QUEUE}{proposal.pk}/").content.decode()
    assert "Présidente" in detail and "Élue présidente en mars." in detail
    assert agent.post(f"{QUEUE}{proposal.pk}/", {"action": "approve"}).status_code == 302
    assert list(place.representatives.all()) == [user]
    assert client.get(f"{ACCOUNT}fiches/{place.slug}/modifier/").status_code == 200
    assert "vous représentez désormais" in mail.outbox[0].body
    # Claiming again now leads to the edit form.
    response = client.get(f"{ACCOUNT}revendiquer/{place.slug}/")
    assert response.status_code == 302
    assert response["Location"] == f"{ACCOUNT}fiches/{place.slug}/modifier/"


def test_unpublished_entries_cannot_be_claimed(client, site):
    draft = make_place("Projet secret", status=PlaceStatus.DRAFT)
    client.force_login(resident())
    assert client.get(f"{ACCOUNT}revendiquer/{draft.slug}/").status_code == 404
    assert "Projet secret" not in client.get(ACCOUNT, {"q": "secret"}).content.decode()


# --- Rejection -------------------------------------------------------------------------


def test_reject_requires_a_message_and_mails_it(site, staff_client):
    user = resident()
    proposal = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "tourism", "name": "Gîte des Mines"}
    )
    agent = staff_client(moderator())
    response = agent.post(f"{QUEUE}{proposal.pk}/", {"action": "reject", "reject-message": "  "})
    assert response.status_code == 400
    assert "pourquoi sa proposition est refusée" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert mail.outbox == []
    with pytest.raises(ProposalMessageRequired):
        proposal_reject(actor=agent, proposal=proposal, message="")

    response = agent.post(
        f"{QUEUE}{proposal.pk}/",
        {"action": "reject", "reject-message": "Le gîte est hors de la commune."},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.review_message == "Le gîte est hors de la commune."
    assert not Place.objects.exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "n'est pas acceptée" in mail.outbox[0].subject
    assert "Le gîte est hors de la commune." in mail.outbox[0].body
    assert "Le gîte est hors de la commune." in mail.outbox[0].alternatives[0][0]
    # A decision is final.
    with pytest.raises(ProposalAlreadyDecided):
        proposal_approve(actor=agent, proposal=proposal)
    assert AuditLogEntry.objects.filter(action="directory.proposal.reject").count() == 1


# --- Back office -----------------------------------------------------------------------


def test_queue_lists_pending_proposals_with_filters_and_a_count_in_the_menu(
    site, staff_client, django_assert_max_num_queries
):
    user = resident()
    place = make_place()
    claim = proposal_submit(user=user, kind=ProposalKind.CLAIM, place=place, data={})
    for number in range(5):
        proposal_submit(
            user=user,
            kind=ProposalKind.NEW,
            data={"kind": "business", "name": f"Commerce {number}"},
        )
    decided = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "business", "name": "Ancien commerce"}
    )
    proposal_reject(actor=None, proposal=decided, message="Fermé.")
    agent = staff_client(moderator())

    with django_assert_max_num_queries(20):
        page = agent.get(QUEUE)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Commerce 4" in content and place.name in content
    assert "Ancien commerce" not in content

    claims = agent.get(QUEUE, {"kind": "claim", "status": "pending"}).content.decode()
    assert place.name in claims and "Commerce 0" not in claims
    assert f"{QUEUE}{claim.pk}/" in claims
    rejected = agent.get(QUEUE, {"status": "rejected"}).content.decode()
    assert "Ancien commerce" in rejected and "Commerce 0" not in rejected

    home = agent.get("/admin/").content.decode()
    assert "Propositions (6)" in home


def test_moderation_needs_the_permission(site, staff_client):
    user = resident()
    proposal = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "business", "name": "Commerce"}
    )
    editor = factories.make_user("redac@example.org", groups=["Rédacteur de service"])
    agent = staff_client(editor)
    for response in (
        agent.get(QUEUE),
        agent.get(f"{QUEUE}{proposal.pk}/"),
        agent.post(f"{QUEUE}{proposal.pk}/", {"action": "approve"}),
    ):
        # The back office answers a refusal by sending the agent to its home page.
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert "Propositions" not in agent.get("/admin/").content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING

    admin = staff_client(factories.make_user("admin@example.org", staff=True, superuser=True))
    assert admin.get(f"{QUEUE}{proposal.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("group", "allowed"), [("Communication", True), ("Accueil", True), ("Élus", False)]
)
def test_communication_and_reception_groups_moderate(site, staff_client, group, allowed):
    user = resident()
    proposal = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "business", "name": "Commerce"}
    )
    agent = staff_client(factories.make_user(f"agent-{len(group)}@example.org", groups=[group]))
    response = agent.get(f"{QUEUE}{proposal.pk}/")
    assert response.status_code == (200 if allowed else 302)
    assert ("Propositions (1)" in agent.get("/admin/").content.decode()) is allowed


def test_personal_space_lists_entries_and_requests(client, site, django_assert_max_num_queries):
    user = resident()
    place = make_place()
    place.representatives.add(user)
    proposal_submit(user=user, kind=ProposalKind.CHANGE, place=place, data={"summary": "Neuf."})
    other = make_place("Autre fiche")
    proposal_submit(user=resident("x@example.org"), kind=ProposalKind.CLAIM, place=other, data={})
    for number in range(4):
        extra = make_place(f"Fiche {number}")
        extra.representatives.add(user)
        proposal_submit(user=user, kind=ProposalKind.CHANGE, place=extra, data={"summary": "!"})
    client.force_login(user)
    client.get(ACCOUNT)  # the site's settings rows are created on the first page
    with django_assert_max_num_queries(18):  # bounded whatever the number of entries
        page = client.get(ACCOUNT)
    content = page.content.decode()
    assert f"{ACCOUNT}fiches/{place.slug}/modifier/" in content
    assert "Modification" in content and "En attente" in content
    assert "Autre fiche" not in content  # someone else's request


def test_retention_of_proposals(site):
    from parvis.core import retention

    user = resident()
    old = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "business", "name": "Ancien"}
    )
    proposal_reject(actor=None, proposal=old, message="Non.")
    PlaceProposal.objects.filter(pk=old.pk).update(
        reviewed_at=timezone.now() - dt.timedelta(days=366)
    )
    pending = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "business", "name": "En cours"}
    )
    PlaceProposal.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - dt.timedelta(days=800)
    )
    recent = proposal_submit(
        user=user, kind=ProposalKind.NEW, data={"kind": "business", "name": "Récent"}
    )
    proposal_reject(actor=None, proposal=recent, message="Non.")

    source = next(s for s in retention.sources() if s.name == "directory.proposals")
    assert source.retention_days == 365
    assert source.purge() == 1
    assert set(PlaceProposal.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}

    exported = retention.export_person("Claire@example.org")["directory.proposals"]
    assert {row["data"]["name"] for row in exported} == {"En cours", "Récent"}
    assert retention.erase_person("claire@example.org")["directory.proposals"] == 2
    assert not PlaceProposal.objects.exists()


def test_approved_hours_reach_the_opening_hours_index(site, django_capture_on_commit_callbacks):
    from parvis.directory.hours_index import hours_index_refresh
    from parvis.directory.models import PlaceOpenInterval

    user = resident()
    place = make_place(opening_hours="Sa 09:00-12:00")
    place.representatives.add(user)
    hours_index_refresh()
    before = PlaceOpenInterval.objects.filter(place=place).count()
    assert before > 0
    proposal = proposal_submit(
        user=user,
        kind=ProposalKind.CHANGE,
        place=place,
        data={"opening_hours": "Mo-Sa 09:00-12:00"},
    )
    assert PlaceOpenInterval.objects.filter(place=place).count() == before  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        proposal_approve(actor=moderator(), proposal=proposal)
    intervals = PlaceOpenInterval.objects.filter(place=place)
    assert intervals.count() > before
    assert {interval.start.astimezone(dt.UTC).weekday() for interval in intervals} >= {0, 5}
