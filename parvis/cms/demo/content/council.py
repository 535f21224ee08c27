"""Council meetings, acts of the commune and the municipal bulletin.

Dates count from the day of the first load (``in_days``; negative is past). Act numbers
take the year of the act's date: ``{year}-0NN`` for deliberations, ``AM-{year}-NNN`` for
orders (arrêtés), ``DM-{year}-NN`` for decisions.
"""

COUNCIL_INDEX = {
    "slug": "conseils-municipaux",
    "title": "Conseils municipaux",
    "summary": "Convocations, ordres du jour et procès-verbaux des séances du conseil municipal.",
    "intro": (
        "Le conseil municipal se réunit en séance publique au moins une fois par trimestre. "
        "Retrouvez ici la convocation et l'ordre du jour de chaque séance, puis son "
        "procès-verbal une fois approuvé. Les délibérations sont publiées au registre des "
        "actes."
    ),
}

REGISTER = {
    "slug": "registre-des-actes",
    "title": "Registre des actes",
    "summary": "Délibérations, arrêtés et décisions de la commune, dans leur version signée.",
    "intro": (
        "Les actes de la commune sont publiés sous forme électronique sur ce site : "
        "délibérations du conseil municipal, arrêtés et décisions du maire. Chaque acte est "
        "accompagné de sa version signée. Un acte publié n'est jamais modifié : une erreur "
        "est corrigée par un acte rectificatif, qui renvoie à l'acte qu'il corrige."
    ),
}

# key -> meeting; ``minutes``: the procès-verbal has been approved and is published.
MEETINGS = {
    "budget": {
        "in_days": -80,
        "weekday": 3,
        "time": "18:30",
        "summary": "Budget primitif, taux des taxes foncières et subventions aux associations.",
        "agenda": [
            "Approbation du procès-verbal de la séance précédente",
            "Adoption du budget primitif de la commune",
            "Fixation des taux des taxes foncières",
            "Attribution des subventions aux associations",
            "Compte rendu des décisions prises par le maire par délégation",
            "Questions diverses",
        ],
        "minutes": True,
        "present": "23 conseillers présents ou représentés sur 27",
    },
    "tarifs": {
        "in_days": -45,
        "weekday": 3,
        "time": "18:30",
        "summary": "Tarifs périscolaires, plan communal de sauvegarde, rénovation de l'école.",
        "agenda": [
            "Approbation du procès-verbal de la séance précédente",
            "Tarifs de la restauration scolaire et des accueils périscolaires",
            "Mise à jour du plan communal de sauvegarde",
            "Rénovation énergétique de l'école élémentaire : demandes de subventions",
            "Questions diverses",
        ],
        "minutes": True,
        "present": "25 conseillers présents ou représentés sur 27",
    },
    "voirie": {
        "in_days": -12,
        "weekday": 3,
        "time": "18:30",
        "summary": "Emplois non permanents, dénomination d'une voie nouvelle.",
        "agenda": [
            "Approbation du procès-verbal de la séance précédente",
            "Création de deux emplois non permanents pour accroissement temporaire d'activité",
            "Dénomination d'une voie nouvelle : impasse des Galibots",
            "Compte rendu des décisions prises par le maire par délégation",
            "Questions diverses",
        ],
        "minutes": False,
        "present": "24 conseillers présents ou représentés sur 27",
    },
    "prochaine": {
        "in_days": 16,
        "weekday": 3,
        "time": "18:30",
        "summary": "Décision modificative du budget, convention avec l'association du musée.",
        "agenda": [
            "Approbation du procès-verbal de la séance précédente",
            "Décision modificative n° 1 du budget de la commune",
            "Convention de mise à disposition du Centre minier à l'association du musée",
            "Rapport sur les actions de prévention des incendies de forêt",
            "Questions diverses",
        ],
        "minutes": False,
        "present": "",
    },
}

COMMON_VISAS = ["Vu le code général des collectivités territoriales ;"]

