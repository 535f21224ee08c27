"""Events, dated from the day of the first load so that the agenda has upcoming events.

``in_days``: days from that day (negative: past); ``weekday`` (0 = Monday), if set, moves
the date to the next such day; ``start``/``end`` are local times; ``days`` makes the event
last several days; ``all_day`` marks a whole-day event.
"""

from . import call_to_action, faq, paragraph

INDEX = {
    "slug": "agenda",
    "title": "Agenda",
    "summary": "Fêtes, spectacles, marchés, sport et patrimoine : les rendez-vous à Gréasque.",
    "intro": "Les manifestations de la commune et des associations.",
}

EVENTS = [
    {
        "slug": "nettoyage-citoyen-colline",
        "title": "Nettoyage citoyen de la colline",
        "in_days": -9,
        "weekday": 5,
        "start": "09:00",
        "end": "12:00",
        "location": "Départ : parking du Centre minier",
        "price": "Gratuit",
        "category": "fete",
        "image": "collines",
        "summary": "Une matinée pour ramasser les déchets abandonnés dans la colline.",
        "body": [
            paragraph(
                "<p>Gants et sacs sont fournis. Prévoyez de bonnes chaussures et de l'eau. "
                "Un apéritif offert par la commune clôture la matinée.</p>"
            )
        ],
    },
    {
        "slug": "visite-musee-de-la-mine",
        "title": "Visite commentée du musée de la mine",
        "in_days": 3,
        "weekday": 2,
        "start": "14:30",
        "end": "16:30",
        "location": "Centre minier, musée de la mine",
        "price": "5 € ; gratuit pour les moins de 12 ans",
        "category": "patrimoine",
        "image": "musee",
        "summary": (
            "Le carreau, la salle des machines et la galerie reconstituée, racontés par "
            "d'anciens mineurs."
        ),
        "body": [
            paragraph(
                "<p>La visite dure environ deux heures. Elle commence sur le carreau, au pied "
                "du chevalement, et se poursuit dans la salle des machines et la galerie "
                "reconstituée.</p>"
            ),
            faq(
                "Infos pratiques",
                [
                    (
                        "Le musée est-il accessible en fauteuil roulant ?",
                        "<p>Le carreau et la salle des machines sont accessibles ; la "
                        "galerie reconstituée l'est partiellement.</p>",
                    ),
                    (
                        "Faut-il réserver ?",
                        "<p>Non pour les individuels. Les groupes sont priés de prévenir "
                        "le musée.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "marche-paysan",
        "title": "Marché paysan",
        "in_days": 2,
        "weekday": 5,
        "start": "08:00",
        "end": "12:30",
        "location": "Esplanade de la mairie",
        "price": "Entrée libre",
        "category": "marche",
        "image": "marche",
        "summary": "Fruits, légumes, fromages et miel des producteurs du pays d'Aix.",
        "body": [
            paragraph(
                "<p>Une quinzaine de producteurs locaux vendent directement les produits de "
                "leur exploitation. Pensez à apporter vos sacs et paniers.</p>"
            )
        ],
    },
    {
        "slug": "vide-greniers-comite-des-fetes",
        "title": "Vide-greniers du comité des fêtes",
        "in_days": 8,
        "weekday": 6,
        "all_day": True,
        "location": "Boulodrome et parking du Centre minier",
        "price": "Gratuit pour les visiteurs ; emplacement 10 €",
        "registration_url": "https://www.example.org/greasque/vide-greniers",
        "category": "marche",
        "image": "marche",
        "summary": "Plus de cent exposants, buvette et restauration sur place.",
        "body": [
            paragraph(
                "<p>Les exposants particuliers s'inscrivent à l'avance avec une pièce "
                "d'identité. Installation à partir de 6 h ; la vente commence à 8 h.</p>"
            ),
            call_to_action(
                "Exposer au vide-greniers",
                "Réserver un emplacement",
                url="https://www.example.org/greasque/vide-greniers",
            ),
        ],
    },
    {
        "slug": "tournoi-petanque-inter-quartiers",
        "title": "Tournoi de pétanque inter-quartiers",
        "in_days": 12,
        "weekday": 5,
        "start": "14:00",
        "end": "19:00",
        "location": "Boulodrome municipal",
        "price": "5 € par doublette",
        "category": "sport",
        "image": "petanque",
        "summary": "Doublettes formées, ouvert à tous les habitants à partir de 12 ans.",
        "body": [
            paragraph(
                "<p>Inscriptions sur place à partir de 13 h 30. Trophées pour les trois "
                "premières équipes et lots pour tous les participants.</p>"
            )
        ],
    },
    {
        "slug": "concert-harmonie",
        "title": "Concert de l'harmonie municipale",
        "in_days": 20,
        "weekday": 4,
        "start": "20:30",
        "end": "22:30",
        "location": "Salle des fêtes",
        "price": "8 € ; gratuit pour les moins de 16 ans",
        "category": "culture",
        "image": "concert",
        "summary": "Musiques de films et airs provençaux par les musiciens de l'harmonie.",
        "body": [
            paragraph(
                "<p>L'harmonie réunit une quarantaine de musiciens amateurs de tous âges. "
                "Billets en vente à l'accueil de la mairie et sur place le soir du "
                "concert.</p>"
            )
        ],
    },
    {
        "slug": "festival-nuits-du-chevalement",
        "title": "Festival « Les Nuits du Chevalement »",
        "in_days": 33,
        "weekday": 4,
        "days": 2,
        "start": "19:00",
        "end": "23:30",
        "location": "Carreau du Centre minier",
        "price": "Gratuit ; restauration sur place",
        "category": "fete",
        "image": "festival",
        "summary": (
            "Trois soirées de concerts, de spectacles de rue et de projections au pied du "
            "chevalement illuminé."
        ),
        "body": [
            paragraph(
                "<p>Pendant trois soirs, le carreau de la mine devient une scène : concerts, "
                "arts de la rue, projection de films d'archives sur le chevalement. Des "
                "navettes gratuites relient le centre du village au Centre minier.</p>"
            ),
            paragraph(
                "<p>La circulation et le stationnement sont modifiés aux abords du site "
                'pendant le festival : consultez l\'arrêté au <a href="page:registre-des-actes">'
                "registre des actes</a>.</p>"
            ),
        ],
    },
    {
        "slug": "randonnee-traces-des-mineurs",
        "title": "Randonnée « Sur les traces des mineurs »",
        "in_days": 41,
        "weekday": 6,
        "start": "08:30",
        "end": "12:30",
        "location": "Départ : parking du Centre minier",
        "price": "Gratuit, sur inscription",
        "registration_url": "https://www.example.org/greasque/randonnee",
        "category": "sport",
        "image": "randonnee",
        "summary": (
            "Dix kilomètres entre anciens puits et collines, commentés par un guide du musée."
        ),
        "body": [
            paragraph(
                "<p>Parcours de niveau moyen. Chaussures de marche et eau obligatoires. La "
                "sortie a lieu sous réserve des conditions d'accès aux massifs fixées par la "
                "préfecture.</p>"
            )
        ],
    },
    {
        "slug": "theatre-la-veine",
        "title": "Théâtre : « La Veine »",
        "in_days": 55,
        "weekday": 5,
        "start": "20:30",
        "end": "22:15",
        "location": "Salle des fêtes",
        "price": "12 € ; 8 € tarif réduit",
        "category": "culture",
        "image": "concert",
        "summary": "Une troupe amateur du pays d'Aix met en scène la vie d'une famille de mineurs.",
        "body": [
            paragraph(
                "<p>Une création inspirée de témoignages recueillis dans le bassin minier. "
                "Spectacle tout public à partir de 10 ans.</p>"
            )
        ],
    },
    {
        "slug": "loto-des-ecoles",
        "title": "Loto des écoles",
        "in_days": 68,
        "weekday": 6,
        "start": "14:00",
        "end": "18:00",
        "location": "Salle des fêtes",
        "price": "3 € le carton",
        "category": "fete",
        "image": "festival",
        "summary": "Au profit des sorties scolaires des élèves de Gréasque.",
        "body": [
            paragraph(
                "<p>Organisé par les parents d'élèves. Nombreux lots offerts par les "
                "commerçants du village ; buvette et gâteaux maison.</p>"
            )
        ],
    },
    {
        "slug": "conference-charbon-de-provence",
        "title": "Conférence : deux siècles de charbon en Provence",
        "in_days": 88,
        "weekday": 3,
        "start": "18:30",
        "end": "20:00",
        "location": "Centre minier, salle de conférence",
        "price": "Gratuit",
        "category": "patrimoine",
        "image": "chevalement",
        "summary": (
            "De l'exploitation artisanale à la fermeture de la dernière mine, l'histoire du "
            "bassin minier de Provence."
        ),
        "body": [
            paragraph(
                "<p>Une conférence illustrée de documents d'archives et de photographies, "
                "suivie d'un échange avec le public.</p>"
            )
        ],
    },
]
