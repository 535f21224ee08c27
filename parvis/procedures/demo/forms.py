"""The four demo procedures' forms (raw StreamField data, as staff would build them in the
admin) and a realistic submission of each, shared by the loader and the tests.

Fictional people, addresses and numbers only."""

from __future__ import annotations

import io

DEMO_RESIDENT = "camille.martin@example.org"

# --- form definitions (raw StreamField data) ------------------------------------------------


def _field(kind: str, key: str, label: str, *, help_text: str = "", required: bool = True,
           show_if: tuple[str, str] | None = None, **options) -> dict:  # fmt: skip
    value = {
        "key": key,
        "label": label,
        "help_text": help_text,
        "required": required,
        "show_if_key": show_if[0] if show_if else "",
        "show_if_value": show_if[1] if show_if else "",
    }
    if isinstance(options.get("choices"), list | tuple):
        options["choices"] = "\n".join(options["choices"])
    for name in ("min_value", "max_value"):
        if options.get(name) is not None:
            options[name] = str(options[name])
    if kind == "group":
        options["fields"] = options.get("fields") or []
    value.update(options)
    return {"type": kind, "value": value}


def _page(title: str, fields: list[dict], intro: str = "") -> dict:
    return {"type": "page", "value": {"title": title, "intro": intro, "fields": fields}}


ACT_TYPES = ["Acte de naissance", "Acte de mariage", "Acte de décès"]
COPY_TYPES = ["Copie intégrale", "Extrait avec filiation", "Extrait sans filiation"]
LINKS = [
    "La personne elle-même",
    "Son conjoint ou sa conjointe",
    "Son ascendant (parent, grand-parent)",
    "Son descendant (enfant, petit-enfant)",
    "Son représentant légal",
    "Son héritier ou son héritière",
    "Son avocat ou son avocate",
    "Autre",
]
RESTRICTED_LINKS = (
    ("heritier", LINKS[5]),
    ("avocat", LINKS[6]),
    ("autre", LINKS[7]),
)
RULE = (
    "Une copie intégrale ou un extrait avec filiation d'un acte de naissance ou de mariage "
    "n'est délivré qu'à la personne concernée, à son conjoint, à ses ascendants, à ses "
    "descendants ou à son représentant légal. Toute personne peut obtenir un extrait sans "
    "filiation, et une copie d'un acte de décès."
)
DELIVERY = ["Par courrier postal", "Au guichet de la mairie"]


