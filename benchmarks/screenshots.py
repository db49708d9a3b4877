"""Screenshots of the lead workspace for a look by eye (not a test): the dashboard
on a phone (390×844) and a desktop, the plan form and the export page.

Serves a throwaway instance with 3,000 generated inspections on a local port
and drives the system Chromium; PNGs go to benchmarks/out/.

    .venv/bin/python benchmarks/screenshots.py
"""
from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.security import generate_password_hash
    from werkzeug.serving import make_server

    from benchmarks.reportdata import generate
    from server import create_app
    from server.extensions import db
    from server.models import User

    tmp = Path(tempfile.mkdtemp(prefix="kiemtra-shots-"))
    app = create_app({"SECRET_KEY": "shots", "INSTANCE_PATH": str(tmp / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shots.db'}", "UPLOAD_FOLDER": str(tmp / "up")})
    with app.app_context():
        db.create_all()
        generate(3000, n_units=60, with_answers=False, progress=lambda m: None)
        db.session.query(User).filter_by(username="lead").one().password_hash = generate_password_hash("pw")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        for name, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 900})):
            page = browser.new_page(viewport=viewport)
            page.goto(base + "/login")
            page.fill("input[name=username]", "lead")
            page.fill("input[name=password]", "pw")
            page.press("input[name=password]", "Enter")
            page.wait_for_url(base + "/")
            for path, shot in (("/dashboard", "dashboard"), ("/plans/new", "plan-form"), ("/exports", "exports"),
                               ("/plans/1", "plan")):
                page.goto(base + path)
                page.screenshot(path=str(OUT / f"{shot}-{name}.png"), full_page=True)
            page.close()
        browser.close()
    server.shutdown()
    print("screenshots in", OUT.relative_to(ROOT))


if __name__ == "__main__":
    main()
