"""The "Mairie & services" section: one StandardPage per service, built from blocks."""

from . import call_to_action, document, faq, heading, image, paragraph, quote, table

SECTION = {
    "slug": "mairie-services",
    "title": "Mairie & services",
    "summary": "Horaires, contacts et démarches : tous les services de la mairie de Gréasque.",
    "body": [
        paragraph(
            "<p>La mairie vous accueille à l'hôtel de ville, place de la Mairie, du lundi au "
            "vendredi de 8 h 30 à 12 h et de 13 h 30 à 17 h, et le samedi de 9 h à 12 h pour "
            "l'état civil. Beaucoup de démarches se font aussi en ligne, à toute heure : "
            'consultez la page <a href="page:demarches">Démarches en ligne</a>.</p>'
        ),
        image(
            "mairie",
            "La façade de l'hôtel de ville avec ses drapeaux.",
            "L'hôtel de ville, place de la Mairie.",
        ),
        table(
            "Les services municipaux et leurs coordonnées",
            [
                ["Service", "Pour quoi faire ?", "Téléphone"],
                ["Accueil", "Orientation, attestations, objets trouvés", "01 99 00 13 50"],
                ["État civil", "Identité, naissance, mariage, PACS, décès", "01 99 00 13 51"],
                ["Urbanisme", "Permis, déclarations préalables, certificats", "01 99 00 13 52"],
                ["Enfance-jeunesse", "Cantine, périscolaire, centre de loisirs", "01 99 00 13 53"],
                ["Services techniques", "Voirie, éclairage, espaces verts", "01 99 00 13 54"],
                ["Police municipale", "Tranquillité publique, circulation", "01 99 00 13 55"],
                ["CCAS", "Aide sociale, personnes âgées, logement", "01 99 00 13 56"],
            ],
            first_col_is_header=True,
        ),
        call_to_action(
            "Une question pour un service ?",
            "Écrire à la mairie",
            text="Votre message est transmis directement au service concerné.",
            page="contact",
        ),
        call_to_action(
            "Les décisions de la commune",
            "Consulter le registre des actes",
            text="Délibérations du conseil municipal, arrêtés et décisions du maire.",
            page="registre-des-actes",
        ),
    ],
}

