"""The Nu HTML checker finds no errors in any covered page's HTML as the server sends it."""

import urllib.error
import urllib.request

from browserkit import vnu_errors
from test_browser_pages import PAGES


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:  # the 404 page is checked too
        return error.read().decode("utf-8")


def test_every_covered_page_is_valid_html(site, tmp_path):
    documents = {}
    for name in PAGES:
        documents[name] = fetch(site.url(name))
    assert {"home", "article", "category", "writer", "tag", "404"} <= documents.keys()
    errors = vnu_errors(documents, tmp_path)
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)
