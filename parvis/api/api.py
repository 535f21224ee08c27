"""The public HTTP API of Parvis (django-ninja), documented by OpenAPI at ``/api/docs``.

Routers live beside the apps they serve and only call selectors. The documentation page
is ninja's Swagger UI served from ninja's own static files ('ninja' is in INSTALLED_APPS):
no CDN, and no inline script (its settings travel in a non-executable
``<script type="application/json">`` read by ``ninja/swagger-ui-init.js``), so the site's
strict Content-Security-Policy applies unchanged. The page itself is
``parvis/api/templates/ninja/swagger.html`` (French, landmarks, an introduction, contrast
fixes in ``parvis/css/api-docs.css``); deep links are off because Swagger UI draws them as
links inside each operation's expand button (nested interactive controls).
"""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger

from parvis.bookings.api import router as agendas_router
from parvis.directory.api import router as places_router

api = NinjaAPI(
    title="Parvis",
    version="1.0.0",
    description=str(
        _(
            "Données publiques de la commune : lieux, horaires, état d'ouverture, agendas "
            "de réservation et disponibilités."
        )
    ),
    urls_namespace="api",
    docs_url="/docs",
    docs=Swagger(settings={"deepLinking": False}),
    openapi_url="/openapi.json",
)
api.add_router("/v1/places", places_router)
api.add_router("/v1/agendas", agendas_router)
