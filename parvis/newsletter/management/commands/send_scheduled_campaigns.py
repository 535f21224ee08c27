"""Start the scheduled campaigns that are due (run every minute by the scheduler)."""

from django.core.management.base import BaseCommand

from parvis.newsletter.services.campaigns import campaigns_send_due


class Command(BaseCommand):
    help = "Lance l'envoi des campagnes programmées arrivées à échéance."

    def handle(self, *args, **options):
        for campaign, error in campaigns_send_due():
            if error:
                self.stderr.write(f"{campaign.pk} {campaign}: {error}")
            else:
                self.stdout.write(f"{campaign.pk} {campaign}: envoi lancé")
