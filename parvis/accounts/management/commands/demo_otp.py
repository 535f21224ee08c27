"""``manage.py demo_otp EMAIL``: the current second-factor code of a demo account.

Refuses any address outside the demo list and any device whose key is not the public demo
key, so that it can never reveal a code for a real account.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from parvis.cms.demo.accounts import demo_account, is_demo_account


class Command(BaseCommand):
    help = "Affiche le code à 6 chiffres du moment pour un compte de démonstration."

    def add_arguments(self, parser):
        parser.add_argument("email", help="Adresse d'un compte de démonstration (@example.org).")

    def handle(self, *args, **options):
        email = options["email"].strip().lower()
        account = demo_account(email)
        if account is None:
            raise CommandError(
                f"{email} n'est pas un compte de démonstration : aucun code n'est affiché pour "
                "un compte réel. Voir : python manage.py demo_logins"
            )
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(
                f"Le compte {email} n'existe pas encore : python manage.py load_demo"
            )
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"Le compte {email} n'a pas de second facteur.")
        if not is_demo_account(user, device):
            raise CommandError(
                f"Le second facteur de {email} n'utilise plus la clé de démonstration : "
                "code non affiché."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        if options["verbosity"] > 0:
            self.stderr.write(f"Code de {email}, valable encore {remaining} s.")
