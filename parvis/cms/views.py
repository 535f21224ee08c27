from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.response import TemplateResponse
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Page

RESULTS_PER_PAGE = 10


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results_page = None
    if query:
        results = Page.objects.live().public().specific().search(query)
        Query.get(query).add_hit()
        results_page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "cms/search.html", {"query": query, "results_page": results_page}
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context on purpose: the failure may lie there.
    return render(None, "500.html", status=500)
