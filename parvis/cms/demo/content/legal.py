"""Legal notice, privacy policy, accessibility statement and site map."""

LEGAL_NOTICE = {
    "slug": "mentions-legales",
    "title": "Mentions légales",
    "summary": "Éditeur, directeur de la publication, hébergement et réutilisation des contenus.",
    "body": (
        "<h2>Éditeur du site</h2>"
        "<p>Commune de Gréasque<br/>Hôtel de ville, 1 place de la Mairie, 13850 Gréasque"
        "<br/>Téléphone : 01 99 00 13 50 — courriel : mairie@example.org</p>"
        "<h2>Directeur de la publication</h2>"
        "<p>Le maire de Gréasque.</p>"
        "<h2>Hébergement</h2>"
        "<p>Exemple Hébergement, 1 rue de l'Exemple, 75000 Paris (hébergeur fictif de la "
        "démonstration). Les données sont hébergées dans l'Union européenne.</p>"
        "<h2>Logiciel</h2>"
        "<p>Ce site fonctionne avec Parvis, logiciel libre publié sous licence AGPL-3.0 ou "
        "ultérieure : son code source est public et peut être réutilisé par d'autres "
        "collectivités.</p>"
        "<h2>Réutilisation des contenus</h2>"
        "<p>Sauf mention contraire, les textes de ce site sont réutilisables librement sous "
        "Licence Ouverte (Etalab 2.0), à condition de mentionner leur source. Les "
        "illustrations ont été créées pour la commune.</p>"
        "<h2>Liens vers d'autres sites</h2>"
        "<p>La commune n'est pas responsable du contenu des sites vers lesquels ce site "
        "renvoie.</p>"
    ),
}

PRIVACY = {
    "slug": "donnees-personnelles",
    "title": "Politique de confidentialité",
    "summary": "Quelles données la commune traite sur ce site, pourquoi, combien de temps, et "
    "vos droits.",
    "body": (
        "<h2>Responsable du traitement</h2>"
        "<p>La commune de Gréasque, représentée par son maire, est responsable des "
        "traitements de données personnelles réalisés sur ce site. Vous pouvez joindre le "
        "délégué à la protection des données à l'adresse dpo@example.org.</p>"
        "<h2>Données traitées</h2>"
        "<ul><li><b>Formulaire de contact</b> : nom, adresse électronique, téléphone "
        "(facultatif), objet et message, transmis au service que vous choisissez et "
        "conservés un an.</li>"
        "<li><b>Compte citoyen</b> : adresse électronique, nom et mot de passe (enregistré "
        "sous une forme chiffrée irréversible), conservés tant que le compte est actif.</li>"
        "<li><b>Journaux de sécurité</b> : adresse IP et date des connexions, conservés "
        "pour détecter les attaques.</li></ul>"
        "<p>Ces traitements sont nécessaires à l'exécution des missions de service public "
        "de la commune (article 6-1-e du règlement général sur la protection des "
        "données).</p>"
        "<h2>Cookies et mesure d'audience</h2>"
        "<p>Ce site ne dépose aucun cookie publicitaire ni traceur. Seuls des cookies "
        "techniques, strictement nécessaires (session de connexion, protection des "
        "formulaires), sont utilisés : ils ne demandent pas votre consentement. La mesure "
        "d'audience est anonyme et se fait sans cookie.</p>"
        "<h2>Destinataires</h2>"
        "<p>Seuls les agents habilités des services concernés ont accès à vos données. "
        "Elles ne sont ni vendues ni cédées.</p>"
        "<h2>Vos droits</h2>"
        "<p>Vous disposez d'un droit d'accès, de rectification, d'effacement, de limitation "
        "et d'opposition sur vos données. Pour les exercer, écrivez à dpo@example.org ou "
        "par courrier à la mairie. Si vous estimez, après nous avoir contactés, que vos "
        "droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL "
        "(www.cnil.fr).</p>"
    ),
}

ACCESSIBILITY = {
    "slug": "accessibilite",
    "title": "Accessibilité : partiellement conforme",
    "summary": "Déclaration d'accessibilité du site de la commune (RGAA 4.1).",
    "entity": "Mairie de Gréasque",
    "compliance_rate": "78.50",
    "audit_days_ago": 40,
    "audit_by": "Audit interne du service communication",
    "technologies": "HTML5, CSS, JavaScript",
    "contact_email": "accessibilite@example.org",
    "non_compliant": (
        "<h3>Non-conformités</h3>"
        "<ul><li>Certains documents PDF anciens ne sont pas balisés et ne peuvent pas être "
        "lus correctement par un lecteur d'écran.</li>"
        "<li>Quelques images des anciens numéros du bulletin municipal n'ont pas d'alternative "
        "textuelle.</li>"
        "<li>Certains tableaux de tarifs publiés en image ne sont pas disponibles en "
        "texte.</li></ul>"
        "<h3>Dérogations pour charge disproportionnée</h3>"
        "<p>Aucune.</p>"
        "<h3>Contenus non soumis à l'obligation d'accessibilité</h3>"
        "<p>Les documents bureautiques publiés avant le 23 septembre 2018.</p>"
    ),
    "body": (
        "<h2>Retour d'information et contact</h2>"
        "<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez-nous "
        "pour être orienté vers une alternative accessible ou obtenir le contenu sous une "
        "autre forme.</p>"
        "<h2>Voies de recours</h2>"
        "<p>Si vous nous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à "
        "un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, "
        "vous pouvez écrire au Défenseur des droits (formulaire en ligne), contacter son "
        "délégué dans votre département ou envoyer un courrier gratuit, sans timbre, à : "
        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</p>"
    ),
}

SITEMAP = {
    "slug": "plan-du-site",
    "title": "Plan du site",
    "summary": "Toutes les rubriques du site de la commune.",
}
