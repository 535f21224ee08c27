"""The simple weekly grid behind the admin editor, and French descriptions.

A value is *simple* when it is a list of ``;``-separated rules, each « days + time
ranges » (``Mo-Fr 08:30-12:00,13:30-17:00``) or « days off », optionally ending with
``PH off`` (closed on public holidays; without it public holidays follow the usual
hours). Ranges stay within one day. Anything else (SH, months, comments,
overnight ranges…) is not simple: the editor then keeps only the raw field.

:func:`grid_to_value` writes the canonical form that ``hours-editor.js`` also writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

DAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")

_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d|24:00"
_RANGE = re.compile(rf"^({_TIME})-({_TIME})$")
_DAYS = re.compile(r"^(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?$")


@dataclass(frozen=True)
class WeekGrid:
    """Ranges (``("08:30", "12:00")``) for each weekday, Monday first, and whether the
    place is closed on public holidays."""

    days: tuple[tuple[tuple[str, str], ...], ...]
    ph_closed: bool = False

    def as_dict(self) -> dict:
        return {
            "days": [[list(span) for span in ranges] for ranges in self.days],
            "ph_closed": self.ph_closed,
        }


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _parse_days(text: str) -> list[int] | None:
    days: list[int] = []
    for part in text.split(","):
        if not _DAYS.match(part):
            return None
        if "-" in part:
            first, last = (DAY_CODES.index(code) for code in part.split("-"))
            if last < first:
                return None
            days.extend(range(first, last + 1))
        else:
            days.append(DAY_CODES.index(part))
    return days


def _parse_ranges(text: str) -> tuple[tuple[str, str], ...] | None:
    spans = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match or _minutes(match.group(1)) >= _minutes(match.group(2)):
            return None
        spans.append((match.group(1), match.group(2)))
    spans.sort(key=lambda span: _minutes(span[0]))
    for previous, current in zip(spans, spans[1:], strict=False):
        if _minutes(current[0]) <= _minutes(previous[1]):
            return None
    return tuple(spans)


def parse_grid(value: str) -> WeekGrid | None:
    """The grid of a simple ``value`` (see the module docstring), else ``None``."""
    days: list[tuple[tuple[str, str], ...]] = [()] * 7
    ph_closed = False
    rules = [rule.strip() for rule in (value or "").split(";")]
    if rules and rules[-1] == "":
        rules.pop()
    for index, rule in enumerate(rules):
        words = rule.split()
        if len(words) != 2 or '"' in rule:
            return None
        selector, hours = words
        if selector == "PH":
            if hours not in ("off", "closed") or index != len(rules) - 1:
                return None
            ph_closed = True
            continue
        day_indexes = _parse_days(selector)
        if day_indexes is None:
            return None
        if hours in ("off", "closed"):
            spans: tuple[tuple[str, str], ...] | None = ()
        else:
            spans = _parse_ranges(hours)
        if spans is None:
            return None
        for day in day_indexes:
            days[day] = spans
    return WeekGrid(days=tuple(days), ph_closed=ph_closed)


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][1] == index - 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return [(first, last) for first, last in runs]


def _groups(grid: WeekGrid) -> list[tuple[list[int], tuple[tuple[str, str], ...]]]:
    groups: dict[tuple, list[int]] = {}
    for index, spans in enumerate(grid.days):
        if spans:
            groups.setdefault(spans, []).append(index)
    return [(indexes, spans) for spans, indexes in groups.items()]


def grid_to_value(grid: WeekGrid) -> str:
    """The canonical OSM value of ``grid``: days with the same ranges grouped (three
    days or more in a row as ``Mo-We``), rules in weekday order, ``PH off`` last;
    ``""`` when no day is open."""
    rules = []
    for indexes, spans in _groups(grid):
        parts = []
        for first, last in _runs(indexes):
            if last - first >= 2:
                parts.append(f"{DAY_CODES[first]}-{DAY_CODES[last]}")
            else:
                parts.extend(DAY_CODES[day] for day in range(first, last + 1))
        ranges = ",".join(f"{begin}-{end}" for begin, end in spans)
        rules.append(f"{','.join(parts)} {ranges}")
    if not rules:
        return ""
    if grid.ph_closed:
        rules.append("PH off")
    return "; ".join(rules)


def _day_names() -> tuple[str, ...]:
    return (
        _("lundi"),
        _("mardi"),
        _("mercredi"),
        _("jeudi"),
        _("vendredi"),
        _("samedi"),
        _("dimanche"),
    )


def describe(value: str) -> str:
    """A French sentence for a simple value, ``""`` for other values.

    « Du lundi au vendredi de 08:30 à 12:00 et de 13:30 à 17:00 ; le samedi de 09:00
    à 12:00. Fermé les jours fériés. »
    """
    grid = parse_grid(value)
    if grid is None or not any(grid.days):
        return ""
    names = _day_names()
    sentences = []
    for indexes, spans in _groups(grid):
        day_parts = []
        for first, last in _runs(indexes):
            if last - first >= 2:
                day_parts.append(
                    _("du %(first)s au %(last)s") % {"first": names[first], "last": names[last]}
                )
            else:
                day_parts.extend(
                    _("le %(day)s") % {"day": names[day]} for day in range(first, last + 1)
                )
        ranges = [
            _("de %(start)s à %(end)s") % {"start": begin, "end": end} for begin, end in spans
        ]
        days_text = (
            day_parts[0]
            if len(day_parts) == 1
            else _("%(rest)s et %(last)s")
            % {"rest": ", ".join(day_parts[:-1]), "last": day_parts[-1]}
        )
        ranges_text = (
            ranges[0]
            if len(ranges) == 1
            else _("%(rest)s et %(last)s") % {"rest": ", ".join(ranges[:-1]), "last": ranges[-1]}
        )
        sentences.append(f"{days_text} {ranges_text}")
    text = " ; ".join(sentences)
    text = text[:1].upper() + text[1:] + "."
    if grid.ph_closed:
        text += " " + _("Fermé les jours fériés.")
    return text