ACTS = [
    {
        "key": "budget-primitif",
        "type": "deliberation",
        "seq": 12,
        "meeting": "budget",
        "subject": "Adoption du budget primitif de la commune",
        "summary": (
            "Le conseil municipal adopte le budget primitif, équilibré en fonctionnement et "
            "en investissement, sans hausse des taux communaux."
        ),
        "visas": ["Vu le projet de budget primitif présenté par le maire ;"],
        "considerants": [
            "Considérant le débat d'orientation budgétaire tenu lors de la séance précédente ;"
        ],
        "articles": [
            "Le budget primitif de la commune est adopté, par chapitre, tel qu'il est annexé "
            "à la présente délibération.",
            "Le maire est chargé de son exécution.",
        ],
        "vote": "à la majorité (19 voix pour, 4 abstentions)",
    },
    {
        "key": "subventions-associations",
        "type": "deliberation",
        "seq": 14,
        "meeting": "budget",
        "subject": "Attribution des subventions aux associations",
        "summary": "Répartition des subventions de fonctionnement aux associations de la commune.",
        "visas": ["Vu les demandes présentées par les associations ;"],
        "considerants": ["Considérant l'intérêt local des activités menées par les associations ;"],
        "articles": [
            "Les subventions de fonctionnement sont attribuées conformément au tableau annexé.",
            "Les crédits correspondants sont inscrits au budget de l'exercice.",
        ],
        "vote": "à l'unanimité",
    },
    {
        "key": "tarifs-periscolaires",
        "type": "deliberation",
        "seq": 21,
        "meeting": "tarifs",
        "subject": "Tarifs de la restauration scolaire et des accueils périscolaires",
        "summary": (
            "Fixation des tarifs selon le quotient familial pour la prochaine année scolaire."
        ),
        "visas": [],
        "considerants": [
            "Considérant la volonté de la commune de tenir compte des ressources des familles ;"
        ],
        "articles": [
            "Les tarifs de la restauration scolaire et des accueils périscolaires sont fixés "
            "selon le barème annexé, en trois tranches de quotient familial.",
            "Ces tarifs s'appliquent à compter de la prochaine rentrée scolaire.",
        ],
        "vote": "à l'unanimité",
    },
    {
        "key": "plan-communal-sauvegarde",
        "type": "deliberation",
        "seq": 22,
        "meeting": "tarifs",
        "subject": "Mise à jour du plan communal de sauvegarde",
        "summary": (
            "Le conseil prend acte de la mise à jour du plan communal de sauvegarde et du "
            "document d'information sur les risques majeurs."
        ),
        "visas": ["Vu le code de la sécurité intérieure ;"],
        "considerants": ["Considérant l'exposition de la commune au risque d'incendie de forêt ;"],
        "articles": [
            "Le conseil municipal prend acte de la mise à jour du plan communal de "
            "sauvegarde et du document d'information communal sur les risques majeurs.",
        ],
        "vote": "à l'unanimité",
    },
    {
        "key": "emplois-non-permanents",
        "type": "deliberation",
        "seq": 31,
        "meeting": "voirie",
        "subject": (
            "Création de deux emplois non permanents pour accroissement temporaire d'activité"
        ),
        "summary": "Renfort des services techniques pour l'entretien des espaces publics.",
        "visas": ["Vu le code général de la fonction publique ;"],
        "considerants": [
            "Considérant le surcroît d'activité des services techniques pendant la saison ;"
        ],
        "articles": [
            "Deux emplois non permanents d'adjoint technique sont créés pour une durée "
            "maximale de six mois.",
            "Les crédits nécessaires sont inscrits au budget.",
        ],
        "vote": "à l'unanimité",
    },
    {
        "key": "impasse-des-galibots",
        "type": "deliberation",
        "seq": 32,
        "meeting": "voirie",
        "subject": "Dénomination d'une voie nouvelle : impasse des Galibots",
        "summary": (
            "La voie desservant le nouveau lotissement est nommée « impasse des Galibots », "
            "en mémoire des jeunes mineurs."
        ),
        "visas": [],
        "considerants": [
            "Considérant l'intérêt de rappeler l'histoire minière de la commune dans le nom "
            "de ses voies ;",
        ],
        "articles": [
            "La voie nouvelle desservant le lotissement est dénommée « impasse des Galibots ».",
            "La présente délibération sera notifiée aux services du cadastre et de La Poste.",
        ],
        "vote": "à l'unanimité",
    },
    {
        "key": "decision-marche-toiture",
        "type": "decision",
        "seq": 7,
        "in_days": -30,
        "subject": "Attribution du marché de réfection de la toiture du gymnase",
        "summary": "Marché attribué après mise en concurrence à l'offre économiquement la plus "
        "avantageuse.",
        "visas": [
            "Vu le code général des collectivités territoriales, notamment son article "
            "L. 2122-22 ;",
            "Vu la délibération du conseil municipal portant délégation d'attributions au maire ;",
            "Vu le code de la commande publique ;",
        ],
        "considerants": ["Considérant l'analyse des offres reçues ;"],
        "articles": [
            "Le marché de réfection de la toiture du gymnase est attribué à l'entreprise "
            "dont l'offre a été classée première.",
            "Il sera rendu compte de la présente décision au conseil municipal.",
        ],
    },
    {
        "key": "arrete-travaux-pinedes",
        "type": "arrete",
        "seq": 88,
        "in_days": -13,
        "subject": (
            "Réglementation temporaire de la circulation chemin des Pinèdes pendant les "
            "travaux de réfection de la chaussée"
        ),
        "summary": "Circulation alternée par feux et stationnement interdit au droit du chantier.",
        "visas": [
            "Vu le code de la route ;",
            "Vu la demande de l'entreprise chargée des travaux ;",
        ],
        "considerants": [
            "Considérant qu'il y a lieu d'assurer la sécurité des usagers et du personnel "
            "du chantier ;",
        ],
        "articles": [
            "Pendant la durée des travaux, la circulation est alternée par feux chemin des "
            "Pinèdes.",
            "Le stationnement est interdit au droit du chantier.",
            "La signalisation est mise en place par l'entreprise.",
        ],
    },
    {
        "key": "arrete-travaux-pinedes-rectificatif",
        "type": "arrete",
        "seq": 93,
        "in_days": -8,
        "supersedes": "arrete-travaux-pinedes",
        "subject": (
            "Arrêté rectificatif : circulation chemin des Pinèdes pendant les travaux "
            "(prolongation du chantier)"
        ),
        "summary": (
            "Corrige l'arrêté précédent : le chantier est prolongé d'une semaine ; les autres "
            "dispositions sont inchangées."
        ),
        "visas": ["Vu le code de la route ;", "Vu l'arrêté du maire relatif aux mêmes travaux ;"],
        "considerants": [
            "Considérant que les intempéries ont retardé le chantier et qu'il y a lieu de "
            "prolonger les mesures de circulation ;",
        ],
        "articles": [
            "Les mesures de circulation et de stationnement prévues par l'arrêté précédent "
            "sont prolongées d'une semaine.",
            "Les autres dispositions de l'arrêté précédent restent inchangées.",
        ],
    },
    {
        "key": "arrete-festival",
        "type": "arrete",
        "seq": 95,
        "in_days": -5,
        "subject": (
            "Réglementation de la circulation et du stationnement pendant le festival "
            "« Les Nuits du Chevalement »"
        ),
        "summary": (
            "Route du Centre minier fermée à la circulation chaque soir du festival, de 18 h "
            "à 1 h ; stationnement interdit aux abords."
        ),
        "visas": ["Vu le code de la route ;"],
        "considerants": [
            "Considérant l'affluence attendue et la nécessité d'assurer la sécurité du public ;"
        ],
        "articles": [
            "La circulation est interdite sur la route du Centre minier chaque soir du "
            "festival, de 18 h à 1 h, sauf aux véhicules de secours et d'organisation.",
            "Le stationnement est interdit aux abords du site ; une navette gratuite relie "
            "le centre du village.",
        ],
    },
    {
        "key": "arrete-massifs",
        "type": "arrete",
        "seq": 97,
        "in_days": -1,
        "subject": (
            "Interdiction temporaire d'accès aux massifs forestiers de la commune en raison "
            "du risque d'incendie"
        ),
        "summary": (
            "Accès, circulation et présence interdits dans les massifs de la commune tant "
            "que le niveau de danger est très sévère."
        ),
        "visas": [
            "Vu le code forestier ;",
            "Vu l'arrêté préfectoral relatif à l'accès aux massifs forestiers ;",
        ],
        "considerants": [
            "Considérant la sécheresse de la végétation et les prévisions de vent fort ;"
        ],
        "articles": [
            "L'accès, la circulation et la présence des personnes sont interdits dans les "
            "massifs forestiers de la commune les jours où le niveau de danger est très "
            "sévère.",
            "Ces dispositions ne s'appliquent pas aux propriétaires se rendant à leur "
            "domicile ni aux services de secours.",
        ],
    },
    {
        "key": "decision-tarifs-vide-greniers",
        "type": "decision",
        "seq": 9,
        "in_days": -2,
        "publish": False,
        "subject": "Fixation des droits de place du vide-greniers",
        "summary": "Tarif des emplacements du vide-greniers organisé avec le comité des fêtes.",
        "visas": [
            "Vu le code général des collectivités territoriales, notamment son article "
            "L. 2122-22 ;",
            "Vu la délibération du conseil municipal portant délégation d'attributions au maire ;",
        ],
        "considerants": [],
        "articles": ["Le droit de place pour un emplacement du vide-greniers est fixé à 10 €."],
    },
]

