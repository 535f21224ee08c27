import json
import re

import pytest

from parvis.cms.models import HomePage
from parvis.core.hours import PARIS

pytestmark = pytest.mark.django_db

LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _json_ld(html):
    blocks = [json.loads(block) for block in LD_RE.findall(html)]
    flat = []
    for block in blocks:
        flat.extend(block if isinstance(block, list) else [block])
    return {item["@type"]: item for item in flat}


def test_home_describes_the_town_hall(client, site):
    from parvis.core.models import CommuneSettings

    commune = CommuneSettings.load()
    commune.name, commune.postcode, commune.city = "Gréasque", "13850", "Gréasque"
    commune.town_hall_hours = "Mo-Fr 08:30-12:00"
    commune.save()
    data = _json_ld(client.get("/").content.decode())
    organisation = data["GovernmentOrganization"]
    assert "Gréasque" in organisation["name"]
    assert organisation["address"]["postalCode"] == "13850"


def test_news_and_event_structured_data_and_opengraph(client, site):
    html = client.get(site["news"].url).content.decode()
    article = _json_ld(html)["NewsArticle"]
    assert article["headline"] == site["news"].title
    assert f'<meta property="og:title" content="{site["news"].title}' in html
    event = _json_ld(client.get(site["event"].url).content.decode())["Event"]
    assert event["name"] == site["event"].title
    local_start = site["event"].start.astimezone(PARIS)
    assert event["startDate"][:16] == local_start.isoformat()[:16]


def test_server_error_page_is_themed_without_details(client, site, monkeypatch):
    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom: secret detail")

    monkeypatch.setattr(HomePage, "serve", explode)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "secret detail" not in html and "Traceback" not in html
    assert 'lang="fr"' in html and "/static/" in html
