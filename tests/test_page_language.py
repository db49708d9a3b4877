"""Every page of the route walk, as every role, reads in one language: in Vietnamese
no stored code shows as a value (announced, in_progress, service_centre...) and no
English text that the catalogue translates is left in English; in English no
Vietnamese translation of the catalogue shows and no code with an underscore."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.language_checks import NEUTRAL, load_catalogue, problems_in_english, problems_in_vietnamese, vietnamese_texts
from tests.portal_world import ROLES
from tests.test_route_walk import requests_to_make, world  # noqa: F401 (the walk's world fixture)

class VisibleText(HTMLParser):
    """The text a person sees: text nodes outside script, style, code, pre and <title> of an SVG."""

    SKIP = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "noscript", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.texts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1
        attrs = dict(attrs)
        # What a control shows as its text.
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])
        for name in ("placeholder", "aria-label", "title", "alt"):
            if attrs.get(name) and not self.depth:
                self.texts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.depth and not NEUTRAL.match(text):
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    return load_catalogue()


def pages(app, client, world):
    """(url, visible texts) of every GET page of the walk that answers 200 with HTML."""
    seen = set()
    for method, url, endpoint in requests_to_make(app, world):
        if method != "GET" or url in seen or endpoint in ("auth.logout", "auth.set_language", "static"):
            continue
        seen.add(url)
        with client.get(url) as response:
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            yield url, visible_texts(response.get_data(as_text=True))


@pytest.mark.parametrize("who", ROLES)
def test_every_page_reads_in_vietnamese_without_codes_or_english(app, client, auth, world, who, catalogue):
    assert auth.login(who).status_code == 302
    client.post("/lang/vi")
    found = [p for url, texts in pages(app, client, world) for p in problems_in_vietnamese(url, texts, catalogue)]
    assert not found, "\n".join(sorted(set(found)))


@pytest.mark.parametrize("who", ROLES)
def test_every_page_reads_in_english_without_vietnamese(app, client, auth, world, who, catalogue):
    assert auth.login(who).status_code == 302
    client.post("/lang/en")
    vietnamese = vietnamese_texts(catalogue)
    found = [p for url, texts in pages(app, client, world) for p in problems_in_english(url, texts, vietnamese)]
    assert not found, "\n".join(sorted(set(found)))


def test_the_checks_catch_a_code_and_an_untranslated_text(catalogue):
    html = "<p>Trạng thái: in_progress</p><p>Save</p><code>announced</code><script>var open</script>"
    texts = visible_texts(html)
    assert texts == ["Trạng thái: in_progress", "Save"]
    problems = problems_in_vietnamese("/x", texts, {"Save": "Lưu"})
    assert len(problems) == 2
    assert problems_in_english("/x", ["Lưu", "Open"], {"Lưu"}) == ["/x: Vietnamese 'Lưu'"]