def civil_status_form() -> list[dict]:
    return [
        _page(
            "L'acte demandé",
            [
                _field("choice", "type_acte", "Acte demandé", choices=ACT_TYPES),
                _field(
                    "choice",
                    "type_copie",
                    "Type de document",
                    choices=COPY_TYPES,
                    help_text=(
                        "Un acte de décès est délivré en copie intégrale. Pour la plupart des "
                        "démarches, un extrait suffit."
                    ),
                ),
                _field(
                    "date",
                    "date_evenement",
                    "Date de l'événement (naissance, mariage ou décès)",
                    constraint="past",
                ),
                _field(
                    "number",
                    "exemplaires",
                    "Nombre d'exemplaires",
                    min_value=1,
                    max_value=5,
                    integer=True,
                ),
            ],
            intro=(
                "La commune délivre les actes des naissances, mariages et décès qui ont eu lieu "
                "sur son territoire. La délivrance est gratuite."
            ),
        ),
        _page(
            "La personne concernée par l'acte",
            [
                _field(
                    "identity",
                    "personne",
                    "Personne concernée",
                    help_text="Nom de naissance et prénoms dans l'ordre de l'état civil.",
                    with_birth=False,
                    with_birth_name=False,
                ),
                _field(
                    "text",
                    "conjoint",
                    "Nom et prénoms de l'autre époux",
                    show_if=("type_acte", ACT_TYPES[1]),
                    max_length=150,
                ),
                _field(
                    "text",
                    "parent_1",
                    "Nom et prénoms du premier parent",
                    required=False,
                    show_if=("type_acte", ACT_TYPES[0]),
                    max_length=150,
                    help_text=(
                        "Obligatoire pour une copie intégrale ou un extrait avec filiation."
                    ),
                ),
                _field(
                    "text",
                    "parent_2",
                    "Nom et prénoms du second parent",
                    required=False,
                    show_if=("type_acte", ACT_TYPES[0]),
                    max_length=150,
                    help_text=(
                        "Obligatoire pour une copie intégrale ou un extrait avec filiation, "
                        "si la filiation est établie."
                    ),
                ),
            ],
        ),
        _page(
            "Vous, le demandeur",
            [
                _field(
                    "identity",
                    "demandeur",
                    "Vos nom et prénoms",
                    with_birth=False,
                    with_birth_name=False,
                ),
                _field(
                    "choice", "lien", "Votre lien avec la personne", choices=LINKS, help_text=RULE
                ),  # fmt: skip
                _field(
                    "text",
                    "lien_precision",
                    "Précisez votre lien ou votre qualité",
                    show_if=("lien", LINKS[7]),
                    max_length=150,
                ),
                *[
                    _field(
                        "checkbox",
                        f"restriction_{suffix}",
                        "J'ai compris : je peux obtenir un extrait sans filiation ou un acte "
                        "de décès, mais pas une copie intégrale ni un extrait avec filiation "
                        "d'un acte de naissance ou de mariage.",
                        show_if=("lien", value),
                        help_text=RULE,
                    )
                    for suffix, value in RESTRICTED_LINKS
                ],
                _field(
                    "phone",
                    "telephone",
                    "Téléphone",
                    required=False,
                    help_text="Pour vous joindre en cas de question.",
                ),  # fmt: skip
            ],
        ),
        _page(
            "Réception de l'acte",
            [
                _field(
                    "choice",
                    "reception",
                    "Comment souhaitez-vous recevoir l'acte ?",
                    choices=DELIVERY,
                    help_text=(
                        "Les actes d'état civil ne sont jamais envoyés par e-mail : ils vous "
                        "parviennent par courrier postal ou vous les retirez en mairie."
                    ),
                ),
                _field(
                    "address",
                    "adresse_envoi",
                    "Adresse d'envoi",
                    show_if=("reception", DELIVERY[0]),
                    with_point=False,
                ),
                _field(
                    "file",
                    "piece_identite",
                    "Copie de votre pièce d'identité",
                    required=False,
                    accept=["pdf", "image"],
                    max_size_mb=5,
                    max_files=1,
                    help_text="Facultatif : elle peut accélérer le traitement de la demande.",
                ),
            ],
        ),
    ]


REPORT_CATEGORIES = [
    "Éclairage public",
    "Voirie, nid-de-poule",
    "Propreté, dépôt sauvage",
    "Espaces verts",
    "Mobilier urbain",
    "Autre",
]


def street_report_form() -> list[dict]:
    return [
        _page(
            "Le problème",
            [
                _field("choice", "categorie", "Catégorie", choices=REPORT_CATEGORIES),
                _field(
                    "text",
                    "categorie_autre",
                    "Précisez la catégorie",
                    show_if=("categorie", "Autre"),
                    max_length=100,
                ),
                _field(
                    "address",
                    "lieu",
                    "Lieu du problème",
                    with_point=True,
                    help_text=(
                        "L'adresse la plus proche ; placez aussi le point sur la carte si vous "
                        "le pouvez."
                    ),
                ),
                _field(
                    "file",
                    "photo",
                    "Photo",
                    required=False,
                    accept=["image"],
                    max_size_mb=8,
                    max_files=3,
                    help_text="Une à trois photos (JPEG, PNG ou WebP).",
                ),
                _field(
                    "long_text",
                    "description",
                    "Description",
                    max_length=2000,
                    help_text="Ce que vous avez vu, depuis quand, s'il y a un danger.",
                ),
            ],
            intro=(
                "Lampadaire éteint, nid-de-poule, dépôt sauvage… Les services techniques "
                "interviennent et vous préviennent quand c'est réparé. En cas de danger "
                "immédiat, appelez le 112."
            ),
        )
    ]


PURPOSES = ["Déménagement", "Benne", "Échafaudage", "Autre"]


