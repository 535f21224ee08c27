"""RGPD registry: each app holding personal data declares how long it keeps it and how
to export and erase one person's data.

Apps register a :class:`PersonalDataSource` in their ``AppConfig.ready``;
``manage.py purge_personal_data`` applies every retention period (run it daily).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_REGISTRY: dict[str, PersonalDataSource] = {}


@dataclass(frozen=True)
class PersonalDataSource:
    name: str
    description: str
    retention_days: int
    purge: Callable[[], int]  # deletes what is past retention; returns the count
    export: Callable[[str], list[dict]]  # one person's data, by e-mail address
    erase: Callable[[str], int]  # deletes one person's data, by e-mail address; returns count


def register(source: PersonalDataSource) -> None:
    _REGISTRY[source.name] = source


def sources() -> list[PersonalDataSource]:
    return list(_REGISTRY.values())


def purge_all() -> dict[str, int]:
    return {source.name: source.purge() for source in sources()}


def export_person(email: str) -> dict[str, list[dict]]:
    return {source.name: source.export(email) for source in sources()}


def erase_person(email: str) -> dict[str, int]:
    return {source.name: source.erase(email) for source in sources()}
