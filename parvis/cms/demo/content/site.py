"""Identity, illustrations, stand-alone documents, categories, menus and the alert."""

COMMUNE = {
    "name": "Gréasque",
    "insee_code": "13046",
    "tagline": "Village provençal, mémoire vivante du bassin minier",
    "street": "Hôtel de ville, 1 place de la Mairie",
    "postcode": "13850",
    "city": "Gréasque",
    "phone": "01 99 00 13 50",
    "email": "mairie@example.org",
    "town_hall_hours": "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off",
    "latitude": "43.433000",
    "longitude": "5.545000",
    "facebook_url": "https://www.example.org/greasque/facebook",
    "instagram_url": "https://www.example.org/greasque/instagram",
    "youtube_url": "https://www.example.org/greasque/youtube",
    "mastodon_url": "https://www.example.org/@greasque",
}

SITE_NAME = "Gréasque"
BULLETIN_TITLE = "Le Chevalement"

# key: (title, description used as alternative text, scene of ``images.SCENES``)
IMAGES = {
    "village": (
        "Gréasque, le village et le chevalement",
        "Le village de Gréasque au pied des collines : le chevalement de l'ancienne mine "
        "à gauche, les maisons aux toits de tuiles et le clocher au centre.",
        "village",
    ),
    "chevalement": (
        "Le chevalement du puits Hély d'Oissel",
        "Le chevalement métallique du puits de mine, ses deux molettes au sommet et sa "
        "bigue inclinée, sous un ciel bleu.",
        "headframe",
    ),
    "musee": (
        "Le carreau du Centre minier",
        "Le carreau de la mine avec le chevalement, la salle des machines et un train de "
        "berlines sur les rails.",
        "museum",
    ),
    "collines": (
        "Collines et pinède",
        "Collines boisées de pins parasols sous un ciel voilé d'été.",
        "hills",
    ),
    "debroussaillement": (
        "Une maison débroussaillée",
        "Une maison au milieu d'une zone débroussaillée ; la pinède est maintenue à distance.",
        "firebreak",
    ),
    "mairie": (
        "L'hôtel de ville",
        "La façade de l'hôtel de ville avec ses drapeaux tricolores, encadrée de platanes.",
        "town_hall",
    ),
    "ecole": (
        "Le groupe scolaire",
        "Le bâtiment de l'école aux fenêtres bleues et sa cour aux marquages de couleur.",
        "school",
    ),
    "marche": (
        "Le marché du village",
        "Des étals de fruits et légumes sous des auvents rayés, devant les maisons du village.",
        "market",
    ),
    "festival": (
        "Soirée de fête au pied du chevalement",
        "Guirlandes lumineuses et fanions de couleur dans la nuit, la silhouette du "
        "chevalement en arrière-plan.",
        "festival",
    ),
    "concert": (
        "Concert à la salle des fêtes",
        "Une scène éclairée par des projecteurs de couleur, le public en ombres chinoises.",
        "concert",
    ),
    "travaux": (
        "Travaux de voirie",
        "Une route en travaux balisée par des cônes de chantier orange et blanc.",
        "roadworks",
    ),
    "randonnee": (
        "Sentier dans la pinède",
        "Un chemin de terre qui traverse la pinède en direction des collines.",
        "trail",
    ),
    "petanque": (
        "Le boulodrome",
        "Des boules de pétanque et le cochonnet sur un terrain ombragé de platanes.",
        "petanque",
    ),
    "solidarite": (
        "Collecte solidaire",
        "Des cartons de collecte marqués d'un cœur rouge, alignés pour la distribution.",
        "solidarity",
    ),
    "tri": (
        "Bacs de collecte des déchets",
        "Trois bacs de collecte côte à côte : un jaune, un gris et un vert.",
        "recycling",
    ),
    "bibliotheque": (
        "Les rayonnages de la bibliothèque",
        "Des étagères de bois remplies de livres aux couvertures colorées.",
        "library",
    ),
    "lavande": (
        "Champ de lavande",
        "Des rangs de lavande en fleur et deux cyprès dans la lumière du soir.",
        "lavender",
    ),
    "orage": (
        "Orage sur le village",
        "Un ciel d'orage et un éclair au-dessus des toits et du clocher du village.",
        "storm",
    ),
    "conseil": (
        "La salle du conseil municipal",
        "La salle du conseil : les pupitres des élus disposés en arc de cercle face aux drapeaux.",
        "council",
    ),
}

LOGO = (
    "Logo de la commune de Gréasque",
    "Logo de Gréasque : le chevalement de la mine en blanc sur les collines, dans un disque bleu.",
)

