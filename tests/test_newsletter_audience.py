import pytest
from django.db.models import Q

from parvis.newsletter.audience import (
    audience_recipients,
    campaign_recipients,
    recipient_count,
    register_audience_source,
    unregister_audience_source,
)
from parvis.newsletter.models import Campaign, ChannelState, MailingList, SubscriptionStatus

from .newsletter_helpers import EMAIL, SMS, contact, neighbourhood, topic

pytestmark = pytest.mark.django_db


def _campaign(channel=EMAIL, *, topics=(), neighbourhoods=(), lists=(), is_alert=False):
    campaign = Campaign.objects.create(channel=channel, title="T", subject="S", is_alert=is_alert)
    campaign.topics.set(topics)
    campaign.neighbourhoods.set(neighbourhoods)
    campaign.lists.set(lists)
    return campaign


def test_topic_subscribers_only_on_the_campaign_channel():
    news, works = topic("actualites"), topic("travaux")
    a = contact(1, subs=[(EMAIL, news)])
    contact(2, subs=[(EMAIL, works)])
    both = contact(3, phone=True, subs=[(EMAIL, news), (SMS, news)])
    contact(4, phone=True, subs=[(SMS, news)])  # SMS only
    assert list(campaign_recipients(_campaign(topics=[news]))) == [a, both]
    sms = _campaign(SMS, topics=[news])
    assert sorted(c.first_name for c in campaign_recipients(sms)) == ["Habitant3", "Habitant4"]


def test_unsubscribed_bounced_unconfirmed_and_withdrawn_are_excluded():
    news = topic("actualites")
    ok = contact(1, subs=[(EMAIL, news)])
    contact(2, subs=[(EMAIL, news)], email_state=ChannelState.STOPPED)
    contact(3, subs=[(EMAIL, news)], email_state=ChannelState.BOUNCED)
    contact(4, subs=[(EMAIL, news)], email_state=ChannelState.COMPLAINED)
    contact(5, subs=[(EMAIL, news)], status=SubscriptionStatus.PENDING)
    contact(6, subs=[(EMAIL, news)], status=SubscriptionStatus.WITHDRAWN)
    contact(7, email=False, phone=True, subs=[(EMAIL, news)])  # no e-mail address
    campaign = _campaign(topics=[news])
    assert list(campaign_recipients(campaign)) == [ok]
    assert recipient_count(campaign) == 1


def test_neighbourhood_by_attachment_or_by_street():
    works = topic("travaux")
    centre = neighbourhood("centre", "Rue de la Mairie\nPlace du Marché")
    other = neighbourhood("gare", "Avenue de la Gare")
    attached = contact(1, subs=[(EMAIL, works)], neighbourhood=centre)
    by_street = contact(2, subs=[(EMAIL, works)], street="rue de la mairie")
    contact(3, subs=[(EMAIL, works)], street="Avenue de la Gare")
    contact(4, subs=[(EMAIL, works)], neighbourhood=other)
    contact(5, subs=[(EMAIL, works)])  # no address known: not targeted
    campaign = _campaign(topics=[works], neighbourhoods=[centre])
    assert list(campaign_recipients(campaign)) == [attached, by_street]
    assert recipient_count(_campaign(topics=[works])) == 5


def test_lists_never_bypass_consent_and_no_duplicates():
    news, culture = topic("actualites"), topic("culture")
    consenting = contact(1, subs=[(EMAIL, culture)])
    never = contact(2)  # on the list, never subscribed
    pending = contact(3, subs=[(EMAIL, news)], status=SubscriptionStatus.PENDING)
    sms_only = contact(4, phone=True, subs=[(SMS, news)])
    also_topic = contact(5, subs=[(EMAIL, news)])
    presidents = MailingList.objects.create(name="Présidents d'associations")
    presidents.contacts.set([consenting, never, pending, sms_only, also_topic])
    campaign = _campaign(topics=[news], lists=[presidents])
    assert list(campaign_recipients(campaign)) == [consenting, also_topic]
    assert recipient_count(_campaign(lists=[presidents])) == 2


def test_alert_campaign_uses_alert_topics_and_empty_audience_is_empty():
    alerts, news = topic("alertes", alert=True), topic("actualites")
    subscriber = contact(1, subs=[(EMAIL, alerts)])
    contact(2, subs=[(EMAIL, news)])
    assert list(campaign_recipients(_campaign(is_alert=True))) == [subscriber]
    assert recipient_count(_campaign()) == 0


def test_extension_point_adds_contacts_within_consent():
    news, other = topic("actualites"), topic("culture")
    extra = contact(1, subs=[(EMAIL, other)])
    contact(2)  # matched by the source but without any consent
    source = register_audience_source(lambda c: Q(first_name__in=["Habitant1", "Habitant2"]))
    try:
        assert list(campaign_recipients(_campaign(topics=[news]))) == [extra]
    finally:
        unregister_audience_source(source)


def test_bounded_queries(django_assert_max_num_queries):
    news = topic("actualites")
    centre = neighbourhood("centre", "Rue A")
    for n in range(30):
        contact(n, subs=[(EMAIL, news)], street="Rue A")
    campaign = _campaign(topics=[news], neighbourhoods=[centre])
    with django_assert_max_num_queries(5):
        assert len(list(campaign_recipients(campaign))) == 30
    with django_assert_max_num_queries(2):
        assert audience_recipients(channel=EMAIL, topics=[news.pk]).count() == 30


def test_demo_loads_twice_and_reaches_its_subscribers():
    from parvis.newsletter.demo import load_newsletter_demo

    load_newsletter_demo()
    load_newsletter_demo()
    alert = Campaign.objects.create(channel=EMAIL, title="A", is_alert=True)
    assert recipient_count(alert) == 2
    assert Campaign.objects.filter(title="Lettre de septembre").count() == 1
