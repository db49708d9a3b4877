"""CSV downloads: no text cell a spreadsheet could run as a formula, and a
Content-Type a strict client can read."""
import csv
import io

import pytest

from server.extensions import db
from server.models import Role
from server.services.reporting.exports import TABLES, Table
from server.services.reporting.exports_csv import stream
from tests.factories import make_user


def read(table: Table) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(stream(table)).removeprefix("\ufeff"), newline="")))


def test_only_text_a_spreadsheet_would_read_as_a_formula_gets_a_leading_quote():
    typed = ["=1+2", "+1", "-1", "@SUM(A1)", "\t=cmd|' /C calc'!A0", "\r=cmd|' /C calc'!A0"]
    kept = ["Phường Ba Đình", " =1", "a\t=1", "", -5, 2.5]
    table = Table(name="t", title="T", header=["value"], rows=lambda: iter([[value] for value in typed + kept]))
    assert [row[0] for row in read(table)[1:]] == (["'" + text for text in typed]
                                                   + ["Phường Ba Đình", " =1", "a\t=1", "", "-5", "2.5"])


def csv_urls(app) -> list[str]:
    """Every CSV download the app serves: each rule ending in .csv, with each value of its `any` part."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.endswith(".csv"):
            continue
        if not rule._converters:  # one file, e.g. the audit trail
            urls.append(adapter.build(rule.endpoint, {}))
            continue
        [(name, converter)] = rule._converters.items()
        urls += [adapter.build(rule.endpoint, {name: value}) for value in sorted(converter.items)]
    return urls


def test_every_csv_download_names_one_charset(app, client, auth):
    with app.app_context():
        make_user(Role.ADMIN, username="admin")
        db.session.commit()
    auth.login("admin")
    urls = csv_urls(app)
    assert len(urls) >= len(TABLES)
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url
