"""Validation of opening-hours values typed by staff, with French messages that say
where the value is wrong."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import opening_hours
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import engine

EXAMPLE = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"

_POSITION = re.compile(r"-->\s*(\d+):(\d+)")
_EXPECTED = re.compile(r"=\s*expected\s+(.+)$", re.MULTILINE)
_UNEXPECTED = re.compile(r"=\s*unexpected\s+(.+)$", re.MULTILINE)

# Names of the parser's grammar rules, in words staff understand.
_RULE_WORDS = {
    "timespan": gettext_lazy("une plage horaire comme 08:30-12:00"),
    "time": gettext_lazy("une heure comme 08:30"),
    "extended_time": gettext_lazy("une heure de fin comme 12:00"),
    "weekday_range": gettext_lazy("un jour (Mo, Tu, We, Th, Fr, Sa, Su)"),
    "small_range_selectors": gettext_lazy("un jour (Mo, Tu, We, Th, Fr, Sa, Su)"),
    "holiday": gettext_lazy("PH (jours fériés) ou SH (vacances scolaires)"),
    "rules_modifier": gettext_lazy("« off » (fermé) ou « open » (ouvert)"),
    "any_rule_separator": gettext_lazy("« ; » entre deux règles"),
    "normal_rule_separator": gettext_lazy("« ; »"),
    "EOI": gettext_lazy("la fin du texte"),
    "comment": gettext_lazy("un commentaire entre guillemets"),
}

_HINTS = (
    (
        re.compile(r"\d{1,2}\s*h\s*\d{0,2}", re.IGNORECASE),
        gettext_lazy("écrivez les heures avec deux-points : 09:00 et non 9h"),
    ),
    (
        re.compile(r"\b(2[5-9]|[3-9]\d):\d\d"),
        gettext_lazy("une heure va de 00:00 à 24:00"),
    ),
    (
        re.compile(
            r"\b(lu|ma|me|je|ve|di|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b",
            re.IGNORECASE,
        ),
        gettext_lazy("les jours s'écrivent en anglais abrégé : Mo Tu We Th Fr Sa Su"),
    ),
)

_SUN = re.compile(r"\b(sunrise|sunset|dawn|dusk)\b")
_OPEN_END = re.compile(r"\b\d{1,2}:\d{2}\+|\d\+")
_UNKNOWN = re.compile(r"\bunknown\b")
_FALLBACK = re.compile(r"\|\|")
_SH_OFFSET = re.compile(r"\bSH\s*[+-]\s*\d")
_SPAN = re.compile(r"\b(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\b")
_CAPITALS = re.compile(r"capitalized, got '([^']*)'")


@dataclass(frozen=True)
class HoursProblem:
    """Why a value is refused: French ``message`` and the 1-based ``position`` of the
    character where the problem is (``None`` when it concerns the whole value)."""

    message: str
    position: int | None = None


def _excerpt(value: str, position: int) -> str:
    """The text from ``position`` (1-based) to the end of its rule, at most 20 characters."""
    excerpt = value[position - 1 : position + 19]
    if len(excerpt) > 1:
        excerpt = excerpt[:1] + excerpt[1:].split(";")[0]
    if len(value) - position + 1 > 20 and " " in excerpt.strip():
        excerpt = excerpt.rsplit(" ", 1)[0] + " …"
    return excerpt.strip()


def _located(value: str, position: int | None, reason: str, *, readable=True) -> HoursProblem:
    params = {"reason": reason, "example": EXAMPLE, "position": position}
    if position is None:
        message = _("Horaires inutilisables : %(reason)s. Exemple valide : « %(example)s ».")
    elif position > len(value):
        message = _(
            "Horaires incomplets à la fin du texte (caractère %(position)s) : %(reason)s. "
            "Exemple valide : « %(example)s »."
        )
    else:
        params["excerpt"] = _excerpt(value, position)
        if readable:
            message = _(
                "Horaires illisibles près de « %(excerpt)s » (caractère %(position)s) : "
                "%(reason)s. Exemple valide : « %(example)s »."
            )
        else:
            message = _(
                "Horaires inutilisables près de « %(excerpt)s » (caractère %(position)s) : "
                "%(reason)s. Exemple valide : « %(example)s »."
            )
    return HoursProblem(message=message % params, position=position)


def _syntax_problem(value: str, error: Exception) -> HoursProblem:
    text = str(error)
    position = None
    match = _POSITION.search(text)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        lines = value.split("\n")
        position = sum(len(part) + 1 for part in lines[: line - 1]) + column
    reasons = []
    for pattern in _HINTS:
        if pattern[0].search(value):
            reasons.append(str(pattern[1]))
    expected = _EXPECTED.search(text)
    unexpected = _UNEXPECTED.search(text)
    if unexpected:
        word = _RULE_WORDS.get(unexpected.group(1).strip(), unexpected.group(1).strip())
        reasons.append(_("%(what)s inattendu") % {"what": word})
    elif expected:
        names = [name.strip() for name in re.split(r",|\bor\b", expected.group(1))]
        words = []
        for name in names:
            word = _RULE_WORDS.get(name)
            if word is not None and str(word) not in words and name != "EOI":
                words.append(str(word))
        if words:
            reasons.append(_("on attend %(words)s") % {"words": _(" ou ").join(words[:3])})
    if not reasons:
        reasons.append(_("la syntaxe n'est pas reconnue"))
    return _located(value, position, " ; ".join(reasons))


def _position_of(pattern: re.Pattern, value: str) -> int | None:
    match = pattern.search(value)
    return match.start() + 1 if match else None


def find_problem(value: str, *, today: dt.date | None = None) -> HoursProblem | None:
    """``None`` when ``value`` is usable, else why not (see :func:`validate_opening_hours`)."""
    if not value or not value.strip():
        return None
    try:
        compiled = engine.compile_value(value)
    except (opening_hours.ParserError, SyntaxError, ValueError) as error:
        return _syntax_problem(value, error)
    warnings = list(compiled.base.warnings)
    if warnings:
        capitals = _CAPITALS.search(warnings[0])
        if capitals:
            word = capitals.group(1)
            return _located(
                value,
                value.find(word) + 1 if word in value else None,
                _("écrivez « %(word)s » avec une majuscule (%(fixed)s)")
                % {"word": word, "fixed": word[:1].upper() + word[1:]},
            )
        return _located(value, None, warnings[0])
    checks = (
        (_SUN, _("les heures du soleil (sunrise, sunset…) ne sont pas prises en charge")),
        (_OPEN_END, _("indiquez une heure de fermeture (« 18:00+ » n'est pas pris en charge)")),
        (_UNKNOWN, _("« unknown » n'est pas pris en charge : indiquez des horaires précis")),
        (_FALLBACK, _("« || » n'est pas pris en charge : utilisez « ; » entre les règles")),
        (_SH_OFFSET, _("SH ne peut pas être décalé de quelques jours")),
    )
    without_comments = engine._COMMENT.sub(lambda match: " " * len(match.group(0)), value)
    for pattern, reason in checks:
        position = _position_of(pattern, without_comments)
        if position is not None:
            return _located(value, position, reason, readable=False)
    for match in _SPAN.finditer(without_comments):
        begin = (int(match.group(1)), int(match.group(2)))
        end = (int(match.group(3)), int(match.group(4)))
        if begin == end:
            return _located(
                value,
                match.start() + 1,
                readable=False,
                reason=_("la plage %(span)s ne dure aucune minute") % {"span": match.group(0)},
            )
    today = today or timezone.localdate()
    start = engine._midnight(today)
    if not engine.intervals(value, start, start + dt.timedelta(days=731)):
        return _located(
            value, None, _("ces horaires ne donnent aucune ouverture dans les deux ans à venir")
        )
    return None


def validate_opening_hours(value: str) -> None:
    """Field validator: raise ``ValidationError`` (code ``invalid_opening_hours``) with
    a French message that quotes the place of the error, its character position and a
    valid example. Empty values are accepted (the field's ``blank`` decides)."""
    problem = find_problem(value)
    if problem is not None:
        raise ValidationError(problem.message, code="invalid_opening_hours")
