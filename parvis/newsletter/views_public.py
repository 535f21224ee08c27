"""Public pages of the newsletters: subscribe, confirm, SMS code, preferences, unsubscribe.

Pages reached by a secret token (preferences, unsubscribe) are never cached. The
one-click unsubscribe POST (RFC 8058) needs no cookie, login nor CSRF token.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from parvis.accounts.exceptions import AccountsError
from parvis.accounts.registration import throttle_hit

from .forms import CONSENT_WORDING, PreferencesForm, SmsCodeForm, SubscribeForm
from .models import Channel, ConsentMethod, Contact, Subscription, SubscriptionStatus, Topic
from .phones import display_phone
from .services import consents

SUBSCRIBES_PER_IP_PER_HOUR = 10
_CHALLENGE_KEY = "newsletter_sms_challenge"


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@require_http_methods(["GET", "POST"])
def subscribe(request):
    """« S'inscrire » : topics, channels, addresses, consent. Same answer for every address."""
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            return redirect("newsletter:subscribe_done")
        try:
            throttle_hit(
                scope="newsletter-subscribe", ip=_ip(request), limit=SUBSCRIBES_PER_IP_PER_HOUR
            )
        except AccountsError as error:
            form.add_error(None, error.message)
        else:
            data = form.cleaned_data
            try:
                result = consents.subscription_request(
                    email=data["email"] or None,
                    phone=data["phone"] or None,
                    topics=data["topics"],
                    channels=data["channels"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    street=data["street"],
                    wording=str(CONSENT_WORDING),
                    ip=_ip(request),
                    source="formulaire /lettre/",
                    user=request.user,
                )
            except consents.NewsletterError as error:
                form.add_error(None, error.message)
            else:
                request.session["newsletter_done"] = {
                    "email_sent": result.email_sent,
                    "active": result.active_at_once,
                }
                if result.sms_challenge:
                    request.session[_CHALLENGE_KEY] = result.sms_challenge
                    return redirect("newsletter:sms_code")
                return redirect("newsletter:subscribe_done")
    topics = list(form.fields["topics"].queryset)
    return render(
        request,
        "newsletter/public/subscribe.html",
        {"form": form, "topic_choices": list(zip(form["topics"], topics, strict=False))},
    )


def subscribe_done(request):
    done = request.session.get("newsletter_done") or {"email_sent": True, "active": False}
    return render(request, "newsletter/public/subscribe_done.html", {"done": done})


@never_cache
@require_http_methods(["GET", "POST"])
def sms_code(request):
    """Enter the code received by SMS; three tries, fifteen minutes."""
    challenge = request.session.get(_CHALLENGE_KEY)
    form = SmsCodeForm(request.POST or None)
    confirmed = False
    if challenge is None and request.method == "GET":
        return render(request, "newsletter/public/sms_code.html", {"form": None}, status=200)
    if request.method == "POST" and form.is_valid():
        try:
            consents.subscription_confirm_sms(
                challenge=challenge or {}, code=form.cleaned_data["code"], ip=_ip(request)
            )
        except consents.NewsletterError as error:
            form.add_error("code", error.message)
        else:
            confirmed = True
        finally:
            if challenge is not None:
                request.session[_CHALLENGE_KEY] = challenge
                request.session.modified = True
        if confirmed:
            request.session.pop(_CHALLENGE_KEY, None)
            done = request.session.get("newsletter_done") or {}
            done["sms_confirmed"] = True
            request.session["newsletter_done"] = done
            return redirect("newsletter:subscribe_done")
    return render(request, "newsletter/public/sms_code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The e-mail link: GET shows a button (link scanners do not subscribe anyone), POST
    confirms."""
    if request.method == "GET":
        return render(request, "newsletter/public/confirm.html", {"token": token})
    try:
        contact = consents.subscription_confirm_email(token, ip=_ip(request))
    except consents.NewsletterError as error:
        return render(
            request, "newsletter/public/confirm_failed.html", {"error": error.message}, status=400
        )
    return render(
        request,
        "newsletter/public/confirmed.html",
        {"preferences_url": consents.preferences_url(contact)},
    )


def _contact_or_404(token: str) -> Contact:
    contact = Contact.objects.filter(token=token).first()
    if contact is None:
        raise Http404(_("Ce lien n'est plus valable."))
    return contact


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    """The preference centre: what the contact receives, per channel; change or stop."""
    contact = _contact_or_404(token)
    topics = Topic.objects.filter(is_active=True)
    subscriptions = list(
        Subscription.objects.filter(contact=contact)
        .select_related("topic")
        .order_by("channel", "topic__position", "topic__name")
    )
    current = [
        (s.channel, s.topic_id) for s in subscriptions if s.status == SubscriptionStatus.ACTIVE
    ]
    form = PreferencesForm(request.POST or None, contact=contact, topics=topics, current=current)
    saved = False
    if request.method == "POST":
        if "unsubscribe_all" in request.POST:
            for channel in form.channels:
                consents.subscription_withdraw(
                    contact=contact,
                    channel=channel,
                    method=ConsentMethod.PREFERENCES,
                    ip=_ip(request),
                )
            return redirect("newsletter:preferences", token=contact.token)
        if form.is_valid():
            for channel in form.channels:
                consents.preferences_update(
                    contact=contact,
                    channel=channel,
                    topics=form.cleaned_data[f"topics_{channel}"],
                    wording=str(CONSENT_WORDING),
                    ip=_ip(request),
                )
            saved = True
            subscriptions = list(
                Subscription.objects.filter(contact=contact).select_related("topic")
            )
            current = [
                (s.channel, s.topic_id)
                for s in subscriptions
                if s.status == SubscriptionStatus.ACTIVE
            ]
            form = PreferencesForm(contact=contact, topics=topics, current=current)
    channels = []
    for channel in form.channels:
        active = [
            s.topic
            for s in subscriptions
            if s.channel == channel and s.status == SubscriptionStatus.ACTIVE
        ]
        pending = [
            s.topic
            for s in subscriptions
            if s.channel == channel and s.status == SubscriptionStatus.PENDING
        ]
        channels.append(
            {
                "value": channel,
                "label": Channel(channel).label,
                "address": contact.email
                if channel == Channel.EMAIL
                else display_phone(contact.phone),
                "field": form[f"topics_{channel}"],
                "active": active,
                "pending": pending,
                "confirmed": consents.channel_confirmed(contact, channel),
                "unsubscribe_path": consents.unsubscribe_url(contact, channel),
            }
        )
    return render(
        request,
        "newsletter/public/preferences.html",
        {"contact": contact, "channels": channels, "saved": saved, "form": form},
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token, channel):
    """RFC 8058: GET shows a confirmation button; POST unsubscribes from ``channel``, with no
    cookie, login nor CSRF token (mail clients POST ``List-Unsubscribe=One-Click``).
    Idempotent; answers 200 to any valid POST."""
    if channel not in Channel.values:
        raise Http404()
    if request.method == "GET":
        contact = _contact_or_404(token)
        return render(
            request,
            "newsletter/public/unsubscribe.html",
            {"contact": contact, "channel": Channel(channel), "token": token},
        )
    try:
        contact = consents.unsubscribe_one_click(token=token, channel=channel, ip=_ip(request))
    except consents.NewsletterError as error:
        return render(
            request, "newsletter/public/confirm_failed.html", {"error": error.message}, status=404
        )
    return render(
        request,
        "newsletter/public/unsubscribed.html",
        {
            "channel": Channel(channel),
            "preferences_url": consents.preferences_url(contact),
        },
    )