def public_space_form() -> list[dict]:
    return [
        _page(
            "L'occupation",
            [
                _field("choice", "motif", "Motif de l'occupation", choices=PURPOSES),
                _field(
                    "text",
                    "motif_autre",
                    "Précisez le motif",
                    show_if=("motif", "Autre"),
                    max_length=150,
                ),
                _field("date", "date_debut", "Premier jour", constraint="future"),
                _field(
                    "date",
                    "date_fin",
                    "Dernier jour",
                    constraint="future",
                    help_text="Le même jour que le premier pour une seule journée.",
                ),
                _field("address", "lieu", "Adresse de l'occupation", with_point=False),
                _field(
                    "number",
                    "longueur",
                    "Longueur occupée (en mètres)",
                    min_value=1,
                    max_value=100,
                    integer=False,
                ),
                _field(
                    "number",
                    "surface",
                    "Surface occupée (en m²)",
                    min_value=1,
                    max_value=500,
                    integer=False,
                ),
                _field(
                    "text",
                    "immatriculation",
                    "Immatriculation du véhicule",
                    required=False,
                    max_length=12,
                    pattern=r"[A-Za-z]{2}-?[0-9]{3}-?[A-Za-z]{2}",
                    pattern_message="Une immatriculation s'écrit comme AB-123-CD.",
                ),
                _field(
                    "checkbox",
                    "engagement",
                    "Je m'engage à installer la signalisation réglementaire et à laisser le "
                    "passage libre pour les piétons.",
                ),
            ],
            intro=(
                "Demande à déposer au moins 10 jours avant l'occupation. Les frais de dossier "
                "sont payés en ligne après le dépôt ; l'arrêté vous est envoyé par e-mail."
            ),
        )
    ]


LEVELS = [
    "Petite section",
    "Moyenne section",
    "Grande section",
    "CP",
    "CE1",
    "CE2",
    "CM1",
    "CM2",
]
SCHOOL_SERVICES = [
    "Restauration scolaire (cantine)",
    "Garderie du matin",
    "Garderie du soir",
    "Accueil du mercredi",
]


def school_form() -> list[dict]:
    documents = [
        ("justificatif_domicile", "Justificatif de domicile de moins de trois mois"),
        ("livret_famille", "Livret de famille (pages des parents et de l'enfant)"),
        ("vaccinations", "Carnet de vaccinations (pages des vaccins obligatoires)"),
    ]
    return [
        _page(
            "L'enfant",
            [
                _field(
                    "identity",
                    "enfant",
                    "Enfant",
                    with_birth=True,
                    with_birth_name=False,
                ),
                _field(
                    "choice",
                    "niveau",
                    "Niveau à la rentrée",
                    choices=LEVELS,
                    widget="select",
                ),
            ],
        ),
        _page(
            "Les responsables légaux",
            [
                _field(
                    "group",
                    "responsables",
                    "Responsables légaux",
                    row_label="Responsable",
                    min_rows=1,
                    max_rows=2,
                    fields=[
                        _field("text", "nom", "Nom et prénom", max_length=150),
                        _field("phone", "telephone", "Téléphone"),
                        _field("email", "email", "Adresse e-mail"),
                    ],
                ),
            ],
        ),
        _page(
            "Services périscolaires",
            [
                _field(
                    "multiple_choice",
                    "services",
                    "Services souhaités",
                    required=False,
                    choices=SCHOOL_SERVICES,
                    help_text="Facultatif : vous pourrez en ajouter en cours d'année.",
                ),
                _field(
                    "checkbox",
                    "pai",
                    "Mon enfant a besoin d'un projet d'accueil individualisé (allergie, "
                    "traitement)",
                    required=False,
                    help_text="Le service vous contactera pour le mettre en place.",
                ),
            ],
        ),
        _page(
            "Pièces justificatives",
            [
                _field(
                    "file",
                    key,
                    label,
                    accept=["pdf", "image"],
                    max_size_mb=10,
                    max_files=2,
                )
                for key, label in documents
            ],
        ),
    ]


