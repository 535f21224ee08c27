from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from .base import BasePage


class ContactPage(BasePage):
    """A contact form whose message goes to the service the visitor chooses."""

    intro = models.TextField(_("introduction"), blank=True)
    thank_you = models.TextField(
        _("message de confirmation"),
        default=_("Merci, votre message a bien été transmis au service concerné."),
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        InlinePanel(
            "recipients", label=_("service"), heading=_("Services destinataires"), min_num=1
        ),
        FieldPanel("thank_you"),
    ]
    subpage_types = []
    template = "cms/contact_page.html"

    class Meta:
        verbose_name = _("page de contact")

    def serve(self, request, *args, **kwargs):
        from ..forms import ContactForm
        from ..services import contact_message_submit

        recipients = list(self.recipients.all())
        sent = request.GET.get("envoye") == "1"
        if request.method == "POST":
            form = ContactForm(request.POST, recipients=recipients, request=request)
            if form.is_valid():
                if not form.is_spam:
                    contact_message_submit(
                        page=self,
                        recipient=form.cleaned_data["service"],
                        data=form.cleaned_data,
                        ip=request.META.get("REMOTE_ADDR"),
                    )
                return redirect(f"{self.url}?envoye=1")
        else:
            form = ContactForm(recipients=recipients, request=request)
        context = self.get_context(request)
        context.update({"form": form, "sent": sent})
        return TemplateResponse(request, self.get_template(request), context)


class ContactRecipient(Orderable):
    page = ParentalKey(ContactPage, related_name="recipients", on_delete=models.CASCADE)
    label = models.CharField(_("service"), max_length=100)
    email = models.EmailField(_("adresse de réception"))

    panels = [FieldPanel("label"), FieldPanel("email")]

    def __str__(self):
        return self.label


class ContactSubmission(models.Model):
    """A message sent through a contact page, kept so that nothing is lost if mail fails.

    Personal data: erased after ``RETENTION_DAYS`` (see ``parvis.cms.retention``).
    """

    RETENTION_DAYS = 365

    page = models.ForeignKey(ContactPage, null=True, on_delete=models.SET_NULL, related_name="+")
    service = models.CharField(_("service"), max_length=100)
    recipient_email = models.EmailField(_("destinataire"))
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    subject = models.CharField(_("objet"), max_length=150)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("transmis le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message de contact")
        verbose_name_plural = _("messages de contact")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} ({self.name})"