# Stand-alone documents: key -> (title, paragraphs; "## " starts a heading)
DOCUMENTS = {
    "guide-old": (
        "Guide du débroussaillement",
        [
            "Ce guide rappelle les obligations légales de débroussaillement (OLD) qui "
            "s'appliquent aux propriétaires de Gréasque, commune exposée au risque "
            "d'incendie de forêt.",
            "## Qui est concerné ?",
            "Tout propriétaire d'une construction, d'un chantier ou d'une installation située "
            "dans un bois, une forêt, une garrigue ou à moins de 200 mètres de ces espaces.",
            "## Que faut-il faire ?",
            "Débroussailler et maintenir en état débroussaillé un rayon de 50 mètres autour "
            "des constructions, même si ces travaux s'étendent sur les propriétés voisines, "
            "ainsi que les abords des voies d'accès privées. En zone urbaine du document "
            "d'urbanisme, l'obligation porte sur la totalité du terrain.",
            "Débroussailler ne veut pas dire raser : il s'agit de réduire la quantité de "
            "végétation qui pourrait alimenter le feu, de supprimer les broussailles et le "
            "bois mort, d'élaguer les arbres et d'espacer leurs houppiers.",
            "## Quand ?",
            "Avant l'été, et chaque année. Les travaux doivent être terminés avant le début "
            "de la saison à risque ; l'entretien se fait ensuite régulièrement.",
            "## Que faire des végétaux coupés ?",
            "Le brûlage des déchets verts est interdit. Broyez-les pour en faire un paillage, "
            "compostez-les ou apportez-les en déchetterie.",
            "## Contrôles",
            "La commune contrôle le respect des obligations. En cas de manquement, le maire "
            "peut mettre le propriétaire en demeure puis faire exécuter les travaux d'office, "
            "à ses frais ; une amende peut aussi être prononcée.",
        ],
    ),
    "dicrim": (
        "Document d'information communal sur les risques majeurs (DICRIM)",
        [
            "Le DICRIM présente les risques majeurs auxquels la commune est exposée, les "
            "mesures de prévention prises et les bons réflexes à adopter.",
            "## Les risques à Gréasque",
            "Feu de forêt ; mouvements de terrain liés aux anciennes exploitations minières "
            "et au retrait-gonflement des argiles ; pluies intenses et ruissellement ; "
            "canicule ; transport de matières dangereuses par la route ; séisme (aléa faible).",
            "## Comment êtes-vous alerté ?",
            "Par FR-Alert sur votre téléphone portable, par le bandeau d'alerte du site de "
            "la commune, par SMS si vous êtes inscrit à la liste d'alerte de la mairie, et "
            "par les véhicules de la police municipale équipés de haut-parleurs.",
            "## Les bons réflexes",
            "Se mettre à l'abri ; s'informer (radio, site de la commune) ; ne pas aller "
            "chercher ses enfants à l'école, les enseignants s'en occupent ; limiter les "
            "appels téléphoniques pour laisser les lignes aux secours.",
        ],
    ),
    "reglement-periscolaire": (
        "Règlement intérieur de la restauration scolaire et des accueils périscolaires",
        [
            "Le présent règlement fixe les conditions d'accueil des enfants scolarisés dans "
            "les écoles publiques de Gréasque pendant les temps périscolaires.",
            "## Inscription",
            "L'inscription se fait chaque année, avant la rentrée, par l'espace famille en "
            "ligne ou auprès du service Enfance-jeunesse. Les réservations et annulations "
            "sont possibles jusqu'à la veille à 10 h.",
            "## Tarifs",
            "Les tarifs sont fixés par délibération du conseil municipal et tiennent compte "
            "du quotient familial. Les factures sont payables en ligne.",
            "## Santé",
            "Un projet d'accueil individualisé (PAI) est établi avec le médecin scolaire pour "
            "tout enfant présentant une allergie ou un trouble de santé.",
        ],
    ),
    "dossier-mariage": (
        "Mariage : liste des pièces à fournir",
        [
            "Le dossier de mariage est déposé en mairie par les deux futurs époux, qui "
            "doivent être présents. Prévoyez-le plusieurs semaines avant la date souhaitée.",
            "## Pièces à fournir pour chacun des époux",
            "Une pièce d'identité ; un justificatif de domicile ; la copie intégrale de "
            "l'acte de naissance de moins de trois mois (de moins de six mois si l'acte est "
            "délivré à l'étranger) ; les informations sur les témoins (deux à quatre).",
            "## Publication des bans",
            "La publication est affichée en mairie pendant dix jours avant la célébration.",
        ],
    ),
    "guide-urbanisme": (
        "Guide des autorisations d'urbanisme",
        [
            "Avant de commencer des travaux, vérifiez quelle autorisation est nécessaire et "
            "consultez les règles du document d'urbanisme applicables à votre terrain.",
            "## Déclaration préalable",
            "Pour les travaux de faible importance : petite extension, abri de jardin, "
            "piscine non couverte, modification de façade, clôture.",
            "## Permis de construire",
            "Pour les constructions nouvelles et les extensions importantes.",
            "## Déposer en ligne",
            "Les demandes peuvent être déposées par voie électronique sur le guichet "
            "numérique de la commune, à toute heure.",
        ],
    ),
    "dossier-subvention": (
        "Demande de subvention : notice pour les associations",
        [
            "Les associations gréasquéennes peuvent solliciter une subvention de "
            "fonctionnement ou une aide pour un projet.",
            "## Constituer le dossier",
            "Utilisez le formulaire Cerfa n° 12156 et joignez les statuts, la composition "
            "du bureau, le dernier rapport d'activité, les comptes approuvés du dernier "
            "exercice et le budget prévisionnel.",
            "## Calendrier",
            "Les dossiers sont étudiés par la commission vie associative, puis les "
            "subventions sont votées par le conseil municipal lors du vote du budget.",
        ],
    ),
    "schema-accessibilite": (
        "Schéma pluriannuel de mise en accessibilité numérique",
        [
            "Ce schéma présente la politique de la commune pour rendre ses services "
            "numériques accessibles à tous, sur trois ans.",
            "## Organisation",
            "Un référent accessibilité est désigné au service communication. Les agents qui "
            "publient des contenus sont formés à la rédaction de contenus accessibles.",
            "## Plan d'actions",
            "Première année : corriger les non-conformités du site et rendre accessibles "
            "les nouveaux documents PDF. Deuxième année : reprendre les documents les plus "
            "consultés. Troisième année : nouvel audit de conformité.",
        ],
    ),
}