BULLETIN = {
    "slug": "bulletin-municipal",
    "title": "Le Chevalement, bulletin municipal",
    "summary": "Le journal de la commune, trois fois par an, à lire en ligne ou à télécharger.",
    "intro": (
        "Le Chevalement est le bulletin municipal de Gréasque. Il est distribué dans toutes "
        "les boîtes aux lettres et disponible à l'accueil de la mairie ; chaque numéro est "
        "aussi téléchargeable ici."
    ),
}

ISSUES = [
    {
        "number": "41",
        "in_days": -190,
        "headline": "Dossier : le patrimoine minier, un trésor à transmettre",
        "scene": "headframe",
        "contents": ("Le musée de la mine", "Travaux de l'été", "Portrait d'association"),
        "sections": [
            (
                "Le mot de la municipalité",
                "Nous avons voulu consacrer ce numéro à la mémoire "
                "de la mine, qui a façonné notre village et nos familles.",
            ),
            (
                "Dossier : le patrimoine minier",
                "Le chevalement du puits Hély d'Oissel, inscrit "
                "aux monuments historiques, et le musée de la mine accueillent chaque année "
                "des visiteurs et des classes. Les bénévoles recherchent de nouveaux témoins.",
            ),
            (
                "Travaux",
                "Réfection des trottoirs du centre, éclairage public à LED, "
                "entretien des pistes de défense contre l'incendie.",
            ),
        ],
    },
    {
        "number": "42",
        "in_days": -100,
        "headline": "Dossier : la forêt et le risque incendie",
        "scene": "hills",
        "contents": ("Débroussailler, mode d'emploi", "Budget de la commune", "Agenda"),
        "sections": [
            (
                "Le mot de la municipalité",
                "La prévention des incendies est l'affaire de tous. "
                "Ce numéro rappelle les obligations de chacun et l'action de la commune.",
            ),
            (
                "Dossier : la forêt et le risque incendie",
                "Débroussailler 50 mètres autour de "
                "sa maison, ne pas utiliser le feu, respecter les conditions d'accès aux "
                "massifs : les bons gestes qui sauvent des vies et des maisons.",
            ),
            (
                "Budget",
                "Les grandes orientations du budget : école, voirie, prévention des "
                "incendies, soutien aux associations.",
            ),
        ],
    },
    {
        "number": "43",
        "in_days": -10,
        "headline": "Dossier : une école rénovée pour nos enfants",
        "scene": "school",
        "contents": ("Le nouveau site internet", "Vie associative", "Agenda des festivités"),
        "sections": [
            (
                "Le mot de la municipalité",
                "Rénovation de l'école, nouveau site internet, "
                "festival au Centre minier : une saison riche s'annonce.",
            ),
            (
                "Dossier : l'école rénovée",
                "Isolation, fenêtres, chauffage : les travaux de "
                "rénovation énergétique de l'école élémentaire se dérouleront en plusieurs "
                "phases, principalement pendant les vacances.",
            ),
            (
                "Vie associative",
                "Le forum des associations a réuni de nombreux bénévoles. "
                "Retrouvez leurs contacts à l'accueil de la mairie.",
            ),
        ],
    },
]
