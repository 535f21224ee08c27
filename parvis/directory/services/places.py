"""Writes of directory places: the one code path for the admin, the import and scripts.

Every function here is one transaction, validates the place completely (model validators,
opening hours, unique SIRET/RNA/reference with a message naming the other entry), writes an
audit log entry with the acting user, and refreshes the opening-hours index once the
transaction is committed. Nothing is half-saved: on any error the database is unchanged and
a :class:`~parvis.directory.exceptions.PlaceInvalid` carries the messages per field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record

from ..exceptions import DuplicateIdentifier, PlaceInvalid
from ..models import Place, PlaceStatus

#: Fields a caller may set through ``data``; many-to-many ones are set after saving.
M2M_FIELDS = ("categories", "representatives")
READ_ONLY_FIELDS = {"id", "created_at", "updated_at"}
IDENTIFIER_FIELDS = ("reference", "siret", "rna")


def _editable_fields() -> set[str]:
    return {
        field.name
        for field in Place._meta.concrete_fields
        if field.name not in READ_ONLY_FIELDS and field.editable
    }


def hours_index_refresh_later(places: Iterable[Place]) -> None:
    """Refresh the opening-hours index of ``places`` after the current transaction commits."""
    place_ids = [place.pk for place in places if place.pk]
    if not place_ids:
        return

    def refresh():
        from parvis.directory.hours_index import hours_index_refresh

        hours_index_refresh(places=place_ids)

    transaction.on_commit(refresh)


def place_identifier_conflicts(
    *, reference=None, siret=None, rna=None, exclude_pk=None
) -> dict[str, list[str]]:
    """Messages for each identifier already used by another place (one query)."""
    values = {"reference": reference, "siret": siret, "rna": rna}
    condition = Q()
    for field, value in values.items():
        if value:
            condition |= Q(**{field: value})
    if not condition:
        return {}
    others = Place.objects.filter(condition)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    errors: dict[str, list[str]] = {}
    for other in others.only("pk", "name", *IDENTIFIER_FIELDS):
        for field, value in values.items():
            if value and getattr(other, field) == value:
                errors.setdefault(field, []).append(identifier_taken_message(field, value, other))
    return errors


def identifier_taken_message(field: str, value: str, other) -> str:
    name = other.name if hasattr(other, "name") else str(other)
    if field == "siret":
        return _("Le SIRET %(value)s est déjà celui de « %(name)s ».") % {
            "value": value,
            "name": name,
        }
    if field == "rna":
        return _("Le numéro RNA %(value)s est déjà celui de « %(name)s ».") % {
            "value": value,
            "name": name,
        }
    return _("L'identifiant %(value)s est déjà celui de « %(name)s ».") % {
        "value": value,
        "name": name,
    }


def place_unique_slug(name: str, *, exclude_pk=None, taken: set[str] | None = None) -> str:
    """A slug made from ``name``, unique among places (and not in ``taken``)."""
    max_length = Place._meta.get_field("slug").max_length
    base = (slugify(name) or "lieu")[: max_length - 6].strip("-") or "lieu"
    existing = Place.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    used = set(existing.values_list("slug", flat=True)) | (taken or set())
    candidate, counter = base, 2
    while candidate in used:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def _validate(place: Place) -> None:
    conflicts = place_identifier_conflicts(
        reference=place.reference, siret=place.siret, rna=place.rna, exclude_pk=place.pk
    )
    if conflicts:
        field = next(iter(conflicts))
        raise DuplicateIdentifier(conflicts[field][0], field=field, errors=conflicts)
    try:
        place.full_clean()
    except ValidationError as exc:
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        field = next(iter(errors), None)
        first = errors[field][0] if field else None
        raise PlaceInvalid(first, field=field, errors=errors) from exc


def _save(place: Place) -> None:
    try:
        with transaction.atomic():
            place.save()
    except IntegrityError as exc:
        # Another request took the same identifier between our check and the insert.
        conflicts = place_identifier_conflicts(
            reference=place.reference, siret=place.siret, rna=place.rna, exclude_pk=place.pk
        )
        if conflicts:
            field = next(iter(conflicts))
            raise DuplicateIdentifier(conflicts[field][0], field=field, errors=conflicts) from exc
        raise


def _apply(place: Place, data: dict) -> tuple[list[str], dict]:
    """Set ``data`` on ``place``; returns the changed field names and the m2m values."""
    allowed = _editable_fields()
    unknown = set(data) - allowed - set(M2M_FIELDS)
    if unknown:
        raise PlaceInvalid(_("Champs inconnus : %s.") % ", ".join(sorted(unknown)))
    changed, m2m = [], {}
    for field, value in data.items():
        if field in M2M_FIELDS:
            m2m[field] = list(value or [])
            continue
        if field in ("siret", "rna", "reference") and value == "":
            value = None
        if getattr(place, field) != value:
            setattr(place, field, value)
            changed.append(field)
    if not place.slug:
        place.slug = place_unique_slug(place.name, exclude_pk=place.pk)
        changed.append("slug")
    return changed, m2m


def _set_m2m(place: Place, m2m: dict) -> list[str]:
    changed = []
    for field, values in m2m.items():
        manager = getattr(place, field)
        before = set(manager.values_list("pk", flat=True)) if place.pk else set()
        after = {getattr(value, "pk", value) for value in values}
        if before != after:
            manager.set(after)
            changed.append(field)
    return changed


def place_create(*, actor, data: dict, ip: str | None = None) -> Place:
    """Create a place from field values; the slug is made from the name when not given."""
    with transaction.atomic():
        place = Place()
        changed, m2m = _apply(place, data)
        _validate(place)
        _save(place)
        _set_m2m(place, m2m)
        audit_log_record(
            actor=actor,
            action="directory.place.create",
            obj=place,
            data={"fields": sorted(set(changed) | set(m2m))},
            ip=ip,
        )
        hours_index_refresh_later([place])
    return place


def place_update(*, actor, place: Place, data: dict, ip: str | None = None) -> Place:
    """Change the given fields of ``place``; a call that changes nothing writes nothing."""
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        changed, m2m = _apply(place, data)
        if changed:
            _validate(place)
            _save(place)
        changed += _set_m2m(place, m2m)
        if changed:
            audit_log_record(
                actor=actor,
                action="directory.place.update",
                obj=place,
                data={"fields": sorted(changed)},
                ip=ip,
            )
            hours_index_refresh_later([place])
    return place


def _set_status(*, actor, place: Place, status: str, action: str, ip) -> Place:
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        if place.status != status:
            previous = place.status
            place.status = status
            if status == PlaceStatus.PUBLISHED:
                _validate(place)
            place.save(update_fields=["status", "updated_at"])
            audit_log_record(actor=actor, action=action, obj=place, data={"from": previous}, ip=ip)
            hours_index_refresh_later([place])
    return place


def place_publish(*, actor, place: Place, ip: str | None = None) -> Place:
    """Show the place on the public site, the map, the API and the open data. Idempotent."""
    return _set_status(
        actor=actor,
        place=place,
        status=PlaceStatus.PUBLISHED,
        action="directory.place.publish",
        ip=ip,
    )


def place_archive(*, actor, place: Place, ip: str | None = None) -> Place:
    """Withdraw the place from every public output, keeping its data. Idempotent."""
    return _set_status(
        actor=actor,
        place=place,
        status=PlaceStatus.ARCHIVED,
        action="directory.place.archive",
        ip=ip,
    )


def place_mark_verified(
    *, actor, place: Place, via: str, on: dt.date | None = None, ip: str | None = None
) -> Place:
    """Record that the entry was checked on ``on`` (today); ``via`` says how ("admin",
    "email-link", "import"). ``actor`` is None when the entry's own contact confirmed it
    through a verification link. Changes ``updated_at`` too, so a used link cannot serve
    again."""
    on = on or timezone.localdate()
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        place.last_verified = on
        place.save(update_fields=["last_verified", "updated_at"])
        audit_log_record(
            actor=actor,
            action="directory.place.verify",
            obj=place,
            data={"via": via, "on": on.isoformat()},
            ip=ip,
        )
    return place


def place_save_form(*, actor, form, ip: str | None = None) -> Place:
    """Save a validated admin form of a place (fields, categories and inline photos, links
    and exceptions) with the same checks and audit entries as :func:`place_create` and
    :func:`place_update`. Must be called inside the view's transaction or opens its own."""
    place = form.instance
    creating = place._state.adding
    with transaction.atomic():
        if not place.slug:
            place.slug = place_unique_slug(place.name, exclude_pk=place.pk)
        conflicts = place_identifier_conflicts(
            reference=place.reference, siret=place.siret, rna=place.rna, exclude_pk=place.pk
        )
        if conflicts:
            field = next(iter(conflicts))
            raise DuplicateIdentifier(conflicts[field][0], field=field, errors=conflicts)
        changed = sorted(form.changed_data)
        for name, formset in getattr(form, "formsets", {}).items():
            if formset.has_changed():
                changed.append(name)
        try:
            with transaction.atomic():
                place = form.save()
        except IntegrityError as exc:
            conflicts = place_identifier_conflicts(
                reference=place.reference,
                siret=place.siret,
                rna=place.rna,
                exclude_pk=None if creating else place.pk,
            )
            if conflicts:
                field = next(iter(conflicts))
                raise DuplicateIdentifier(
                    conflicts[field][0], field=field, errors=conflicts
                ) from exc
            raise
        if creating or changed:
            audit_log_record(
                actor=actor,
                action="directory.place.create" if creating else "directory.place.update",
                obj=place,
                data={"fields": sorted(set(changed)), "via": "admin"},
                ip=ip,
            )
            hours_index_refresh_later([place])
    return place
