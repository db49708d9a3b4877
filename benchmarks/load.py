"""Load test: the app under gunicorn on 127.0.0.1, driven by simulated phones.

Phase 1 (submissions): C clients (default 20) submit inspections of 60
answers each, without photos, as fast as they can, for D seconds.
Phase 2 (field day): 50 simulated inspectors, each looping: list their
inspections, open one, check in, submit it with 60 answers, upload 2 photos
(phone-resized, ~1600 px), for 60 seconds.

Prints throughput, p50/p95/p99 latency per kind of request, errors, and
where each phase's CPU went (app, database, clients; Linux).
Targets (BRIEF.md): 0 errors; >= 200 submissions/s without photos;
p95 <= 100 ms at 20 concurrent clients.

    .venv/bin/python benchmarks/load.py [--db postgresql|sqlite] [--workers 4]
        [--submit-clients 20] [--submit-seconds 30] [--field-clients 50] [--field-seconds 60]

Everything runs on this machine: PostgreSQL is started from the machine's
binaries in a temporary folder (durable settings: fsync on), the app under
gunicorn, the clients in this process's threads. Request loops stop by
themselves at their deadline.
"""
from __future__ import annotations

import argparse
import http.client
import io
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid as uuidlib
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from PIL import Image  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

PASSWORD = "load-test-password"
ITEMS = 60
UNITS = 500