SERVICES = [
    {
        "slug": "demarches",
        "title": "Démarches en ligne",
        "summary": "Les démarches les plus demandées, en ligne ou en mairie, et où les faire.",
        "section_group": False,
        "body": [
            paragraph(
                "<p>Beaucoup de démarches administratives se font désormais en ligne, sur les "
                "sites officiels de l'État ou sur ce site. Quand un rendez-vous en mairie est "
                "nécessaire, prenez-le en ligne pour éviter l'attente.</p>"
            ),
            table(
                "Où faire les démarches les plus courantes",
                [
                    ["Démarche", "Où ?"],
                    ["Carte d'identité, passeport", "Pré-demande en ligne, puis rendez-vous"],
                    ["Acte de naissance, de mariage, de décès", "En ligne ou en mairie"],
                    ["Inscription sur les listes électorales", "En ligne ou en mairie"],
                    ["Recensement citoyen à 16 ans", "En ligne ou en mairie"],
                    ["Permis de construire, déclaration préalable", "Guichet numérique"],
                    ["Inscription à la cantine et au périscolaire", "Espace famille"],
                ],
            ),
            call_to_action(
                "Toutes les démarches de l'administration",
                "Aller sur service-public.fr",
                text="Le site officiel de l'administration française.",
                url="https://www.service-public.fr/",
            ),
            faq(
                "Questions fréquentes",
                [
                    (
                        "Jusqu'à quand puis-je m'inscrire sur les listes électorales ?",
                        "<p>Jusqu'au sixième vendredi précédant un scrutin. L'inscription "
                        "est automatique à 18 ans si vous avez fait votre recensement "
                        "citoyen.</p>",
                    ),
                    (
                        "Je viens d'emménager, que dois-je faire ?",
                        "<p>Présentez-vous à l'accueil de la mairie : on vous remettra le "
                        "livret d'accueil et on vous orientera pour l'école, les listes "
                        "électorales et la collecte des déchets.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "etat-civil",
        "title": "État civil",
        "summary": (
            "Carte d'identité et passeport sur rendez-vous, naissance, mariage, PACS, décès, "
            "recensement citoyen."
        ),
        "body": [
            paragraph(
                "<p>Le service état civil enregistre les naissances, mariages, PACS et décès "
                "survenus à Gréasque, délivre les copies et extraits d'actes et reçoit, sur "
                "rendez-vous, les demandes de cartes d'identité et de passeports.</p>"
            ),
            heading("Carte d'identité et passeport"),
            paragraph(
                "<p>La mairie est équipée d'un dispositif de recueil : vous pouvez y déposer "
                "votre demande, quelle que soit votre commune de résidence.</p>"
                "<ol><li>Faites votre <b>pré-demande en ligne</b> sur le site de l'Agence "
                "nationale des titres sécurisés et notez son numéro.</li>"
                "<li>Prenez <b>rendez-vous</b> en mairie.</li>"
                "<li>Venez avec le numéro de pré-demande, une photo d'identité récente, un "
                "justificatif de domicile et, le cas échéant, votre ancien titre.</li>"
                "<li>Retirez votre titre en mairie quand vous recevez le SMS de mise à "
                "disposition.</li></ol>"
                "<p>Le passeport est valable dix ans pour un majeur et cinq ans pour un "
                "mineur. La présence du demandeur est obligatoire au dépôt, y compris pour "
                "un mineur, accompagné de son représentant légal.</p>"
            ),
            call_to_action(
                "Pré-demande de carte d'identité ou de passeport",
                "Faire ma pré-demande",
                text="Sur le site officiel de l'Agence nationale des titres sécurisés.",
                url="https://ants.gouv.fr/",
            ),
            heading("Naissance, mariage, PACS, décès"),
            paragraph(
                "<p>Une <b>naissance</b> se déclare dans les cinq jours qui suivent "
                "l'accouchement, à la mairie du lieu de naissance. Un <b>décès</b> se déclare "
                "dans les 24 heures ; les entreprises de pompes funèbres s'en chargent le "
                "plus souvent. Le <b>PACS</b> s'enregistre en mairie ou chez un notaire, sur "
                "rendez-vous.</p>"
            ),
            document("dossier-mariage", "Mariage : liste des pièces à fournir"),
            faq(
                "Questions fréquentes",
                [
                    (
                        "Comment obtenir une copie de mon acte de naissance ?",
                        "<p>Adressez la demande à la mairie de votre lieu de naissance, en "
                        "ligne ou par courrier. La délivrance est gratuite. Pour une "
                        "naissance à l'étranger, adressez-vous au service central d'état "
                        "civil de Nantes.</p>",
                    ),
                    (
                        "Mon enfant a 16 ans : que doit-il faire ?",
                        "<p>Se faire recenser dans les trois mois qui suivent son "
                        "anniversaire, en ligne ou en mairie. L'attestation de recensement "
                        "est demandée pour s'inscrire aux examens et au permis de "
                        "conduire.</p>",
                    ),
                    (
                        "Puis-je faire légaliser une signature ?",
                        "<p>Oui, en vous présentant en personne à l'accueil avec une pièce "
                        "d'identité et le document à signer devant l'agent.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "urbanisme",
        "title": "Urbanisme",
        "summary": "Permis de construire, déclaration préalable, certificat d'urbanisme.",
        "body": [
            paragraph(
                "<p>Le service urbanisme vous renseigne sur les règles applicables à votre "
                "terrain, reçoit les demandes d'autorisation et les transmet au service "
                "instructeur. Le document d'urbanisme en vigueur est consultable en mairie et "
                "sur le Géoportail de l'urbanisme.</p>"
            ),
            heading("Quelle autorisation pour vos travaux ?"),
            table(
                "Délais d'instruction de droit commun (hors consultations particulières)",
                [
                    ["Autorisation", "Pour quels travaux ?", "Délai d'instruction"],
                    ["Déclaration préalable", "Petite extension, abri, clôture, piscine", "1 mois"],
                    ["Permis de construire (maison individuelle)", "Maison, extension", "2 mois"],
                    ["Permis de construire (autres cas)", "Autres constructions", "3 mois"],
                    ["Permis d'aménager", "Lotissement, aménagement", "3 mois"],
                    ["Permis de démolir", "Démolition totale ou partielle", "2 mois"],
                ],
            ),
            paragraph(
                "<p>Le délai peut être allongé, notamment quand le projet se situe dans le "
                "périmètre d'un monument historique : l'avis de l'architecte des Bâtiments de "
                "France est alors requis. Le délai court à partir de la réception d'un dossier "
                "complet.</p>"
                "<p>Une fois l'autorisation obtenue, affichez-la sur le terrain, de manière "
                "visible depuis la voie publique, pendant toute la durée du chantier : le "
                "délai de recours des tiers, de deux mois, court à partir de cet "
                "affichage.</p>"
            ),
            document("guide-urbanisme", "Guide des autorisations d'urbanisme"),
            faq(
                "Questions fréquentes",
                [
                    (
                        "Puis-je déposer ma demande en ligne ?",
                        "<p>Oui : les demandes d'autorisation d'urbanisme peuvent être "
                        "déposées sur le guichet numérique, à toute heure, sans imprimer "
                        "de dossier.</p>",
                    ),
                    (
                        "Mon terrain est-il soumis au débroussaillement ?",
                        '<p>Très probablement. Consultez la page <a href="page:environnement">'
                        "Environnement</a> : les obligations de débroussaillement "
                        "s'appliquent aussi aux projets de construction.</p>",
                    ),
                ],
            ),
            call_to_action(
                "Un projet de travaux ?",
                "Contacter le service urbanisme",
                text="Le service vous reçoit sur rendez-vous pour étudier votre projet.",
                page="contact",
            ),
        ],
    },
    {
        "slug": "enfance-jeunesse",
        "title": "Enfance-jeunesse",
        "summary": "Écoles, restauration scolaire, accueils périscolaires et centre de loisirs.",
        "body": [
            paragraph(
                "<p>La commune accueille les enfants à l'école maternelle et à l'école "
                "élémentaire, sert chaque midi des repas préparés avec des produits de "
                "saison, et organise l'accueil du matin et du soir, les mercredis et les "
                "vacances au centre de loisirs.</p>"
            ),
            image(
                "ecole",
                "Le bâtiment de l'école et sa cour.",
                "Le groupe scolaire, rénové pour mieux isoler les classes.",
            ),
            heading("Restauration scolaire"),
            paragraph(
                "<p>Les menus sont établis avec une diététicienne et affichés chaque semaine. "
                "Un repas végétarien est proposé au moins une fois par semaine. Les enfants "
                "qui suivent un régime médical sont accueillis dans le cadre d'un projet "
                "d'accueil individualisé.</p>"
            ),
            table(
                "Tarifs indicatifs par repas et par séance, selon le quotient familial",
                [
                    ["Quotient familial", "Repas", "Accueil du matin", "Accueil du soir"],
                    ["Moins de 600 €", "1,20 €", "0,80 €", "1,00 €"],
                    ["De 600 à 1 200 €", "2,80 €", "1,20 €", "1,60 €"],
                    ["Plus de 1 200 €", "3,90 €", "1,50 €", "2,00 €"],
                ],
            ),
            heading("Accueil périscolaire et centre de loisirs"),
            paragraph(
                "<p>L'accueil périscolaire fonctionne les jours d'école de 7 h 30 à 8 h 20 et "
                "de 16 h 30 à 18 h 30. Le centre de loisirs accueille les enfants de 3 à 11 "
                "ans les mercredis et pendant les vacances scolaires, à la journée ou à la "
                "demi-journée.</p>"
            ),
            document("reglement-periscolaire", "Règlement intérieur des temps périscolaires"),
            call_to_action(
                "Inscrire mon enfant",
                "Contacter le service Enfance-jeunesse",
                text="Inscriptions à la cantine, au périscolaire et au centre de loisirs.",
                page="contact",
            ),
            faq(
                "Questions fréquentes",
                [
                    (
                        "Comment annuler un repas ?",
                        "<p>Depuis l'espace famille, au plus tard la veille à 10 h. En cas "
                        "de maladie, le repas n'est pas facturé sur présentation d'un "
                        "justificatif.</p>",
                    ),
                    (
                        "Comment est calculé mon quotient familial ?",
                        "<p>C'est celui que calcule la caisse d'allocations familiales. "
                        "Sans justificatif, le tarif le plus élevé s'applique.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "vie-associative",
        "title": "Vie associative",
        "summary": "Subventions, prêt de salles et de matériel, forum des associations.",
        "body": [
            paragraph(
                "<p>Sport, culture, solidarité, mémoire de la mine : les associations font "
                "vivre le village. La commune les soutient par des subventions, le prêt de "
                "salles et de matériel, et un forum qui permet à chacun de les découvrir.</p>"
            ),
            heading("Demander une subvention"),
            paragraph(
                "<p>Les demandes se font avec le formulaire Cerfa n° 12156, accompagné des "
                "pièces listées dans la notice. Les subventions sont votées par le conseil "
                "municipal avec le budget.</p>"
            ),
            document("dossier-subvention", "Demande de subvention : notice"),
            heading("Réserver une salle"),
            table(
                "Salles municipales prêtées aux associations",
                [
                    ["Salle", "Capacité", "Usages"],
                    ["Salle des fêtes", "250 personnes", "Spectacles, lotos, repas"],
                    ["Salle polyvalente", "80 personnes", "Réunions, assemblées générales"],
                    ["Salle du Centre minier", "60 personnes", "Conférences, expositions"],
                ],
            ),
            quote(
                "Le forum, c'est là qu'on rencontre les nouveaux habitants : beaucoup "
                "deviennent bénévoles l'année suivante.",
                "Une bénévole du comité des fêtes",
            ),
            call_to_action(
                "Une question sur la vie associative ?",
                "Écrire à l'accueil",
                page="contact",
            ),
        ],
    },
    {
        "slug": "culture-patrimoine",
        "title": "Culture & patrimoine",
        "summary": (
            "Le puits Hély d'Oissel, le musée de la mine et l'histoire du charbon de Provence."
        ),
        "body": [
            paragraph(
                "<p>Gréasque a grandi avec la mine. Pendant des siècles, le lignite du bassin "
                "de Provence a été extrait sous les collines entre Aix-en-Provence et "
                "Marseille. Le village en garde un monument, le chevalement du puits Hély "
                "d'Oissel, et un musée qui raconte le travail et la vie des mineurs.</p>"
            ),
            image(
                "chevalement",
                "Le chevalement métallique du puits, ses deux molettes au sommet.",
                "Le chevalement du puits Hély d'Oissel, inscrit aux monuments historiques.",
            ),
            heading("Le puits Hély d'Oissel"),
            paragraph(
                "<p>Le puits porte le nom de l'ingénieur qui en a dirigé le creusement, "
                "commencé en 1912. Profond d'environ 455 mètres, il a été équipé d'un "
                "chevalement métallique en 1917, mais de fortes venues d'eau ont retardé sa "
                "mise en service jusqu'au début des années 1920. L'extraction s'y est "
                "arrêtée en 1960.</p>"
                "<p>Le chevalement, haut d'environ 25 mètres jusqu'à l'axe de ses molettes, "
                "et le bâtiment de la machine d'extraction ont été inscrits au titre des "
                "monuments historiques en 1989.</p>"
            ),
            heading("Le musée de la mine"),
            paragraph(
                "<p>Installé sur le carreau du puits, au Centre minier, le musée présente les "
                "engins utilisés au fond, la salle des machines et son tambour "
                "d'enroulement, des maquettes, une salle consacrée à la géologie du bassin et "
                "une galerie reconstituée. Des bénévoles, dont d'anciens mineurs, y "
                "accueillent les visiteurs et les classes.</p>"
            ),
            image(
                "musee",
                "",
                "Le carreau de la mine et ses berlines.",
            ),
            heading("Le charbon de Provence"),
            paragraph(
                "<p>Le bassin minier de Provence exploitait une couche de lignite connue "
                "depuis le Moyen Âge. L'exploitation est devenue industrielle au XIXe "
                "siècle ; une longue galerie creusée jusqu'à la mer, à Marseille, a permis "
                "d'évacuer les eaux qui envahissaient les travaux. Nationalisées après la "
                "Seconde Guerre mondiale, les mines du bassin ont fermé les unes après les "
                "autres ; la dernière, à Gardanne, a cessé l'extraction en 2003.</p>"
            ),
            quote(
                "Au fond, on ne travaillait jamais seul : la sécurité de chacun dépendait "
                "de celle des autres.",
                "Un ancien mineur du bassin, lors d'une visite du musée",
            ),
            call_to_action(
                "Visites, conférences et fêtes",
                "Voir l'agenda",
                text="Visites commentées du musée et rendez-vous autour du patrimoine minier.",
                page="agenda",
            ),
        ],
    },
    {
        "slug": "environnement",
        "title": "Environnement",
        "summary": (
            "Prévention des incendies de forêt, obligations légales de débroussaillement, "
            "emploi du feu, déchets."
        ),
        "body": [
            paragraph(
                "<p>Pinèdes, garrigues et collines entourent le village. Ce patrimoine "
                "naturel est aussi un risque : chaque été, un départ de feu peut menacer les "
                "maisons. La prévention repose sur chacun.</p>"
            ),
            heading("Obligations légales de débroussaillement (OLD)"),
            paragraph(
                "<p>Si votre terrain est situé dans un bois, une forêt ou une garrigue, ou à "
                "moins de 200 mètres de ces espaces, vous devez <b>débroussailler et "
                "maintenir débroussaillé un rayon de 50 mètres autour de votre maison</b> "
                "et de toute construction, même si cette zone déborde sur le terrain "
                "voisin, ainsi que les abords de votre chemin d'accès. En zone urbaine du "
                "document d'urbanisme, l'obligation s'applique à tout le terrain.</p>"
                "<p>Débroussailler, ce n'est pas raser : on supprime les broussailles et le "
                "bois mort, on élague les arbres et on espace leurs houppiers pour que le feu "
                "ne puisse pas passer d'un arbre à l'autre.</p>"
            ),
            image(
                "debroussaillement",
                "Une maison entourée d'une zone débroussaillée, la pinède à distance.",
                "Une maison bien débroussaillée est aussi le meilleur abri en cas d'incendie.",
            ),
            document("guide-old", "Guide du débroussaillement"),
            heading("Emploi du feu et accès aux massifs"),
            paragraph(
                "<p>Le brûlage des déchets verts est interdit. L'emploi du feu est encadré par "
                "arrêté préfectoral : il est interdit pendant la période estivale et par vent "
                "fort. En été, l'accès aux massifs forestiers est réglementé selon le niveau "
                "de danger, publié chaque soir pour le lendemain par la préfecture ; le maire "
                "peut en outre interdire l'accès aux massifs de la commune par arrêté.</p>"
            ),
            faq(
                "Questions fréquentes sur le débroussaillement",
                [
                    (
                        "Qui doit débroussailler ?",
                        "<p>Le propriétaire de la construction, ou son locataire s'il en est "
                        "convenu. Si les 50 mètres débordent chez un voisin, c'est toujours "
                        "à vous de débroussailler, après l'en avoir informé.</p>",
                    ),
                    (
                        "Que faire des végétaux coupés ?",
                        "<p>Broyez-les pour pailler, compostez-les ou apportez-les en "
                        "déchetterie. Ne les brûlez pas.</p>",
                    ),
                    (
                        "Que risque-t-on si on ne débroussaille pas ?",
                        "<p>Après une mise en demeure, la commune peut faire réaliser les "
                        "travaux d'office, aux frais du propriétaire, et une amende peut "
                        "être prononcée. Surtout, votre maison est moins bien protégée.</p>",
                    ),
                ],
            ),
            heading("Déchets et encombrants"),
            paragraph(
                "<p>La collecte des déchets ménagers est assurée par la Métropole "
                "Aix-Marseille-Provence. Tous les emballages et tous les papiers vont dans "
                "le bac jaune ; le verre dans les colonnes d'apport volontaire. Les "
                "encombrants sont enlevés sur rendez-vous.</p>"
            ),
            call_to_action(
                "Un dépôt sauvage, un risque dans la colline ?",
                "Le signaler aux services techniques",
                page="contact",
            ),
        ],
    },
    {
        "slug": "securite",
        "title": "Sécurité",
        "summary": "Police municipale, plan communal de sauvegarde, alertes et risques majeurs.",
        "body": [
            paragraph(
                "<p>La sécurité des habitants repose sur la police municipale, sur "
                "l'organisation de la commune face aux crises et sur les bons réflexes de "
                "chacun.</p>"
            ),
            heading("Police municipale"),
            paragraph(
                "<p>Les policiers municipaux veillent à la tranquillité publique, à la "
                "sécurité routière aux abords des écoles et au respect des arrêtés du maire. "
                "Pendant vos absences, inscrivez-vous à l'<b>opération Tranquillité "
                "vacances</b> : des passages sont organisés devant votre domicile.</p>"
            ),
            table(
                "Numéros utiles",
                [
                    ["Service", "Numéro"],
                    ["Police municipale", "01 99 00 13 55"],
                    ["Police secours", "17"],
                    ["Pompiers", "18"],
                    ["SAMU", "15"],
                    ["Numéro d'urgence européen", "112"],
                    ["Urgences par SMS (personnes sourdes ou malentendantes)", "114"],
                ],
                first_col_is_header=True,
            ),
            heading("Plan communal de sauvegarde"),
            paragraph(
                "<p>Le plan communal de sauvegarde organise la réponse de la commune en cas "
                "d'événement grave : incendie de forêt, pluies intenses, canicule, accident "
                "de transport de matières dangereuses. Il prévoit l'alerte de la population, "
                "l'hébergement d'urgence et le soutien aux personnes vulnérables.</p>"
            ),
            document("dicrim", "Document d'information communal sur les risques majeurs"),
            heading("Être alerté"),
            paragraph(
                "<p>En cas de danger, vous êtes alerté par FR-Alert sur votre téléphone "
                "portable, par le bandeau en haut de ce site et, si vous vous êtes inscrit, "
                "par SMS. Les personnes âgées, isolées ou handicapées peuvent demander leur "
                'inscription sur le <a href="page:contact">registre communal</a> pour être '
                "contactées en priorité.</p>"
            ),
            faq(
                "Que faire en cas d'incendie de forêt ?",
                [
                    (
                        "Le feu approche de ma maison : dois-je partir ?",
                        "<p>Non, sauf ordre d'évacuation. Une maison débroussaillée est le "
                        "meilleur abri : rentrez, fermez volets, portes et fenêtres, "
                        "bouchez les aérations avec des linges mouillés.</p>",
                    ),
                    (
                        "Je vois un départ de feu : que faire ?",
                        "<p>Appelez immédiatement le 18 ou le 112 en indiquant le lieu "
                        "précis, puis éloignez-vous dos au vent.</p>",
                    ),
                ],
            ),
            call_to_action(
                "Recevoir les alertes par SMS",
                "S'inscrire auprès de l'accueil",
                text="Gratuit ; vos coordonnées ne servent qu'à l'alerte.",
                page="contact",
            ),
        ],
    },
]
