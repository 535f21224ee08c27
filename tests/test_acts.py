import datetime as dt

import pytest

from parvis.cms.exceptions import ActLocked, ActNotPublishable
from parvis.cms.models import Act
from parvis.cms.services import act_publish, act_update
from parvis.core.models import AuditLogEntry

from . import factories
from .conftest import verified_login

pytestmark = pytest.mark.django_db


def make_act(
    number="2026-001",
    act_type=Act.Type.DELIBERATION,
    date=None,
    subject="Budget",
    document=True,
    **extra,
):
    return Act.objects.create(
        act_type=act_type,
        number=number,
        date=date or dt.date(2026, 3, 3),
        subject=subject,
        signed_document=factories.make_pdf(f"acte-{number}") if document else None,
        live=False,
        **extra,
    )


def test_published_act_cannot_be_changed(communication):
    act = make_act()
    act_publish(act=act, user=communication)
    assert act.live and act.first_published_at is not None
    with pytest.raises(ActLocked):
        act_update(act=act, user=communication, subject="Budget modifié")
    act.refresh_from_db()
    assert act.subject == "Budget"
    with pytest.raises(ActLocked):
        act_publish(act=act, user=communication)
    assert AuditLogEntry.objects.filter(action="cms.act_published", object_id=str(act.pk)).exists()


def test_act_needs_its_signed_pdf_to_be_published(communication):
    act = make_act(document=False)
    with pytest.raises(ActNotPublishable):
        act_publish(act=act, user=communication)
    act.refresh_from_db()
    assert not act.live


def test_draft_act_can_be_edited(communication):
    act = make_act()
    act_update(act=act, user=communication, subject="Budget primitif 2026")
    act.refresh_from_db()
    assert act.subject == "Budget primitif 2026"


def test_admin_refuses_to_edit_or_delete_a_published_act(client, communication):
    verified_login(client, communication)
    act = make_act()
    assert client.get(f"/admin/snippets/cms/act/edit/{act.pk}/").status_code == 200
    act_publish(act=act, user=communication)
    superuser = factories.make_user("root@example.org", staff=True, superuser=True)
    for user in (communication, superuser):
        client.logout()
        verified_login(client, user)
        edit = client.get(f"/admin/snippets/cms/act/edit/{act.pk}/")
        assert edit.status_code in (302, 403)
        post = client.post(
            f"/admin/snippets/cms/act/edit/{act.pk}/",
            {
                "subject": "Changé",
                "act_type": "deliberation",
                "number": "2026-001",
                "date": "2026-03-03",
            },
        )
        assert post.status_code in (302, 403)
        delete = client.post(f"/admin/snippets/cms/act/delete/{act.pk}/")
        assert delete.status_code in (302, 403)
        act.refresh_from_db()
        assert act.subject == "Budget"
        # It can still be read.
        assert client.get(f"/admin/snippets/cms/act/inspect/{act.pk}/").status_code == 200


def test_correcting_act_supersedes_the_published_one(client, site, communication):
    original = make_act(number="2026-010", subject="Tarifs de la cantine")
    act_publish(act=original, user=communication)
    correction = make_act(
        number="2026-011", subject="Tarifs de la cantine (rectificatif)", supersedes=original
    )
    act_publish(act=correction, user=communication)
    html = client.get(site["register"].url).content.decode()
    assert "2026-010" in html and "2026-011" in html
    assert original.superseded_by.get() == correction


def test_register_filters_by_type_year_and_words(client, site, communication):
    acts = [
        make_act("2025-040", Act.Type.DELIBERATION, dt.date(2025, 6, 1), "Subvention au club"),
        make_act("AM-2026-002", Act.Type.ARRETE, dt.date(2026, 7, 1), "Circulation fête"),
        make_act("DM-2026-003", Act.Type.DECISION, dt.date(2026, 2, 1), "Marché de voirie"),
    ]
    for act in acts:
        act_publish(act=act, user=communication)
    draft = make_act("AM-2026-099", Act.Type.ARRETE, dt.date(2026, 8, 1), "Brouillon secret")
    url = site["register"].url
    everything = client.get(url).content.decode()
    assert all(a.number in everything for a in acts)
    assert draft.number not in everything
    arretes = client.get(url, {"type": "arrete"}).content.decode()
    assert "AM-2026-002" in arretes and "2025-040" not in arretes
    in_2025 = client.get(url, {"annee": "2025"}).content.decode()
    assert "2025-040" in in_2025 and "AM-2026-002" not in in_2025
    words = client.get(url, {"q": "voirie"}).content.decode()
    assert "DM-2026-003" in words and "2025-040" not in words
    nonsense = client.get(url, {"type": "<script>", "annee": "abcd"})
    assert nonsense.status_code == 200
