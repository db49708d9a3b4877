"""Upload memory: one gunicorn worker's peak RSS while ten hostile photos arrive at once.

Target (BRIEF.md): one worker stays under 400 MB even when ten hostile
near-limit images arrive at once. The images are made here with Pillow and
zlib (Pillow cannot write 16-bit colour PNGs): small files that decode to just
under MAX_PHOTO_DECODED_BYTES (16-bit RGBA and RGB PNGs, a WebP), RGBA PNGs
at the pixel limit, and a big 48 MP JPEG.

    .venv/bin/python benchmarks/upload_memory.py [--threads N]

The app runs as in production (gunicorn -c python:server.gunicorn_conf), one
worker, with KIEMTRA_THREADS threads (default: the configuration's, or
--threads; with one thread the worker takes the uploads one after another),
on 127.0.0.1 with a throwaway instance folder and SQLite. RSS is read from
/proc/PID/status (VmRSS sampled, VmHWM at the end). MB = 10^6 bytes.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid as uuidlib
import zlib
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from PIL import Image  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

TARGET_MB = 400
PASSWORD = "upload-memory-password"


def png_16bit(width: int, height: int, channels: int) -> bytes:
    """A real 16-bit PNG (RGB or RGBA), a gradient repeated down the image: a small file that decodes to full size."""
    colour_type = {3: 2, 4: 6}[channels]
    first = b"\x00" + b"".join(struct.pack(">H", (x * 65535) // width) * channels for x in range(width))
    same = b"\x02" + bytes(len(first) - 1)  # filter "Up", no difference: the row above again
    compressor = zlib.compressobj(9)
    idat = (compressor.compress(first) + b"".join(compressor.compress(same) for _ in range(height - 1))
            + compressor.flush())

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def hostile_images(max_decoded: int, max_pixels: int, display_px: int) -> list[tuple[str, bytes]]:
    """Ten images just under the limits, by what makes each expensive."""
    from server.services.evidence.photo_memory import webp_decoded_size

    def square(bytes_per_pixel: int) -> int:
        return int(min(max_decoded / bytes_per_pixel, max_pixels) ** 0.5)

    rgba16, rgb16, rgba8, webp = square(8), square(6), square(4), square(16)
    while webp_decoded_size((webp, webp), (display_px, display_px)).total > max_decoded:
        webp -= 8  # WebP counts what libwebp holds, and the copy shrinking makes
    gradient = Image.linear_gradient("L").resize((rgba8, rgba8))
    rgba_png = encoded(Image.merge("RGBA", (gradient, gradient.transpose(Image.Transpose.ROTATE_90),
                                            gradient, gradient)), "PNG")
    webp_image = encoded(Image.linear_gradient("L").resize((webp, webp)).convert("RGBA"), "WEBP", quality=50)
    noise = Image.effect_noise((8000, 6000), 40).convert("RGB")
    jpeg = encoded(Image.blend(noise, Image.linear_gradient("L").resize((8000, 6000)).convert("RGB"), 0.6),
                   "JPEG", quality=85)
    images = [(f"16-bit RGBA PNG {rgba16}x{rgba16}", png_16bit(rgba16, rgba16, 4))] * 3
    images += [(f"16-bit RGB PNG {rgb16}x{rgb16}", png_16bit(rgb16, rgb16, 3))] * 2
    images += [(f"RGBA PNG {rgba8}x{rgba8}", rgba_png)] * 3
    images += [(f"RGBA WebP {webp}x{webp}", webp_image), ("JPEG 8000x6000 (48 MP)", jpeg)]
    return images


def seed(uri: str, instance: Path) -> str:
    """An inspector, their team and one inspection they may add photos to; returns its UUID."""
    from server import create_app
    from server.extensions import db
    from server.models import Checklist, ChecklistVersion, Inspection, Plan, Team, Unit, User, team_members
    from server.services.checklists.definition import content_hash, validate_definition

    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_FOLDER": str(instance / "uploads")})
    source = {"key": "anh", "title": "Ảnh", "sections": [{"key": "s", "title": "Phần 1", "items": [
        {"key": "bien-hieu", "type": "pass_fail", "text": {"vi": "Biển hiệu", "en": "Sign"}, "points": 1}]}]}
    definition, errors = validate_definition(source, "bench")
    assert not errors, errors
    today = date.today()
    with app.app_context():
        db.create_all()
        version = ChecklistVersion(checklist=Checklist(key="anh"), number=1, content_hash=content_hash(definition),
                                   definition=definition)
        unit, team = Unit(code="00001", name="Phường Ba Đình", kind="ward"), Team(name="Đoàn 1")
        user = User(username="phone", role="inspector", full_name="Thành viên", password_hash=generate_password_hash(
            PASSWORD))
        db.session.add_all([version, unit, team, user])
        db.session.flush()
        db.session.execute(team_members.insert().values(team_id=team.id, user_id=user.id))
        plan = Plan(title="Kế hoạch", kind="announced", period_start=today, period_end=today + timedelta(days=30),
                    checklist_id=version.checklist_id, team_id=team.id)
        db.session.add(plan)
        db.session.flush()
        inspection = Inspection(uuid=str(uuidlib.uuid4()), plan_id=plan.id, checklist_version_id=version.id,
                                unit_id=unit.id, unit_code_snapshot=unit.code, unit_name_snapshot=unit.name,
                                kind="announced", status="planned", team_id=team.id, window_start=today,
                                window_end=today + timedelta(days=3), revision=0)
        db.session.add(inspection)
        db.session.commit()
        db.engine.dispose()
        return inspection.uuid


def status_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def mb(kib: int) -> float:
    return kib * 1024 / 1e6


def worker_pid(master: int, deadline: float) -> int:
    while time.monotonic() < deadline:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == master:
                    return int(entry)
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=int(os.environ.get("KIEMTRA_THREADS", "1")),
                        help="gunicorn threads of the one worker (default: KIEMTRA_THREADS, else 1)")
    args = parser.parse_args()

    from server import config

    instance = Path(tempfile.mkdtemp(prefix="kiemtra-upload-memory-"))
    try:
        uri = f"sqlite:///{instance / 'kiemtra.db'}"
        inspection = seed(uri, instance)
        images = hostile_images(config.MAX_PHOTO_DECODED_BYTES, config.MAX_PHOTO_PIXELS, config.PHOTO_DISPLAY_PX)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "KIEMTRA_INSTANCE_PATH": str(instance), "KIEMTRA_SQLALCHEMY_DATABASE_URI": uri,
               "KIEMTRA_BIND": f"127.0.0.1:{port}", "KIEMTRA_WORKERS": "1", "KIEMTRA_THREADS": str(args.threads),
               "KIEMTRA_ACCESS_LOG": "/dev/null", "KIEMTRA_LOG_LEVEL": "warning"}
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_conf", "server:create_app()"],
            cwd=ROOT, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=2).ok:
                        break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            worker = worker_pid(server.pid, deadline)
            http = requests.Session()
            login = http.post(f"{base}/login", data={"username": "phone", "password": PASSWORD},
                              allow_redirects=False, timeout=30)
            assert login.status_code == 302, login.text[:300]

            def upload(data: bytes, name: str):
                return http.post(f"{base}/api/evidence", data={"uuid": str(uuidlib.uuid4()),
                                                                "inspection_uuid": inspection},
                                 files={"file": (name, data, "application/octet-stream")}, timeout=300)

            # Warm-up: one phone-sized photo, so imports and caches count in the baseline.
            warm = upload(encoded(Image.effect_noise((1600, 1200), 30).convert("RGB"), "JPEG", quality=85),
                          "warm.jpg")
            assert warm.status_code == 201, warm.text[:300]
            baseline = status_kib(worker, "VmRSS")
            print(f"gunicorn: 1 worker, {args.threads} thread(s); MAX_PHOTO_DECODED_BYTES "
                  f"{config.MAX_PHOTO_DECODED_BYTES / 1e6:.0f} MB, MAX_PHOTO_PIXELS {config.MAX_PHOTO_PIXELS / 1e6:g} MP; "
                  f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
            print(f"worker RSS before the uploads: {mb(baseline):.0f} MB (after start-up, sign-in, one phone photo)")

            samples, done = [], threading.Event()

            def sample():
                while not done.is_set():
                    samples.append(status_kib(worker, "VmRSS"))
                    time.sleep(0.01)

            answers: list[tuple[str, int, int, float, str]] = [None] * len(images)  # type: ignore[list-item]

            def send(index: int, label: str, data: bytes):
                start = time.perf_counter()
                try:
                    response = upload(data, f"hostile-{index}")
                    body = response.json() if response.headers.get("content-type", "").startswith(
                        "application/json") else {}
                    detail = body.get("message") or (f"stored {body.get('width')}x{body.get('height')}"
                                                     if response.ok else response.text[:120])
                    status = response.status_code
                except requests.RequestException as exc:
                    status, detail = 0, repr(exc)
                answers[index] = (label, len(data), status, time.perf_counter() - start, detail)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            senders = [threading.Thread(target=send, args=(i, label, data)) for i, (label, data) in enumerate(images)]
            start = time.perf_counter()
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join()
            elapsed = time.perf_counter() - start
            done.set()
            sampler.join()
            peak = status_kib(worker, "VmHWM")

            print(f"\nten uploads at once, all answered in {elapsed:.1f} s:")
            print(f"   {'image':<30}{'file':>9}{'status':>8}{'s':>7}  answer")
            for label, size, status, seconds, detail in answers:
                print(f"   {label:<30}{size / 1e6:>7.2f}MB{status:>8}{seconds:>7.1f}  {detail}")
            print(f"\nworker RSS: before {mb(baseline):.0f} MB, highest sampled {mb(max(samples)):.0f} MB, "
                  f"peak (VmHWM) {mb(peak):.0f} MB, after {mb(status_kib(worker, 'VmRSS')):.0f} MB")
            ok = mb(peak) <= TARGET_MB and all(200 <= a[2] < 500 for a in answers)
            print(f"{'PASS' if ok else 'FAIL'}: peak RSS {mb(peak):.0f} MB (target <= {TARGET_MB} MB), "
                  f"no upload answered with a 5xx or dropped")
            return 0 if ok else 1
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
