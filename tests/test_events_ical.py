import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from parvis.core.hours import PARIS

from . import factories

pytestmark = pytest.mark.django_db


def test_event_ics_downloads_and_parses(client, site):
    event = site["event"]
    response = client.get(event.url + "ics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == event.title
    assert events[0].decoded("DTSTART") == event.start.astimezone(PARIS).replace(
        microsecond=0
    ) or events[0].decoded("DTSTART") == event.start.astimezone(PARIS)
    assert str(events[0]["LOCATION"]) == "Salle des fêtes"


def test_all_day_event_uses_dates(client, site):
    start = timezone.make_aware(dt.datetime(2031, 5, 1, 0, 0))
    event = factories.make_event(site["event_index"], "Fête du 1er mai", start=start, all_day=True)
    calendar = Calendar.from_ical(client.get(event.url + "ics/").content)
    vevent = calendar.walk("VEVENT")[0]
    assert vevent.decoded("DTSTART") == dt.date(2031, 5, 1)


def test_agenda_feed_lists_upcoming_events_only(client, site):
    past = factories.make_event(
        site["event_index"], "Loto passé", start=timezone.now() - dt.timedelta(days=30)
    )
    response = client.get(site["event_index"].url + "ics/")
    calendar = Calendar.from_ical(response.content)
    titles = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert site["event"].title in titles
    assert past.title not in titles


def test_agenda_filters_by_month_and_category(client, site):
    later = factories.make_event(
        site["event_index"],
        "Vide-greniers de printemps",
        start=timezone.make_aware(dt.datetime(2031, 4, 12, 9)),
    )
    url = site["event_index"].url
    april = client.get(url, {"mois": "2031-04"}).content.decode()
    assert later.title in april and site["event"].title not in april
    culture = client.get(url, {"categorie": "culture"}).content.decode()
    assert site["event"].title in culture and later.title not in culture
    bad = client.get(url, {"mois": "avril"})
    assert bad.status_code == 200
