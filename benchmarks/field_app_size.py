"""Print the field app's first-load size: the HTML, JS, CSS and message
catalogue a phone downloads to open /app, raw and gzipped (icons aside).

    .venv/bin/python benchmarks/field_app_size.py

Target (BRIEF.md): <= 60 KB gzipped. The browser test
tests/browser/test_field_app.py measures the same in Chromium, and the bytes
uploaded for a 12 MP photo; run it with -s to see both.
"""
from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import create_app  # noqa: E402
from server.views.fieldapp import shell_urls  # noqa: E402

TARGET = 60_000


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "benchmark", "INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        client = app.test_client()
        with app.test_request_context():
            urls = [u for u in shell_urls() if not u.endswith((".png", ".svg", ".webmanifest"))]
        rows = []
        for url in urls:
            with client.get(url) as response:
                body = response.get_data()
            rows.append((url, len(body), len(gzip.compress(body, 9))))
    width = max(len(u) for u, *_ in rows)
    for url, raw, zipped in rows:
        print(f"{url:<{width}}  {raw:>7} B  {zipped:>6} B gz")
    raw_total, zipped_total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'first load':<{width}}  {raw_total:>7} B  {zipped_total:>6} B gz  (target <= {TARGET} B gz)")
    return 0 if zipped_total <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
