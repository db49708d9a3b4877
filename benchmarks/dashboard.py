"""Dashboard benchmark: full GET /dashboard requests at 100,000 inspections (generated data).

Target (BRIEF.md): ≤300 ms per request. The view's figure cache is off
(DASHBOARD_CACHE_SECONDS = 0), so every timed request computes every chart
from the database and renders the page, as a signed-in lead; timed for no
filter and for each filter kind, after one warm-up request each. PASS when
the p95 of every filter is within the target.

    .venv/bin/python benchmarks/dashboard.py [--inspections 100000] [--repeat 20]
    .venv/bin/python benchmarks/dashboard.py --postgresql
    .venv/bin/python benchmarks/dashboard.py --database URI

SQLite: the generated database is kept in benchmarks/out/ and reused (delete
it after a change of schema). --postgresql: a throwaway PostgreSQL server on a
unix socket (tests/pg.py), with the data generated anew (about 5 minutes).
"""
from __future__ import annotations

import argparse
import math
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
    parser.add_argument("--repeat", type=int, default=20)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", help="a database URI (default: SQLite in benchmarks/out/)")
    where.add_argument("--postgresql", action="store_true", help="a throwaway PostgreSQL server (tests/pg.py)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.postgresql:
        run(args.database or f"sqlite:///{OUT / f'dashboard-{args.inspections}.db'}", args)
        return
    from tests.pg import PostgresServer

    with PostgresServer() as server:
        run(server.create_database("dashboard"), args)


def run(uri: str, args) -> None:
    app = prepare(uri, args.inspections)
    client = app.test_client()
    client.post("/login", data={"username": "lead", "password": "bench-password"})
    print(f"database: {uri.split('://')[0]}, {args.inspections} inspections; figure cache off "
          f"(DASHBOARD_CACHE_SECONDS = {app.config['DASHBOARD_CACHE_SECONDS']}): every request computes; "
          f"{args.repeat} requests per filter after one warm-up")
    passed = True
    for name, url in cases(app).items():
        first = timed(client, url)
        times = sorted(timed(client, url) for _ in range(args.repeat))
        p95 = times[math.ceil(0.95 * len(times)) - 1]  # nearest rank
        passed &= p95 <= TARGET_MS
        print(f"  {name:22s} median {statistics.median(times):5.0f} ms   p95 {p95:5.0f} ms   "
              f"(first {first:5.0f} ms)   {'PASS' if p95 <= TARGET_MS else 'FAIL'}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"every filter's p95 within {TARGET_MS:.0f} ms: {'PASS' if passed else 'FAIL'}")


def prepare(uri: str, n_inspections: int):
    """The app on a database holding the generated inspections, analysed, with a lead who can sign in."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from benchmarks.reportdata import generate
    from server import create_app
    from server.extensions import db
    from server.models import Inspection, User
    from server.services.reporting import totals as dashboard_totals

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(OUT / "instance"),
                      "SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_FOLDER": str(OUT / "uploads"),
                      "DASHBOARD_CACHE_SECONDS": 0})
    with app.app_context():
        db.create_all()
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Inspection))
        if have == 0:
            start = time.perf_counter()
            print(f"generating {n_inspections} inspections (no answers: the dashboard reads none) …")
            generate(n_inspections, n_units=3000, with_answers=False, progress=lambda m: None)
            print(f"generated in {time.perf_counter() - start:.0f} s")
        elif have != n_inspections:
            sys.exit(f"the database holds {have} inspections, not {n_inspections}: remove it first")
        else:
            print(f"reusing {have} generated inspections")
            if not all(db.session.scalar(sa.select(sa.func.count()).select_from(t.table)) for t in dashboard_totals.ALL):
                print("stored totals missing (a database made before them): rebuilding them")
                dashboard_totals.rebuild_all()
        for table in db.metadata.sorted_tables:  # indexes added to the models since the data was made
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        db.session.scalars(sa.select(User).filter_by(username="lead")).one().password_hash = (
            generate_password_hash("bench-password"))
        db.session.commit()
        # Statistics for the planners, and PostgreSQL's visibility map for index-only scans.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE" if conn.dialect.name == "sqlite" else "VACUUM ANALYZE")
    return app


def cases(app) -> dict[str, str]:
    """No filter, and each filter kind: one quarter, the first plan, the checklist, one unit."""
    import sqlalchemy as sa

    from server.extensions import db
    from server.models import Checklist, Plan, Unit

    with app.app_context():
        plan_id = db.session.scalar(sa.select(Plan.id).order_by(Plan.id).limit(1))
        checklist_id = db.session.scalar(sa.select(Checklist.id).limit(1))
        unit = db.session.scalar(sa.select(Unit.code).order_by(Unit.id).offset(17).limit(1))
    return {
        "no filter": "/dashboard",
        "period (one quarter)": "/dashboard?period_start=2025-04-01&period_end=2025-06-30",
        "plan": f"/dashboard?plan_id={plan_id}",
        "checklist": f"/dashboard?checklist_id={checklist_id}",
        "unit": f"/dashboard?unit={unit}",
    }


def timed(client, url: str) -> float:
    """Milliseconds for one full request (wall clock)."""
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


if __name__ == "__main__":
    main()
