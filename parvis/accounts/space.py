"""The resident's personal space (« Mon compte ») is made of sections, one per module.

An app registers its section in ``AppConfig.ready``::

    space.register(space.Section(
        key="invoices", title=_("Mes factures"), template="payments/space_section.html",
        context=lambda request: {"invoices": invoices_for(request.user)}, order=30,
    ))

Each section shows only the signed-in person's own data; its ``context`` callable must
filter on ``request.user`` and keep its queries bounded. A section whose ``context``
returns ``None`` is not shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_SECTIONS: dict[str, Section] = {}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 50


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


def render_context(request) -> list[dict]:
    """The sections to show to ``request.user``, each with its own context."""
    shown = []
    for section in sections():
        context = section.context(request)
        if context is not None:
            shown.append({"section": section, "context": context})
    return shown
