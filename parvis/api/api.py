"""The public HTTP API of Parvis (django-ninja), documented by OpenAPI at ``/api/docs``.

Routers live beside the apps they serve and only call selectors.
"""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

api = NinjaAPI(
    title="Parvis",
    version="1.0.0",
    description=str(_("Données publiques de la commune : lieux, horaires, état d'ouverture.")),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
