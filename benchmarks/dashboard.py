"""Dashboard benchmark: full GET /dashboard requests at 100,000 inspections (generated data).

Target (BRIEF.md): ≤300 ms per request. Each request runs every chart's
query and renders the page, as a signed-in lead; measured for no filter and
for each filter kind, 15 requests each after one warm-up. The generated
database is kept in benchmarks/out/ and reused.

    .venv/bin/python benchmarks/dashboard.py [--inspections 100000] [--database URI]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"
TARGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inspections", type=int, default=100_000)
    parser.add_argument("--database")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    uri = args.database or f"sqlite:///{OUT / f'dashboard-{args.inspections}.db'}"

    from werkzeug.security import generate_password_hash

    from benchmarks.reportdata import generate
    from server import create_app
    from server.extensions import db
    from server.models import Inspection, User

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(OUT / "instance"),
                      "SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_FOLDER": str(OUT / "uploads")})
    with app.app_context():
        db.create_all()
        have = db.session.query(Inspection).count()
        if have == 0:
            start = time.perf_counter()
            print(f"generating {args.inspections} inspections (no answers: the dashboard reads none) …")
            ids = generate(args.inspections, n_units=3000, with_answers=False, progress=lambda m: None)
            print(f"generated in {time.perf_counter() - start:.0f} s")
        elif have != args.inspections:
            sys.exit(f"the database holds {have} inspections, not {args.inspections}: remove it first")
        else:
            print(f"reusing {have} generated inspections")
        for table in db.metadata.sorted_tables:  # indexes added to the models since the data was made
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        lead = db.session.query(User).filter_by(username="lead").one()
        lead.password_hash = generate_password_hash("bench-password")
        if db.engine.dialect.name == "sqlite":
            db.session.execute(db.text("ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        from server.models import Checklist, Plan, Unit

        ids = {"plan_id": db.session.query(Plan.id).order_by(Plan.id).first()[0],
               "checklist_id": db.session.query(Checklist.id).first()[0],
               "unit": db.session.query(Unit.code).order_by(Unit.id).offset(17).first()[0]}

    client = app.test_client()
    client.post("/login", data={"username": "lead", "password": "bench-password"})
    cases = {
        "no filter": "/dashboard",
        "period (one quarter)": "/dashboard?period_start=2025-04-01&period_end=2025-06-30",
        "plan": f"/dashboard?plan_id={ids['plan_id']}",
        "checklist": f"/dashboard?checklist_id={ids['checklist_id']}",
        "unit": f"/dashboard?unit={ids['unit']}",
    }
    print(f"database: {uri.split('://')[0]}, {args.inspections} inspections")
    worst = worst_cold = 0.0
    for name, url in cases.items():
        start, cpu = time.perf_counter(), time.process_time()
        r = client.get(url)
        cold, cold_cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
        assert r.status_code == 200, (url, r.status_code)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        worst = max(worst, p95)
        worst_cold = max(worst_cold, cold)
        print(f"  {name:22s} first (computed) {cold:6.0f} ms wall {cold_cpu:6.0f} ms CPU   "
              f"then (cached ≤ {app.config['DASHBOARD_CACHE_SECONDS']} s) median {statistics.median(times):4.0f} ms "
              f"p95 {p95:4.0f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"computed: worst {worst_cold:.0f} ms (target ≤ {TARGET_MS:.0f} ms): "
          f"{'PASS' if worst_cold <= TARGET_MS else 'FAIL'}; cached: worst p95 {worst:.0f} ms: "
          f"{'PASS' if worst <= TARGET_MS else 'FAIL'}")


if __name__ == "__main__":
    main()