NEWS_CATEGORIES = [
    ("Vie municipale", "vie-municipale"),
    ("Travaux", "travaux"),
    ("Enfance", "enfance"),
    ("Culture", "culture"),
    ("Environnement", "environnement"),
    ("Solidarité", "solidarite"),
]

EVENT_CATEGORIES = [
    ("Culture", "culture"),
    ("Sport", "sport"),
    ("Fête", "fete"),
    ("Patrimoine", "patrimoine"),
    ("Marché", "marche"),
]

HOME = {
    "title": "Accueil",
    "slug": "accueil",
    "hero_title": "Bienvenue à Gréasque",
    "hero_text": (
        "Village provençal entre Aix-en-Provence et Marseille, fier de son passé minier. "
        "Démarches, actualités, agenda : la mairie à portée de main."
    ),
    "hero_image": "village",
    "summary": (
        "Le site de la commune de Gréasque : démarches, actualités, agenda, conseils "
        "municipaux et actes."
    ),
    "welcome": (
        "<p>Bienvenue sur le site de la commune. Vous y trouverez les <b>démarches</b> "
        "les plus demandées, l'<b>agenda</b> des manifestations et les décisions du "
        'conseil municipal. Une question ? <a href="page:contact">Écrivez-nous</a>, '
        "le bon service vous répond.</p>"
    ),
    # (label, icon, page slug)
    "quick_links": [
        ("Rendez-vous passeport / CNI", "calendar", "/reservations/passeports-cartes-identite/"),
        ("Démarches en ligne", "document", "/demarches/"),
        ("Réserver un court, une salle", "calendar", "/reservations/"),
        ("Cantine & périscolaire", "school", "enfance-jeunesse"),
        ("Agenda", "calendar", "agenda"),
        ("Nous contacter", "phone", "contact"),
        ("Alertes et risques", "alert", "securite"),
        ("Déchets & débroussaillement", "bin", "environnement"),
    ],
}

# (label, page slug, show_children)
MAIN_MENU = [
    ("Mairie & services", "mairie-services", True),
    ("Actualités", "actualites", False),
    ("Agenda", "agenda", False),
    ("Conseils & actes", "conseils-municipaux", False),
    ("Registre des actes", "registre-des-actes", False),
    ("Publications", "bulletin-municipal", False),
    ("Contact", "contact", False),
]

FOOTER_TEXT = (
    "Gréasque, village provençal du bassin minier, commune de la Métropole "
    "Aix-Marseille-Provence. Ce site fonctionne avec Parvis, un logiciel libre."
)

# (label, page slug); the footer adds the accessibility statement with its status itself.
FOOTER_LINKS = [
    ("Mentions légales", "mentions-legales"),
    ("Données personnelles", "donnees-personnelles"),
    ("Plan du site", "plan-du-site"),
    ("Registre des actes", "registre-des-actes"),
    ("Nous contacter", "contact"),
]

ALERT = {
    "title": "Risque incendie : accès aux massifs réglementé",
    "message": (
        "Le risque d'incendie est élevé. L'accès aux massifs forestiers de la commune est "
        "réglementé et tout emploi du feu est interdit. Consultez la carte d'accès aux "
        "massifs avant toute sortie."
    ),
    "page": "environnement",
}

CONTACT = {
    "title": "Nous contacter",
    "slug": "contact",
    "summary": "Écrivez au service concerné : votre message lui est transmis directement.",
    "intro": (
        "Choisissez le service concerné et décrivez votre demande : elle lui est transmise "
        "directement et vous recevez une réponse par e-mail. Pour une urgence, appelez le "
        "17 (police), le 18 (pompiers), le 15 (SAMU) ou le 112."
    ),
    "recipients": [
        ("Accueil de la mairie", "accueil@example.org"),
        ("État civil", "etat-civil@example.org"),
        ("Urbanisme", "urbanisme@example.org"),
        ("Services techniques", "services-techniques@example.org"),
        ("Enfance-jeunesse", "enfance@example.org"),
    ],
}
