"""News of the last three months. ``days_ago`` counts back from the day of the first load."""

from . import call_to_action, document, heading, paragraph, quote

INDEX = {
    "slug": "actualites",
    "title": "Actualités",
    "summary": "Toute l'actualité de la commune : vie municipale, travaux, écoles, culture.",
    "intro": "Les nouvelles de Gréasque, des services municipaux et des associations.",
}

NEWS = [
    {
        "slug": "registre-personnes-isolees",
        "title": "Personnes isolées : inscrivez-vous sur le registre communal",
        "days_ago": 2,
        "category": "solidarite",
        "image": "solidarite",
        "summary": (
            "Canicule, grand froid, épidémie : le registre permet aux services de contacter en "
            "priorité les personnes fragiles."
        ),
        "body": [
            paragraph(
                "<p>Le centre communal d'action sociale tient un registre des personnes âgées, "
                "isolées ou en situation de handicap qui le souhaitent. En cas de canicule, de "
                "grand froid ou de crise, elles sont appelées régulièrement et, si besoin, "
                "visitées.</p>"
            ),
            paragraph(
                "<p>L'inscription est gratuite et facultative. Elle peut être demandée par la "
                "personne elle-même, par un proche ou par un professionnel de santé. Les "
                "informations recueillies restent confidentielles et ne servent qu'à ce "
                "dispositif.</p>"
            ),
            call_to_action(
                "S'inscrire ou inscrire un proche",
                "Contacter la mairie",
                page="contact",
            ),
        ],
        "related": ["securite"],
    },
    {
        "slug": "debroussaillement-mise-en-conformite",
        "title": "Débroussaillement : c'est le moment de se mettre en conformité",
        "days_ago": 6,
        "category": "environnement",
        "image": "debroussaillement",
        "summary": (
            "Les propriétaires concernés doivent débroussailler 50 mètres autour de leur "
            "maison avant l'été. Des contrôles auront lieu."
        ),
        "body": [
            paragraph(
                "<p>Comme chaque année, la commune rappelle les obligations légales de "
                "débroussaillement. Une maison bien débroussaillée protège ses habitants et "
                "facilite le travail des pompiers.</p>"
            ),
            paragraph(
                "<p>Les agents de la police municipale passeront dans les quartiers en "
                "bordure de massif pour vérifier l'état des terrains et conseiller les "
                "propriétaires. Les végétaux coupés peuvent être apportés en déchetterie : "
                "ne les brûlez pas.</p>"
            ),
            document("guide-old", "Guide du débroussaillement"),
        ],
        "related": ["environnement", "securite"],
    },
    {
        "slug": "travaux-chemin-des-pinedes",
        "title": "Réfection du chemin des Pinèdes : circulation alternée",
        "days_ago": 11,
        "category": "travaux",
        "image": "travaux",
        "summary": (
            "La chaussée du chemin des Pinèdes est refaite. La circulation est alternée par "
            "feux pendant toute la durée du chantier."
        ),
        "body": [
            paragraph(
                "<p>Les travaux de réfection de la chaussée et des trottoirs du chemin des "
                "Pinèdes ont commencé. Ils comprennent le renouvellement de l'enrobé, la "
                "reprise des bordures et la création d'un plateau ralentisseur devant "
                "l'arrêt de bus.</p>"
            ),
            paragraph(
                "<p>Pendant le chantier, la circulation est alternée par feux et le "
                "stationnement interdit au droit des travaux, selon l'arrêté du maire publié "
                'au <a href="page:registre-des-actes">registre des actes</a>. Les accès aux '
                "riverains sont maintenus.</p>"
            ),
        ],
        "related": ["registre-des-actes"],
    },
    {
        "slug": "exposition-memoire-miniere",
        "title": "« Gueules noires » : une exposition de photographies au Centre minier",
        "days_ago": 19,
        "category": "culture",
        "image": "musee",
        "summary": (
            "Une centaine de photographies prêtées par des familles du village racontent la "
            "vie des mineurs et de leurs proches."
        ),
        "body": [
            paragraph(
                "<p>Pendant plusieurs mois, des bénévoles ont collecté les photographies de "
                "familles gréasquéennes : la descente au fond, les fêtes de la Sainte-Barbe, "
                "la cité, l'école. Une centaine d'entre elles sont exposées dans la salle du "
                "Centre minier.</p>"
            ),
            quote(
                "Chaque photo a une histoire. On a voulu que les familles la racontent "
                "elles-mêmes.",
                "Une bénévole de l'association du musée",
            ),
            paragraph(
                "<p>L'exposition est ouverte aux heures d'ouverture du musée ; l'entrée est "
                "gratuite pour les habitants. Des visites commentées sont proposées aux "
                "écoles.</p>"
            ),
        ],
        "related": ["culture-patrimoine"],
    },
    {
        "slug": "inscriptions-centre-de-loisirs",
        "title": "Centre de loisirs : les inscriptions pour les prochaines vacances sont ouvertes",
        "days_ago": 27,
        "category": "enfance",
        "image": "ecole",
        "summary": (
            "Sorties, ateliers nature et découverte du patrimoine minier : le programme des "
            "vacances est en ligne."
        ),
        "body": [
            paragraph(
                "<p>Le centre de loisirs accueillera les enfants de 3 à 11 ans pendant les "
                "prochaines vacances scolaires. Au programme : ateliers nature dans la "
                "colline, jeux sportifs, initiation au théâtre et une journée au musée de la "
                "mine.</p>"
            ),
            paragraph(
                "<p>Les inscriptions se font à la semaine ou à la journée, auprès du service "
                "Enfance-jeunesse, dans la limite des places disponibles.</p>"
            ),
        ],
        "related": ["enfance-jeunesse"],
    },
    {
        "slug": "nouveau-site-internet",
        "title": "Un nouveau site internet pour la commune",
        "days_ago": 36,
        "category": "vie-municipale",
        "image": "village",
        "summary": (
            "Plus simple sur téléphone, plus sûr, plus accessible : le nouveau site rassemble "
            "démarches, actualités et décisions de la commune."
        ),
        "body": [
            paragraph(
                "<p>La commune a remplacé son ancien site par une plateforme libre, mise à "
                "jour régulièrement. Chaque service publie directement ses informations, "
                "après validation par le service communication.</p>"
            ),
            heading("Ce qui change pour vous"),
            paragraph(
                "<ul><li>un site lisible sur téléphone et utilisable au clavier ;</li>"
                "<li>les délibérations, arrêtés et décisions publiés dans le registre des "
                "actes ;</li><li>un formulaire de contact qui transmet votre message au bon "
                "service ;</li><li>aucun cookie publicitaire ni traceur.</li></ul>"
            ),
            call_to_action(
                "Votre avis compte",
                "Nous écrire",
                text="Une information manque ? Un contenu n'est pas accessible ? Dites-le-nous.",
                page="contact",
            ),
        ],
        "related": ["accessibilite"],
    },
    {
        "slug": "renovation-energetique-ecole",
        "title": "L'école élémentaire va être rénovée",
        "days_ago": 48,
        "category": "travaux",
        "image": "ecole",
        "summary": (
            "Isolation, menuiseries, chauffage : les travaux de rénovation énergétique se "
            "dérouleront en plusieurs phases pour ne pas gêner les classes."
        ),
        "body": [
            paragraph(
                "<p>Le conseil municipal a approuvé le programme de rénovation énergétique "
                "de l'école élémentaire et sollicité les aides de l'État et du Département. "
                "Les travaux porteront sur l'isolation des murs et de la toiture, le "
                "remplacement des fenêtres et la modernisation du chauffage.</p>"
            ),
            paragraph(
                "<p>Les travaux les plus bruyants seront réalisés pendant les vacances "
                "scolaires. Les familles seront informées de chaque phase.</p>"
            ),
        ],
        "related": ["enfance-jeunesse", "conseils-municipaux"],
    },
    {
        "slug": "collecte-banque-alimentaire",
        "title": "Collecte solidaire : merci pour votre générosité",
        "days_ago": 59,
        "category": "solidarite",
        "image": "solidarite",
        "summary": (
            "Les bénévoles ont recueilli plusieurs centaines de kilos de denrées, "
            "redistribuées aux familles accompagnées par le CCAS."
        ),
        "body": [
            paragraph(
                "<p>Pendant deux jours, les bénévoles des associations caritatives et les "
                "élus se sont relayés à l'entrée des commerces. Conserves, pâtes, produits "
                "d'hygiène et de puériculture ont été triés puis redistribués.</p>"
            ),
            paragraph(
                "<p>Vous pouvez aussi déposer vos dons toute l'année à l'accueil de la "
                "mairie, aux heures d'ouverture.</p>"
            ),
        ],
        "related": [],
    },
    {
        "slug": "tri-des-emballages",
        "title": "Tous les emballages se trient dans le bac jaune",
        "days_ago": 72,
        "category": "environnement",
        "image": "tri",
        "summary": (
            "Pots de yaourt, films plastique, barquettes : tous les emballages vont dans le "
            "bac jaune, en vrac et sans les laver."
        ),
        "body": [
            paragraph(
                "<p>Les consignes de tri sont simples : tous les emballages et tous les "
                "papiers vont dans le bac jaune. Inutile de les laver, il suffit de bien les "
                "vider. Déposez-les en vrac, pas dans un sac fermé.</p>"
            ),
            paragraph(
                "<p>Le verre se dépose dans les colonnes d'apport volontaire ; les déchets "
                "verts et les encombrants en déchetterie. La collecte est assurée par la "
                "Métropole Aix-Marseille-Provence.</p>"
            ),
        ],
        "related": ["environnement"],
    },
    {
        "slug": "budget-primitif-adopte",
        "title": "Le budget primitif adopté par le conseil municipal",
        "days_ago": 79,
        "category": "vie-municipale",
        "image": "conseil",
        "summary": (
            "Pas de hausse des taux communaux, priorité à l'école et à la prévention des "
            "incendies : les grandes lignes du budget."
        ),
        "body": [
            paragraph(
                "<p>Réuni en séance publique, le conseil municipal a adopté le budget "
                "primitif de la commune. Les taux communaux des taxes foncières restent "
                "inchangés.</p>"
            ),
            heading("Les priorités"),
            paragraph(
                "<ul><li>la rénovation énergétique de l'école élémentaire ;</li>"
                "<li>l'entretien des pistes et des points d'eau de défense contre "
                "l'incendie ;</li><li>la réfection de la voirie communale ;</li>"
                "<li>le soutien aux associations.</li></ul>"
            ),
            paragraph(
                "<p>La délibération et le procès-verbal sont consultables dans la rubrique <a "
                'href="page:conseils-municipaux">Conseils municipaux</a>.</p>'
            ),
        ],
        "related": ["conseils-municipaux", "registre-des-actes"],
    },
    {
        "slug": "bibliotheque-horaires",
        "title": "La bibliothèque municipale ouvre le samedi après-midi",
        "days_ago": 86,
        "category": "culture",
        "image": "bibliotheque",
        "summary": (
            "Pour accueillir les familles et les actifs, la bibliothèque élargit ses horaires "
            "et propose une heure du conte mensuelle."
        ),
        "body": [
            paragraph(
                "<p>La bibliothèque municipale ouvre désormais le samedi de 14 h à 17 h, en "
                "plus de ses horaires habituels. L'inscription est gratuite pour les "
                "habitants.</p>"
            ),
            paragraph(
                "<p>Une heure du conte pour les enfants de 3 à 7 ans a lieu un samedi par "
                "mois. Les bénévoles préparent aussi une sélection d'ouvrages sur l'histoire "
                "de la mine et du bassin de Provence.</p>"
            ),
        ],
        "related": ["culture-patrimoine"],
    },
]
