"""Who receives a campaign: the audience selector.

Contract of :func:`campaign_recipients` (relied on by the sending engine):

- only contacts with an *active* :class:`~parvis.newsletter.models.Subscription` on the
  campaign's channel, whose channel state is ``ok`` and whose address for that channel is
  present — consent is never bypassed;
- by topic: an active subscription to one of the campaign's topics (an alert campaign uses
  the alert topics, :attr:`Topic.is_alert`, whatever its own topics);
- by manual list: members of one of the campaign's lists who have an active subscription
  on the channel for *any* topic (a list narrows or widens within consent, never around it);
- the union of both, then, when neighbourhoods are chosen, only contacts attached to one of
  them or living in one of their streets (case-insensitive match of ``Contact.street``
  against :attr:`Neighbourhood.street_list`);
- each contact at most once; a constant number of queries (two to build the queryset, one
  to evaluate it).

Extension point: other modules add sources of recipients (e.g. « residents with an active
booking of an agenda ») with :func:`register_audience_source`; a source is a callable
``source(campaign) -> Q | None`` returning a filter on :class:`Contact`, which is OR-ed with
the topic and list sources and still subject to the consent rules above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Campaign, Channel, ChannelState, Contact, Neighbourhood, Subscription, Topic
from .models import SubscriptionStatus as Status

AudienceSource = Callable[[Campaign], "Q | None"]
_EXTRA_SOURCES: list[AudienceSource] = []


def register_audience_source(source: AudienceSource) -> AudienceSource:
    """Add a source of recipients (usable as a decorator); see the module docstring."""
    if source not in _EXTRA_SOURCES:
        _EXTRA_SOURCES.append(source)
    return source


def unregister_audience_source(source: AudienceSource) -> None:
    if source in _EXTRA_SOURCES:
        _EXTRA_SOURCES.remove(source)


def _ids(values: Iterable) -> list[int]:
    return [getattr(value, "pk", value) for value in values]


def _reachable(channel: str) -> Q:
    """Channel state ok and address present."""
    if channel == Channel.SMS:
        return Q(sms_state=ChannelState.OK, phone__isnull=False) & ~Q(phone="")
    return Q(email_state=ChannelState.OK, email__isnull=False) & ~Q(email="")


def audience_recipients(
    *,
    channel: str,
    topics: Iterable = (),
    neighbourhoods: Iterable = (),
    lists: Iterable = (),
    is_alert: bool = False,
    extra: Iterable[Q] = (),
) -> QuerySet[Contact]:
    """The recipients of an audience described by its parts (ids or instances); the
    composer uses it for the live count before the campaign is saved."""
    active = Subscription.objects.filter(
        contact=OuterRef("pk"), channel=channel, status=Status.ACTIVE
    )
    if is_alert:
        topic_ids = list(Topic.objects.filter(is_alert=True).values_list("pk", flat=True))
    else:
        topic_ids = _ids(topics)
    list_ids = _ids(lists)
    sources = Q(pk__in=[])
    if topic_ids:
        sources |= Exists(active.filter(topic_id__in=topic_ids))
    if list_ids:
        sources |= Q(pk__in=Contact.objects.filter(mailinglist__in=list_ids).values("pk"))
    for q in extra:
        sources |= q
    if not topic_ids and not list_ids and not any(True for _ in extra):
        return Contact.objects.none()
    queryset = Contact.objects.filter(_reachable(channel)).filter(Exists(active)).filter(sources)
    neighbourhood_ids = _ids(neighbourhoods)
    if neighbourhood_ids:
        place = Q(neighbourhood_id__in=neighbourhood_ids)
        for streets in Neighbourhood.objects.filter(pk__in=neighbourhood_ids).values_list(
            "streets", flat=True
        ):
            for street in (line.strip() for line in streets.splitlines()):
                if street:
                    place |= Q(street__iexact=street)
        queryset = queryset.filter(place)
    return queryset.order_by("pk")


def campaign_recipients(campaign: Campaign) -> QuerySet[Contact]:
    """The contacts who receive ``campaign`` now (see the module docstring)."""
    extra = [q for q in (source(campaign) for source in _EXTRA_SOURCES) if q is not None]
    return audience_recipients(
        channel=campaign.channel,
        topics=campaign.topics.values_list("pk", flat=True),
        neighbourhoods=campaign.neighbourhoods.values_list("pk", flat=True),
        lists=campaign.lists.values_list("pk", flat=True),
        is_alert=campaign.is_alert,
        extra=extra,
    )


def recipient_count(campaign: Campaign) -> int:
    return campaign_recipients(campaign).count()
