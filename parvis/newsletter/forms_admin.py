"""Forms of the newsletter admin: the campaign composer, scheduling, test send, alert.

The composer writes :attr:`Campaign.body` as a list of blocks in a fixed order
(the shape is defined in :mod:`parvis.newsletter.rendering`)::

    [{"type": "text", "text": "…"},
     {"type": "image", "image": 1, "alt": "…"},
     {"type": "button", "label": "…", "url": "https://…"},
     {"type": "news", "pages": [..]},
     {"type": "events", "pages": [..]},
     {"type": "text", "text": "…"}]

Empty blocks are left out; :meth:`CampaignForm.initial_from_body` reads a body back.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.images import get_image_model

from parvis.cms.models import EventPage, NewsPage
from parvis.core.models import Alert

from .models import Campaign, Channel, MailingList, Neighbourhood, Topic
from .sms.stop import stop_mention


def _recent_news():
    return NewsPage.objects.live().order_by("-date", "-pk")[:30]


def _coming_events():
    since = timezone.now() - timezone.timedelta(days=1)
    return EventPage.objects.live().filter(start__gte=since).order_by("start")[:30]


class PageMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        when = getattr(obj, "date", None) or getattr(obj, "start", None)
        if hasattr(when, "hour"):
            when = timezone.localtime(when)
        return f"{obj.title} ({when:%d/%m/%Y})" if when else obj.title


class CampaignForm(forms.ModelForm):
    intro = forms.CharField(
        label=gettext_lazy("Texte d'introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Paragraphes séparés par une ligne vide."),
    )
    image = forms.ModelChoiceField(
        label=gettext_lazy("Image"),
        queryset=get_image_model().objects.order_by("-created_at"),
        required=False,
    )
    image_alt = forms.CharField(
        label=gettext_lazy("Texte alternatif de l'image"), required=False, max_length=200
    )
    button_label = forms.CharField(label=gettext_lazy("Bouton : libellé"), required=False)
    button_url = forms.URLField(
        label=gettext_lazy("Bouton : adresse (https://…)"), required=False, assume_scheme="https"
    )
    news = PageMultipleChoiceField(
        label=gettext_lazy("Actualités à reprendre"),
        queryset=NewsPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    events = PageMultipleChoiceField(
        label=gettext_lazy("Événements à reprendre"),
        queryset=EventPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outro = forms.CharField(
        label=gettext_lazy("Texte de conclusion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Campaign
        fields = [
            "channel",
            "title",
            "subject",
            "sms_text",
            "topics",
            "neighbourhoods",
            "lists",
            "ignore_quiet_hours",
        ]
        widgets = {
            "channel": forms.RadioSelect,
            "topics": forms.CheckboxSelectMultiple,
            "neighbourhoods": forms.CheckboxSelectMultiple,
            "lists": forms.CheckboxSelectMultiple,
            "sms_text": forms.Textarea(attrs={"rows": 4, "data-sms-counter": ""}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["news"].queryset = NewsPage.objects.filter(
            pk__in=[p.pk for p in _recent_news()]
        ).order_by("-date")
        self.fields["events"].queryset = EventPage.objects.filter(
            pk__in=[p.pk for p in _coming_events()]
        ).order_by("start")
        self.fields["topics"].queryset = Topic.objects.all()
        self.fields["neighbourhoods"].queryset = Neighbourhood.objects.all()
        self.fields["lists"].queryset = MailingList.objects.all()
        # Radio buttons: no « --------- » choice, e-mail chosen until the agent picks SMS.
        self.fields["channel"].choices = Channel.choices
        if not self.instance.pk:
            self.fields["channel"].initial = Channel.EMAIL
        # The live counter adds the STOP mention exactly as the server does.
        self.fields["sms_text"].widget.attrs["data-stop-mention"] = stop_mention()
        if self.instance.pk:
            self.fields["channel"].disabled = True
            if not self.is_bound:
                self.initial.update(self.initial_from_body(self.instance.body))
        self.fields["subject"].help_text = _("E-mail : l'objet du message.")

    @staticmethod
    def initial_from_body(body: list) -> dict:
        initial: dict = {}
        texts = [b.get("text", "") for b in body or [] if b.get("type") == "text"]
        if texts:
            initial["intro"] = texts[0]
        if len(texts) > 1:
            initial["outro"] = texts[-1]
        for block in body or []:
            kind = block.get("type")
            if kind == "image":
                initial["image"] = block.get("image")
                initial["image_alt"] = block.get("alt", "")
            elif kind == "button":
                initial["button_label"] = block.get("label", "")
                initial["button_url"] = block.get("url", "")
            elif kind in ("news", "events"):
                initial[kind] = block.get("pages", [])
        return initial

    def clean(self):
        data = super().clean()
        channel = data.get("channel") or self.instance.channel
        if data.get("button_label") and not data.get("button_url"):
            self.add_error("button_url", _("Indiquez l'adresse du bouton."))
        if data.get("button_url") and not data.get("button_label"):
            self.add_error("button_label", _("Indiquez le libellé du bouton."))
        if data.get("image") and not data.get("image_alt", "").strip():
            self.add_error("image_alt", _("Décrivez l'image pour les personnes aveugles."))
        if channel == Channel.EMAIL and not data.get("subject", "").strip():
            self.add_error("subject", _("Indiquez l'objet de l'e-mail."))
        if channel == Channel.SMS and not data.get("sms_text", "").strip():
            self.add_error("sms_text", _("Écrivez le texte du SMS."))
        return data

    def blocks(self) -> list[dict]:
        data = self.cleaned_data
        if (data.get("channel") or self.instance.channel) != Channel.EMAIL:
            return []
        body: list[dict] = []
        if data.get("intro", "").strip():
            body.append({"type": "text", "text": data["intro"].strip()})
        if data.get("image"):
            body.append({"type": "image", "image": data["image"].pk, "alt": data["image_alt"]})
        if data.get("button_label"):
            body.append(
                {"type": "button", "label": data["button_label"], "url": data["button_url"]}
            )
        for kind in ("news", "events"):
            pages = data.get(kind)
            if pages:
                body.append({"type": kind, "pages": [page.pk for page in pages]})
        if data.get("outro", "").strip():
            body.append({"type": "text", "text": data["outro"].strip()})
        return body

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        channel = data.get("channel") or self.instance.channel
        return {
            "title": data["title"],
            "subject": data.get("subject", "") if channel == Channel.EMAIL else "",
            "body": self.blocks(),
            "sms_text": data.get("sms_text", "") if channel == Channel.SMS else "",
            "topics": list(data["topics"]),
            "neighbourhoods": list(data["neighbourhoods"]),
            "lists": list(data["lists"]),
            "ignore_quiet_hours": data.get("ignore_quiet_hours", False),
        }


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("Date et heure d'envoi"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )


class TestSendForm(forms.Form):
    to = forms.CharField(
        label=gettext_lazy("Envoyer le test à"),
        required=False,
        help_text=gettext_lazy("Uniquement à votre propre adresse ou mobile."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif (pour la personne qui l'a rédigée)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AlertForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=120)
    message = forms.CharField(
        label=gettext_lazy("Message"), max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )
    level = forms.TypedChoiceField(
        label=gettext_lazy("Niveau"),
        choices=Alert.Level.choices,
        coerce=int,
        initial=Alert.Level.DANGER,
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Fin de l'alerte (facultatif)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Quartiers concernés (aucun : toute la commune)"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    send_email = forms.BooleanField(
        label=gettext_lazy("Envoyer par e-mail aux abonnés des alertes"),
        required=False,
        initial=True,
    )
    send_sms = forms.BooleanField(
        label=gettext_lazy("Envoyer par SMS aux abonnés des alertes"), required=False, initial=True
    )
    sms_text = forms.CharField(
        label=gettext_lazy("Texte du SMS (vide : titre et message)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-sms-counter": ""}),
    )
    without_sms = forms.BooleanField(
        label=gettext_lazy("Publier le bandeau et l'e-mail sans le SMS"), required=False
    )

    def clean_ends_at(self):
        ends_at = self.cleaned_data.get("ends_at")
        if ends_at and ends_at <= timezone.now():
            raise forms.ValidationError(_("La fin doit être à venir."))
        return ends_at
