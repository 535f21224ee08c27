import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from . import factories

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("key", ["home", "news_index", "event_index", "register", "sitemap"])
def test_queries_do_not_grow_with_content(client, site, settings, key):
    settings.PARVIS_PAGE_CACHE_SECONDS = 0
    image = factories.make_image("Vue du village")

    def add(n, offset):
        for i in range(n):
            factories.make_news(
                site["news_index"],
                f"Actualité {offset + i}",
                image=image,
                category=site["news_category"],
            )
            factories.make_event(
                site["event_index"],
                f"Événement {offset + i}",
                start=timezone.now() + dt.timedelta(days=offset + i + 1),
                category=site["event_category"],
            )

    add(3, 0)
    url = site[key].url
    _queries(client, url)  # warm renditions and caches
    few = _queries(client, url)
    add(12, 100)
    _queries(client, url)
    many = _queries(client, url)
    assert many <= few, f"{key}: {few} queries with few items, {many} with many"
    assert few <= 40, f"{key}: {few} queries"