def checklist_source() -> dict:
    """A 60-item checklist of the usual types, in three weighted sections."""
    sections = []
    for s in range(3):
        items = []
        for i in range(ITEMS // 3):
            key = f"s{s}-i{i}"
            kind = ("pass_fail", "count", "ratio", "scale", "text")[i % 5]
            item = {"key": key, "type": kind, "text": {"vi": f"Nội dung {key}", "en": f"Item {key}"}}
            if kind == "pass_fail":
                item.update(points=2, allow_na=True, finding={"severity": "major", "remediation_days": 15})
            elif kind == "count":
                item.update(pass_at_most=0, points=1)
            elif kind == "ratio":
                item.update(numerator="Đúng hạn", denominator="Đã giải quyết", pass_at=95, points=3)
            elif kind == "scale":
                item.update(pass_at=4)
            items.append(item)
        sections.append({"key": f"s{s}", "title": f"Phần {s + 1}", "weight": 1 + s % 2, "items": items})
    return {"key": "tai-kiem-tra", "title": "Bảng kiểm tải", "scoring": {"pass_mark": 80}, "sections": sections}


def answers(n: int) -> list[dict]:
    out = []
    for s in range(3):
        for i in range(ITEMS // 3):
            key, kind = f"s{s}-i{i}", ("pass_fail", "count", "ratio", "scale", "text")[i % 5]
            value = {"pass_fail": "pass" if (n + i) % 7 else "fail", "count": (n + i) % 3 == 0 and 1 or 0,
                     "ratio": {"numerator": 95 + (n + i) % 5, "denominator": 100}, "scale": 1 + (n + i) % 5,
                     "text": f"Ghi chú {n}-{i}: Phường Ba Đình"}[kind]
            out.append({"item_key": key, "value": value, "note": None})
    return out


def signatures() -> dict:
    """The two signatures every submission carries: the lead's image (to follow) and a refusal with its reason."""
    return {"lead": {"name": "Nguyễn Văn Trưởng", "evidence_uuid": str(uuidlib.uuid4())},
            "unit": {"name": "Lê Đại Diện", "refused": True, "reason": "Chưa đồng ý với kết luận"}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(uri: str, instance: Path, clients: int, per_client: int) -> list[tuple[str, list[str]]]:
    """One team per client (so each lists only its own inspections), bulk-inserted."""
    from server import create_app
    from server.extensions import db
    from server.models import Checklist, ChecklistVersion, Inspection, Plan, Team, Unit, UnitLocation, User, team_members
    from server.services.checklists.definition import content_hash, validate_definition

    app = create_app({"SECRET_KEY": "load", "INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_FOLDER": str(instance / "uploads")})
    definition, errors = validate_definition(checklist_source(), "load")
    assert not errors, errors
    today = date.today()
    result = []
    with app.app_context():
        db.create_all()
        version = ChecklistVersion(checklist=Checklist(key=definition["key"]), number=1,
                                   content_hash=content_hash(definition), definition=definition)
        # A plan visits many units, one inspection each per visit: spread the
        # inspections over units and over four weeks of windows.
        units = []
        for u in range(UNITS):
            unit = Unit(code=f"{u:05d}", name=f"Phường {u}", kind="ward")
            unit.locations.append(UnitLocation(lat=21.0359, lon=105.834))
            units.append(unit)
        db.session.add_all([version, *units])
        db.session.flush()
        pw = generate_password_hash(PASSWORD)
        for c in range(clients):
            team = Team(name=f"Đoàn {c}")
            user = User(username=f"phone{c}", role="inspector", full_name=f"Thành viên {c}", password_hash=pw)
            db.session.add_all([team, user])
            db.session.flush()
            db.session.execute(team_members.insert().values(team_id=team.id, user_id=user.id))
            plan = Plan(title=f"Kế hoạch {c}", kind="announced", period_start=today,
                        period_end=today + timedelta(days=30), checklist_id=version.checklist_id, team_id=team.id)
            db.session.add(plan)
            db.session.flush()
            uuids = [str(uuidlib.uuid4()) for _ in range(per_client)]
            rows = []
            for n, u in enumerate(uuids):
                unit, start = units[(c * per_client + n) % UNITS], today + timedelta(days=n % 28)
                rows.append({"uuid": u, "plan_id": plan.id, "checklist_version_id": version.id, "unit_id": unit.id,
                             "unit_code_snapshot": unit.code, "unit_name_snapshot": unit.name, "kind": "announced",
                             "status": "planned", "team_id": team.id, "window_start": start,
                             "window_end": start + timedelta(days=3), "revision": 0})
            db.session.execute(sa.insert(Inspection), rows)
            result.append((user.username, uuids))
        db.session.commit()
        db.engine.dispose()
    return result


class Gunicorn:
    def __init__(self, uri: str, instance: Path, workers: int):
        self.port = free_port()
        self.env = {**os.environ, "KIEMTRA_INSTANCE_PATH": str(instance), "KIEMTRA_SQLALCHEMY_DATABASE_URI": uri,
                    "KIEMTRA_BIND": f"127.0.0.1:{self.port}", "KIEMTRA_WORKERS": str(workers),
                    "KIEMTRA_ACCESS_LOG": "/dev/null", "KIEMTRA_LOG_LEVEL": "warning",
                    "KIEMTRA_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000"}

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_conf", "server:create_app()"],
            cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.cpu_ms: dict[str, float] = {}  # CPU ms per request, by process tree (CpuMeter)

    def record(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{kind}: {detail[:200]}")

    def report(self, title: str, elapsed: float) -> None:
        total = sum(len(v) for v in self.latency.values())
        print(f"\n== {title}: {total} requests in {elapsed:.1f} s = {total / elapsed:.0f} req/s; "
              f"errors: {sum(self.errors.values())}")
        print(f"   {'request':<14}{'count':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for kind, values in sorted(self.latency.items()):
            q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
            print(f"   {kind:<14}{len(values):>7}{len(values) / elapsed:>8.1f}{q[49] * 1000:>9.1f}"
                  f"{q[94] * 1000:>9.1f}{q[98] * 1000:>9.1f}{self.errors[kind]:>8}")
        for sample in self.error_samples:
            print("   error:", sample)


class CpuMeter:
    """CPU seconds used by process trees (Linux /proc), to show where a phase's
    CPU went: the app (gunicorn), the database (PostgreSQL) and the clients."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, roots: dict[str, int]):
        self.roots = roots  # name -> pid of the tree's root

    @staticmethod
    def _stat(pid: int) -> tuple[int, int] | None:
        """(parent pid, CPU ticks) of a process, or None once it is gone."""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[1]), int(fields[11]) + int(fields[12])

    def sample(self) -> dict[str, float] | None:
        """CPU seconds of each tree now (exited children are not counted; the app's
        and the database's processes live through a phase)."""
        if not Path("/proc/self/stat").exists():
            return None
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (stat := self._stat(int(entry))) is not None:
                stats[int(entry)] = stat
        children = defaultdict(list)
        for pid, (parent, _ticks) in stats.items():
            children[parent].append(pid)
        totals = {}
        for name, root in self.roots.items():
            ticks, todo = 0, [root]
            while todo:
                pid = todo.pop()
                ticks += stats.get(pid, (0, 0))[1]
                todo.extend(children.get(pid, ()))
            totals[name] = ticks / self.TICK
        if "clients" not in self.roots:
            totals["clients"] = sum(os.times()[:2])  # this process: the client threads
        return totals

    @staticmethod
    def report(before, after, elapsed: float, requests_done: int) -> dict[str, float]:
        """Prints the phase's CPU shares; returns the CPU ms per request of each tree."""
        if not before or not after or not requests_done:
            return {}
        parts = [f"{name} {(after[name] - before[name]) / elapsed * 100:.0f}% "
                 f"({(after[name] - before[name]) / requests_done * 1000:.1f} ms/request)" for name in after]
        print(f"   CPU (100% = one core of {os.cpu_count()}): " + ", ".join(parts))
        return {name: (after[name] - before[name]) / requests_done * 1000 for name in after}


def login(base: str, username: str) -> requests.Session:
    http = requests.Session()
    r = http.post(f"{base}/login", data={"username": username, "password": PASSWORD}, allow_redirects=False,
                  timeout=30)
    assert r.status_code == 302, r.text[:300]
    return http


def timed(stats: Stats, kind: str, call, ok_codes=(200, 201), errors=(requests.RequestException,)):
    start = time.perf_counter()
    try:
        response = call()
    except errors as exc:
        stats.record(kind, time.perf_counter() - start, False, repr(exc))
        return None
    stats.record(kind, time.perf_counter() - start, response.status_code in ok_codes,
                 f"{response.status_code} {response.text}")
    return response


class LeanResponse:
    def __init__(self, status_code: int, body: bytes):
        self.status_code, self.text = status_code, body.decode("utf-8", "replace")


def lean_post_json(port: int, path: str, body: bytes, cookie: str) -> LeanResponse:
    """One POST on a fresh connection with http.client: the client shares the
    server's cores, so it must cost little (requests costs a few ms a call)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/json", "Cookie": cookie, "Connection": "close"})
        response = connection.getresponse()
        return LeanResponse(response.status, response.read())
    finally:
        connection.close()


def submit_loop(base, username, uuids, stats, deadline, counter):
    session = login(base, username)
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    port = int(base.rsplit(":", 1)[1])
    for n, inspection in enumerate(uuids):
        if time.monotonic() > deadline:
            return
        body = json.dumps({"submission_uuid": str(uuidlib.uuid4()), "answers": answers(n),
                           "signatures": signatures()}).encode()
        path = f"/api/inspections/{inspection}/submission"
        if timed(stats, "submission", lambda: lean_post_json(port, path, body, cookie),
                 errors=(OSError, http.client.HTTPException)) is not None:
            next(counter)


def field_loop(base, username, uuids, stats, deadline, photo_bytes, counter):
    http = login(base, username)
    for n, inspection in enumerate(uuids):
        if time.monotonic() > deadline:
            return
        timed(stats, "list", lambda: http.get(f"{base}/api/inspections", timeout=30))
        timed(stats, "detail", lambda: http.get(f"{base}/api/inspections/{inspection}", timeout=30))
        timed(stats, "checkin", lambda: http.post(f"{base}/api/inspections/{inspection}/checkin",
                                                  json={"lat": 21.0359, "lon": 105.834, "accuracy_m": 8},
                                                  timeout=30))
        photos = [str(uuidlib.uuid4()) for _ in photo_bytes]
        body = {"submission_uuid": str(uuidlib.uuid4()), "answers": answers(n), "signatures": signatures(),
                "photos": [{"uuid": uid, "kind": "photo", "item_key": "s0-i0"} for uid in photos]}
        if timed(stats, "submission", lambda: http.post(f"{base}/api/inspections/{inspection}/submission",
                                                         json=body, timeout=30)) is not None:
            next(counter)
        for uid, data in zip(photos, photo_bytes):
            timed(stats, "photo", lambda: http.post(
                f"{base}/api/evidence", data={"uuid": uid, "inspection_uuid": inspection, "item_key": "s0-i0"},
                files={"file": ("photo.jpg", data, "image/jpeg")}, timeout=60))


def run_phase(title, target, accounts, seconds, base, *extra, meter: CpuMeter | None = None):
    stats, counter = Stats(), itertools.count()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(base, *account, stats, deadline, *extra, counter), daemon=True)
               for account in accounts]
    before = meter.sample() if meter else None
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - start
    after = meter.sample() if meter else None
    stats.report(title, elapsed)
    stats.cpu_ms = CpuMeter.report(before, after, elapsed, sum(len(v) for v in stats.latency.values()))
    return stats, elapsed


def phone_photo(seed: int) -> bytes:
    image = Image.effect_noise((1600, 1200), 25 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--submit-clients", type=int, default=20)
    parser.add_argument("--submit-seconds", type=float, default=30)
    parser.add_argument("--field-clients", type=int, default=50)
    parser.add_argument("--field-seconds", type=float, default=60)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="kiemtra-load-"))
    pg = None
    try:
        if args.db == "postgresql":
            from tests import pg as pg_harness

            # Durable, as in production (the test harness turns fsync off).
            pg_harness.FAST_SETTINGS.update({"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"})
            pg = pg_harness.PostgresServer()
            pg.start()
            uri = pg.create_database("kiemtra_load")
        else:
            uri = f"sqlite:///{instance / 'kiemtra.db'}"
        clients = max(args.submit_clients, args.field_clients)
        per_client = int(max(args.submit_seconds, args.field_seconds) * 40) + 50
        t = time.monotonic()
        accounts = seed(uri, instance, clients, per_client)
        print(f"seeded {clients} inspectors x {per_client} inspections ({ITEMS} items) "
              f"on {args.db} in {time.monotonic() - t:.1f} s; gunicorn workers: {args.workers}; cores: {os.cpu_count()}")
        photos = [phone_photo(1), phone_photo(2)]
        print(f"photo size: {len(photos[0]) // 1024} KB and {len(photos[1]) // 1024} KB (phone-resized, 1600x1200)")
        with Gunicorn(uri, instance, args.workers) as server:
            roots = {"app": server.process.pid}
            if pg is not None and pg.process is not None:
                roots["database"] = pg.process.pid
            meter = CpuMeter(roots)
            submit_accounts = [(u, list(ids)) for u, ids in accounts[:args.submit_clients]]
            stats1, elapsed1 = run_phase(f"submissions without photos, {args.submit_clients} clients",
                                         submit_loop, submit_accounts, args.submit_seconds, server.base,
                                         meter=meter)
            # Phase 2 uses inspections phase 1 did not touch.
            done = len(stats1.latency["submission"]) // max(1, args.submit_clients) + 5
            field_accounts = [(u, ids[done:]) for u, ids in accounts[:args.field_clients]]
            stats2, elapsed2 = run_phase(f"field day, {args.field_clients} inspectors with photos",
                                         field_loop, field_accounts, args.field_seconds, server.base, photos,
                                         meter=meter)
        subs = len(stats1.latency["submission"]) / elapsed1
        p95 = statistics.quantiles(stats1.latency["submission"], n=100)[94] * 1000
        errors = sum(stats1.errors.values()) + sum(stats2.errors.values())
        print("\n== targets")
        print(f"   submissions/s without photos: {subs:.0f} (target >= 200) {'PASS' if subs >= 200 else 'FAIL'}")
        print(f"   p95 at {args.submit_clients} clients: {p95:.0f} ms (target <= 100) {'PASS' if p95 <= 100 else 'FAIL'}")
        print(f"   errors: {errors} (target 0) {'PASS' if errors == 0 else 'FAIL'}")
        if stats1.cpu_ms:
            # The CPU a submission may use, all processes together, for 200/s on this machine's cores.
            budget = (os.cpu_count() or 1) * 1000 / 200
            used = " + ".join(f"{name} {ms:.1f}" for name, ms in stats1.cpu_ms.items())
            print(f"   CPU per submission: {sum(stats1.cpu_ms.values()):.1f} ms ({used}); "
                  f"200/s on {os.cpu_count()} cores allows {budget:.1f} ms")
        return 0
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
