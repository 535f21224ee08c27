"""Wording of the generated documents: convocations, minutes and signed acts."""

from __future__ import annotations

import datetime as dt

from . import council

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ACT_LABELS = {"deliberation": "Délibération", "arrete": "Arrêté", "decision": "Décision"}
RECOURSE = (
    "Le présent acte peut faire l'objet d'un recours devant le tribunal administratif de "
    "Marseille dans un délai de deux mois à compter de sa publication."
)


def fr_date(day: dt.date) -> str:
    return f"{day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def act_number(spec: dict, day: dt.date) -> str:
    if spec["type"] == "deliberation":
        return f"{day.year}-{spec['seq']:03d}"
    if spec["type"] == "arrete":
        return f"AM-{day.year}-{spec['seq']:03d}"
    return f"DM-{day.year}-{spec['seq']:02d}"


def convocation_paragraphs(spec: dict, day: dt.date) -> list[str]:
    sent = day - dt.timedelta(days=6)  # five clear days before the meeting
    items = [f"{i}. {item}" for i, item in enumerate(spec["agenda"], start=1)]
    return [
        f"Gréasque, le {fr_date(sent)}",
        "Madame la conseillère municipale, Monsieur le conseiller municipal,",
        "J'ai l'honneur de vous convoquer à la séance du conseil municipal qui se "
        f"tiendra le {fr_date(day)} à {spec['time'].replace(':', ' h ')}, en salle du "
        "conseil de la mairie. La séance est publique.",
        "## Ordre du jour",
        *items,
        "Le Maire",
    ]


def minutes_paragraphs(key: str, spec: dict, day: dt.date) -> list[str]:
    by_subject = {a["subject"]: a for a in council.ACTS if a.get("meeting") == key}
    paragraphs = [
        "Le conseil municipal s'est réuni en séance publique à la mairie, sous la "
        f"présidence du maire. {spec['present']}. Un secrétaire de séance a été désigné "
        "parmi les conseillers.",
    ]
    for i, item in enumerate(spec["agenda"], start=1):
        paragraphs.append(f"## {i}. {item}")
        act = by_subject.get(item)
        if act:
            number = act_number(act, day)
            paragraphs.append(f"{act['summary']} Délibération n° {number} adoptée {act['vote']}.")
        elif item.startswith("Approbation du procès-verbal"):
            paragraphs.append(
                "Le procès-verbal de la séance précédente est approuvé à l'unanimité."
            )
        elif item.startswith("Compte rendu"):
            paragraphs.append(
                "Le conseil municipal prend acte des décisions prises par le maire par délégation."
            )
        elif item.startswith("Questions diverses"):
            paragraphs.append("Aucune question diverse n'a été posée. La séance est levée.")
        else:
            paragraphs.append("Après débat, le point est adopté à l'unanimité.")
    paragraphs.append("Procès-verbal approuvé lors de la séance suivante.")
    return paragraphs


def act_paragraphs(spec: dict, day: dt.date, supersedes=None) -> list[str]:
    """The text of a signed act; ``supersedes`` is the act it corrects, if any."""
    paragraphs = []
    if supersedes is not None:
        paragraphs.append(
            f"Le présent acte rectifie l'acte n° {supersedes.number} du "
            f"{fr_date(supersedes.date)}, qui reste consultable au registre des actes."
        )
    if spec["type"] == "deliberation":
        paragraphs.append(
            f"Séance du {fr_date(day)}. Le conseil municipal de la commune de Gréasque, "
            "régulièrement convoqué, s'est réuni en séance publique à la mairie, sous la "
            "présidence du maire."
        )
        paragraphs += [*council.COMMON_VISAS, *spec["visas"], *spec["considerants"]]
        paragraphs.append(
            f"Après en avoir délibéré, le conseil municipal, {spec['vote']}, DÉCIDE :"
        )
    else:
        paragraphs.append("Le Maire de la commune de Gréasque,")
        visas = spec["visas"]
        if spec["type"] == "arrete":
            visas = [*council.COMMON_VISAS, *visas]
        paragraphs += [*visas, *spec["considerants"]]
        paragraphs.append("ARRÊTE :" if spec["type"] == "arrete" else "DÉCIDE :")
    for i, article in enumerate(spec["articles"], start=1):
        paragraphs.append(f"Article {i}. {article}")
    signed = {
        "deliberation": "délibération signée",
        "arrete": "arrêté signé",
        "decision": "décision signée",
    }[spec["type"]]
    paragraphs += [
        f"Fait à Gréasque, le {fr_date(day)}.",
        f"Le Maire — {signed} électroniquement.",
        RECOURSE,
    ]
    return paragraphs
