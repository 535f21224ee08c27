"""``manage.py demo_logins``: the demo accounts, their shared password and second factor.

Prints only accounts of the demo list (fictional addresses at example.org) whose second
factor still holds the public demo key: a real account's secret is never shown.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from parvis.cms.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, base32_secret, is_demo_account


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration : rôle, e-mail, mot de passe, second facteur."

    def handle(self, *args, **options):
        User = get_user_model()
        checked: dict[str, bool] = {}  # demo accounts share one hash: check it once
        rows, secrets = [], []
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(email__iexact=account.email).first()
            if user is None or not is_demo_account(user):
                continue
            if user.password not in checked:
                checked[user.password] = check_password(DEMO_PASSWORD, user.password)
            password = DEMO_PASSWORD if checked[user.password] else "(modifié : non affiché)"
            rows.append((account.role, account.email, password))
            if not account.is_staff:
                continue
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None and is_demo_account(user, device):
                secrets.append((account.email, base32_secret(device.key)))
            elif device is not None:
                secrets.append((account.email, "(clé personnelle : non affichée)"))
        if not rows:
            raise CommandError(
                "Aucun compte de démonstration. Chargez d'abord la démonstration : "
                "python manage.py load_demo"
            )

        out = self.stdout.write
        out("")
        out(self.style.MIGRATE_HEADING("Comptes de démonstration de Gréasque"))
        out("Site : /    Administration : /admin/    Espace habitant : /comptes/connexion/")
        out("")
        widths = [max(len(row[i]) for row in [*rows, ("Rôle", "E-mail", "")]) for i in (0, 1)]
        out(f"{'Rôle':<{widths[0]}}  {'E-mail':<{widths[1]}}  Mot de passe")
        out(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(DEMO_PASSWORD)}")
        for role, email, password in rows:
            out(f"{role:<{widths[0]}}  {email:<{widths[1]}}  {password}")
        if secrets:
            out("")
            out(self.style.MIGRATE_HEADING("Second facteur (comptes du personnel)"))
            out(
                "L'administration demande un code à 6 chiffres après le mot de passe. Deux "
                "façons de l'obtenir :"
            )
            out("")
            out(
                "1. Dans une application d'authentification (saisie manuelle de la clé, "
                "type TOTP, 6 chiffres, 30 secondes) :"
            )
            email_width = max(len(email) for email, _ in secrets)
            for email, secret in secrets:
                out(f"   {email:<{email_width}}  {secret}")
            out("")
            out("2. Depuis ce poste, le code du moment pour un compte :")
            example = secrets[0][0]
            out(f"   make otp EMAIL={example}")
            out(f"   .venv/bin/python manage.py demo_otp {example}")
        out("")
        if not settings.DEBUG:
            self.stderr.write(
                self.style.WARNING(
                    "Attention : DEBUG est désactivé. Ces comptes ont des secrets publics ; "
                    "ne les laissez pas sur une instance ouverte au public."
                )
            )
