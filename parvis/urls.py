from django.conf import settings
from django.urls import include, path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from parvis.api.api import api
from parvis.cms import views as cms_views
from parvis.core import views as core_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("comptes/", include("parvis.accounts.urls")),
    path("recherche/", cms_views.search, name="search"),
    path("annuaire/", include("parvis.directory.urls")),
    path("opendata/", include("parvis.opendata.urls")),
    path("api/", api.urls),
    path("paiement/", include("parvis.payments.urls")),
    path("lettre/", include("parvis.newsletter.urls")),
    path("reservations/", include("parvis.bookings.urls")),
    path("demarches/", include("parvis.procedures.urls")),
    path("widgets/", include("parvis.directory.urls_widgets")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("theme.css", core_views.theme_css, name="theme_css"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "parvis.cms.views.page_not_found"
handler500 = "parvis.cms.views.server_error"
