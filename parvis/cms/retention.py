import datetime as dt

from django.utils import timezone

from parvis.core.retention import PersonalDataSource, register


def _purge() -> int:
    from .models import ContactSubmission

    limit = timezone.now() - dt.timedelta(days=ContactSubmission.RETENTION_DAYS)
    deleted, _ = ContactSubmission.objects.filter(created_at__lt=limit).delete()
    return deleted


def _export(email: str) -> list[dict]:
    from .models import ContactSubmission

    return list(
        ContactSubmission.objects.filter(email__iexact=email).values(
            "created_at", "service", "name", "email", "phone", "subject", "message"
        )
    )


def _erase(email: str) -> int:
    from .models import ContactSubmission

    deleted, _ = ContactSubmission.objects.filter(email__iexact=email).delete()
    return deleted


def register_sources() -> None:
    register(
        PersonalDataSource(
            name="cms.contact_messages",
            description="Messages envoyés par le formulaire de contact",
            retention_days=365,
            purge=_purge,
            export=_export,
            erase=_erase,
        )
    )