# (slug, title, summary, service slug, audience, fee in cents, processing days, form)
PROCEDURES = (
    (
        "acte-etat-civil",
        "Demande d'acte d'état civil",
        "Copie intégrale ou extrait d'un acte de naissance, de mariage ou de décès, gratuit.",
        "etat-civil",
        "verified_email",
        0,
        10,
        civil_status_form,
    ),
    (
        "signaler-un-probleme",
        "Signaler un problème sur la voie publique",
        "Éclairage, voirie, propreté, espaces verts : prévenez les services techniques.",
        "services-techniques",
        "verified_email",
        0,
        15,
        street_report_form,
    ),
    (
        "occupation-domaine-public",
        "Occupation temporaire du domaine public",
        "Déménagement, benne, échafaudage : autorisation de stationnement ou de dépôt.",
        "urbanisme-domaine-public",
        "account",
        1500,
        10,
        public_space_form,
    ),
    (
        "inscription-scolaire",
        "Inscription scolaire et périscolaire",
        "Première inscription à l'école de la commune, cantine et garderie.",
        "enfance-jeunesse",
        "account",
        0,
        21,
        school_form,
    ),
)

STATUS_MESSAGES = {
    "signaler-un-probleme": (
        "Votre signalement {numero} est maintenant « {etat} ». Merci de contribuer à "
        "l'entretien de la commune."
    ),
}


def _pdf(title: str) -> bytes:
    """A one-page PDF standing for a scanned document."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, title.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 80)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def sample_data(slug: str, *, today) -> tuple[dict, list[tuple[str, str, bytes, str]]]:
    """A realistic submission of the demo procedure ``slug`` (values, then files as
    ``(field key, name, content, content type)``); shared with the tests."""
    import datetime as dt

    if slug == "acte-etat-civil":
        return (
            {
                "type_acte": ACT_TYPES[0],
                "type_copie": COPY_TYPES[0],
                "date_evenement": "1988-04-12",
                "exemplaires": 1,
                "personne": {"last_name": "Martin", "first_names": "Camille Louise"},
                "parent_1": "Martin Bernard",
                "parent_2": "Durand Hélène",
                "demandeur": {"last_name": "Martin", "first_names": "Camille"},
                "lien": LINKS[0],
                "telephone": "06 39 98 00 12",
                "reception": DELIVERY[0],
                "adresse_envoi": {
                    "street": "12 rue des Exemples",
                    "complement": "",
                    "postcode": "13850",
                    "city": "Gréasque",
                },
            },
            [("piece_identite", "carte-identite.pdf", _pdf("Carte d'identite"), "application/pdf")],
        )
    if slug == "signaler-un-probleme":
        return (
            {
                "categorie": REPORT_CATEGORIES[0],
                "lieu": {
                    "street": "Place de l'Exemple",
                    "complement": "",
                    "postcode": "13850",
                    "city": "Gréasque",
                    "lat": 43.4325,
                    "lon": 5.5445,
                },
                "description": "Le lampadaire devant l'abribus ne s'allume plus depuis lundi.",
            },
            [("photo", "lampadaire.jpg", _photo(), "image/jpeg")],
        )
    if slug == "occupation-domaine-public":
        start = today + dt.timedelta(days=14)
        return (
            {
                "motif": PURPOSES[0],
                "date_debut": start.isoformat(),
                "date_fin": (start + dt.timedelta(days=1)).isoformat(),
                "lieu": {
                    "street": "4 avenue des Exemples",
                    "complement": "",
                    "postcode": "13850",
                    "city": "Gréasque",
                },
                "longueur": 12,
                "surface": 30,
                "immatriculation": "AB-123-CD",
                "engagement": True,
            },
            [],
        )
    if slug == "inscription-scolaire":
        return (
            {
                "enfant": {
                    "last_name": "Martin",
                    "first_names": "Léo",
                    "birth_date": (today.replace(day=1) - dt.timedelta(days=6 * 365)).isoformat(),
                    "birth_place": "Aix-en-Provence",
                },
                "niveau": "CP",
                "responsables": [
                    {
                        "nom": "Camille Martin",
                        "telephone": "06 39 98 00 12",
                        "email": DEMO_RESIDENT,
                    }
                ],
                "services": [SCHOOL_SERVICES[0], SCHOOL_SERVICES[2]],
                "pai": False,
            },
            [
                (
                    "justificatif_domicile",
                    "facture-energie.pdf",
                    _pdf("Justificatif"),
                    "application/pdf",
                ),  # fmt: skip
                (
                    "livret_famille",
                    "livret-famille.pdf",
                    _pdf("Livret de famille"),
                    "application/pdf",
                ),  # fmt: skip
                ("vaccinations", "vaccinations.pdf", _pdf("Vaccinations"), "application/pdf"),
            ],
        )
    raise KeyError(slug)
