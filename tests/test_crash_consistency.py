"""The app server is killed (SIGKILL) while phones submit; after a restart
and the phones' retries, every acknowledged submission is there, complete,
once, and no file lacks its row nor row its file."""
from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid as uuidlib
from pathlib import Path

import requests
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.models import Answer, EvidenceFile, Inspection, Role, Submission
from server.services.evidence.files import check_consistency
from tests.factories import make_inspection, make_team, make_unit, make_user, signatures

PROJECT = Path(__file__).resolve().parent.parent
PHONES = 3
INSPECTIONS_PER_PHONE = 4
PHOTOS_PER_INSPECTION = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """The app under gunicorn in its own process group, so SIGKILL takes it all."""

    def __init__(self, app, port: int):
        self.port = port
        self.env = {
            **os.environ,
            "KIEMTRA_INSTANCE_PATH": app.instance_path,
            "KIEMTRA_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "KIEMTRA_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "KIEMTRA_SECRET_KEY": app.config["SECRET_KEY"],
            "KIEMTRA_BIND": f"127.0.0.1:{port}",
            "KIEMTRA_WORKERS": "2",
            "KIEMTRA_ACCESS_LOG": "/dev/null",
            "KIEMTRA_LOG_LEVEL": "warning",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_conf", "server:create_app()"],
            cwd=PROJECT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the app server did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((400, 300), 40 + seed % 50).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


class Phone(threading.Thread):
    """Sends its inspections, then their photos, retrying until each is acknowledged."""

    def __init__(self, base: str, username: str, inspections: list[str], acknowledged: list):
        super().__init__(daemon=True)
        self.base, self.username, self.inspections, self.acknowledged = base, username, inspections, acknowledged
        self.http = requests.Session()
        self.failures: list[str] = []

    def send(self, method: str, path: str, **kw) -> requests.Response:
        delay = 0.05
        deadline = time.monotonic() + 60
        while True:
            try:
                if not self.http.cookies.get("session"):
                    self.http.post(f"{self.base}/login", data={"username": self.username, "password": "password123"},
                                   timeout=10, allow_redirects=False)
                response = self.http.request(method, f"{self.base}{path}", timeout=10, **kw)
                if response.status_code < 500:
                    return response
            except requests.RequestException:
                pass  # the server is down: the phone waits and tries again
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} never got an answer")
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def run(self) -> None:
        try:
            for n, inspection in enumerate(self.inspections):
                photos = [(str(uuidlib.uuid4()), photo(n * 10 + k)) for k in range(PHOTOS_PER_INSPECTION)]
                submission = {
                    "submission_uuid": str(uuidlib.uuid4()),
                    "answers": [
                        {"item_key": "bien-hieu", "value": "fail", "note": f"Ghi chú {inspection[:8]}"},
                        {"item_key": "dung-han", "value": {"numerator": 19, "denominator": 20}},
                        {"item_key": "ghi-chu", "value": "Phường Ba Đình"},
                    ],
                    "photos": [{"uuid": uid, "kind": "photo", "item_key": "bien-hieu"} for uid, _ in photos],
                    "signatures": signatures(),
                }
                response = self.send("POST", f"/api/inspections/{inspection}/submission", json=submission)
                assert response.status_code in (200, 201), response.text
                self.acknowledged.append(("submission", inspection, submission["submission_uuid"]))
                for uid, data in photos:
                    response = self.send("POST", "/api/evidence", data={
                        "uuid": uid, "inspection_uuid": inspection, "item_key": "bien-hieu", "kind": "photo",
                    }, files={"file": ("photo.jpg", data, "image/jpeg")})
                    assert response.status_code in (200, 201), response.text
                    self.acknowledged.append(("photo", inspection, uid))
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.failures.append(repr(exc))


def test_acknowledged_submissions_survive_a_killed_server_exactly_once(app):
    with app.app_context():
        unit = make_unit(name="Phường Ba Đình")
        team = make_team()
        plan_inspections: dict[str, list[str]] = {}
        for p in range(PHONES):
            user = make_user(Role.INSPECTOR, username=f"phone{p}", team=team)
            plan_inspections[user.username] = [
                make_inspection(unit=unit, team=team).uuid for _ in range(INSPECTIONS_PER_PHONE)
            ]
        db.session.commit()

    server = AppServer(app, free_port())
    acknowledged: list = []
    phones = [Phone(f"http://127.0.0.1:{server.port}", name, uuids, acknowledged)
              for name, uuids in plan_inspections.items()]
    try:
        server.start()
        for phone in phones:
            phone.start()
        total = PHONES * INSPECTIONS_PER_PHONE * (1 + PHOTOS_PER_INSPECTION)
        while len(acknowledged) < total // 3:
            time.sleep(0.01)
        server.kill()  # mid-flight: requests are being written as it dies
        time.sleep(0.5)
        server.start()
        for phone in phones:
            phone.join(timeout=120)
    finally:
        server.stop()

    assert [f for phone in phones for f in phone.failures] == []
    assert len(acknowledged) == total

    with app.app_context():
        db.session.remove()
        for _kind, inspection_uuid, item_uuid in acknowledged:
            inspection = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == inspection_uuid))
            assert inspection.status == "submitted"
            assert db.session.scalar(sa.select(sa.func.count(Answer.id)).where(
                Answer.inspection_id == inspection.id)) == 3
        submitted = {u for kind, _i, u in acknowledged if kind == "submission"}
        assert set(db.session.scalars(sa.select(Submission.uuid))) == submitted
        photo_uuids = [u for kind, _i, u in acknowledged if kind == "photo"]
        rows = db.session.scalars(sa.select(EvidenceFile.uuid)).all()
        assert sorted(rows) == sorted(photo_uuids)  # each once, none missing
        report = check_consistency(app.extensions["kiemtra.storage"])
        assert report.missing_files == []
        assert report.orphan_files == []
