"""The API documentation page (/api/docs) around Swagger UI: in French, with a title, a
main landmark and an introduction pointing to the open-data catalogue, under the strict
Content-Security-Policy (browser check: tests/browser/test_browser_accessibility.py)."""

import re


def test_the_docs_page_is_french_titled_and_introduced(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert re.search(r"<title>Documentation de l(&#x27;|')API publique de la commune</title>", html)
    main = html[html.index("<main") : html.index("</main>")]
    assert re.search(r"<h1>Documentation de l(&#x27;|')API publique</h1>", main)
    assert 'href="/opendata/"' in main
    # Swagger UI is drawn inside the main landmark, from the site's own static files.
    assert 'id="swagger-ui"' in main and 'id="swagger-settings"' in main
    assert "/static/parvis/css/api-docs.css" in html and "/static/parvis/js/api-docs.js" in html
    assert "style=" not in html and "<style" not in html
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp


def test_swagger_ui_draws_no_deep_links_inside_its_buttons(client):
    html = client.get("/api/docs").content.decode()
    settings_json = html.split('id="swagger-settings">', 1)[1].split("</script>", 1)[0]
    assert '"deepLinking": false' in settings_json
    assert '"url": "/api/openapi.json"' in settings_json
