"""Summary workbook benchmark: 10,000 inspections × 60 items (generated data).

Targets (BRIEF.md): the workbook (5 sheets; 600,000 item-result rows) in
≤30 s with peak memory ≤300 MB. Measures the build as the background job runs
it (services/reporting/exports.py + exports_xlsx.py), after the data is generated, in a
fresh process so that peak RSS is the build's own (plus the interpreter and
the app). The generated database is kept in benchmarks/out/ and reused.

    .venv/bin/python benchmarks/export_workbook.py [--inspections 10000] [--database URI]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"

TARGET_S = 30.0
TARGET_MB = 300.0


def make_app(uri: str):
    from server import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(OUT / "instance"),
                       "SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_FOLDER": str(OUT / "uploads")})


def prepare(uri: str, n: int) -> None:
    from benchmarks.reportdata import generate
    from server.extensions import db
    from server.models import Inspection

    app = make_app(uri)
    with app.app_context():
        db.create_all()
        have = db.session.query(Inspection).count()
        if have == n:
            print(f"reusing {n} generated inspections")
            return
        if have:
            sys.exit(f"the database holds {have} inspections, not {n}: remove it first")
        start = time.perf_counter()
        print(f"generating {n} inspections × 60 answers …")
        generate(n, n_units=3000)
        print(f"generated in {time.perf_counter() - start:.0f} s")


def build(uri: str) -> None:
    from flask_babel import force_locale

    from server.extensions import db
    from server.models import User
    from server.services.reporting.dashboard import Filters
    from server.services.reporting.exports import Context, tables
    from server.services.reporting.exports_xlsx import write_workbook

    app = make_app(uri)
    path = OUT / "summary.xlsx"
    with app.app_context(), force_locale("vi"):
        user = db.session.query(User).filter_by(username="lead").one()
        start, cpu = time.perf_counter(), time.process_time()
        counts = write_workbook(path, tables(Context(user, Filters(), locale="vi")))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows: {counts}")
    load = os.getloadavg()[0]
    print(f"workbook: {path.stat().st_size / 1e6:.1f} MB in {elapsed:.1f} s wall, {cpu:.1f} s CPU "
          f"(target ≤ {TARGET_S:.0f} s; load average {load:.1f} on {os.cpu_count()} cores); "
          f"peak RSS {peak_mb:.0f} MB (target ≤ {TARGET_MB:.0f} MB)")
    print("PASS" if elapsed <= TARGET_S and peak_mb <= TARGET_MB else "FAIL")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inspections", type=int, default=10_000)
    parser.add_argument("--database", help="SQLAlchemy URI (default: SQLite in benchmarks/out/)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    uri = args.database or f"sqlite:///{OUT / f'workbook-{args.inspections}.db'}"
    if args.build_only:
        build(uri)
        return
    prepare(uri, args.inspections)
    # A fresh process: its peak memory is the build's, not the generator's.
    subprocess.run([sys.executable, __file__, "--build-only", "--database", uri], check=True)


if __name__ == "__main__":
    main()
