"""Accessibility checks for the browser tests: axe-core against WCAG 2.1 A and AA.

`assert_accessible(page, context="…")` runs axe on the page as it is now and
fails with one line per violation (rule, impact, element, what it asks for).
The step helpers in field_steps.py call it after every screen they open, and
test_accessibility.py walks the website's main pages with it.
"""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def violations(page: Page) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A/AA on the page as it is drawn now."""
    # label-content-name-mismatch (WCAG 2.5.3, level A) is tagged experimental by
    # axe-core and off unless named: a control's name must contain its visible text.
    options = {"runOnly": {"type": "tag", "values": WCAG21_AA}, "resultTypes": ["violations"],
               "rules": {"label-content-name-mismatch": {"enabled": True}}}
    return _axe.run(page, options=options).response["violations"]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"- {v['id']} ({node.get('impact') or v.get('impact')}) at {target}: {v['help']}")
    return "\n".join(lines)


def assert_accessible(page: Page, context: str = "") -> None:
    """Fail listing every WCAG 2.1 A/AA violation axe-core finds on the page."""
    found = violations(page)
    assert not found, f"Accessibility violations on {context or page.url}:\n{describe(found)}"
