"""Size and time of the inspection minutes PDF with 40 photos (small enough to email).

Builds a throwaway instance (SQLite in a temp folder) with one finished
inspection of the small checklist, 40 display copies (1600x1200 JPEGs that
compress like phone photos, each different) attached to its findings, renders
the minutes PDF and prints its size; the PDF is kept in benchmarks/out/.

    .venv/bin/python benchmarks/minutes_pdf.py [--photos 40]
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def display_copy(seed: int, size=(1600, 1200)) -> bytes:
    """A display copy as the photo pipeline makes it: ≤1600 px, quality 82, photo-like texture."""
    rng = random.Random(seed)
    base = Image.merge("RGB", (Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size),
                               Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(size)))
    coarse = (size[0] // 8, size[1] // 8)
    texture = Image.frombytes("RGB", coarse, rng.randbytes(coarse[0] * coarse[1] * 3)).resize(
        size, Image.Resampling.BICUBIC)
    noise = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    image = Image.blend(Image.blend(base, texture, 0.45), noise, 0.07)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=40)
    args = parser.parse_args()

    from server import create_app
    from server.extensions import db
    from server.models import EvidenceFile, Role
    from server.services.reporting import minutes
    from tests.factories import make_checklist_version, make_team, make_unit, make_user
    from tests.reportdata import minutes_inspection

    tmp = Path(tempfile.mkdtemp(prefix="kiemtra-minutes-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "UPLOAD_FOLDER": str(tmp / "up")})
    with app.app_context():
        db.create_all()
        lead = make_user(Role.LEAD, username="lead")
        lead.full_name = "Nguyễn Văn Trưởng"
        team = make_team(name="Đoàn kiểm tra CCHC số 3")
        team.lead = lead
        inspection = minutes_inspection(app, make_unit(name="Phường Hoàn Kiếm"), team, make_checklist_version())
        storage = app.extensions["kiemtra.storage"]
        sizes = []
        for n in range(args.photos):
            data = display_copy(n)
            sizes.append(len(data))
            key = storage.put(data, suffix=".jpg")
            db.session.add(EvidenceFile(uuid=f"00000000-0000-4000-8000-{n:012d}", sha256=key.rsplit("/", 1)[-1][:64],
                                        kind="photo", mime_type="image/jpeg", size=len(data), display_key=key,
                                        width=1600, height=1200, inspection_id=inspection.id,
                                        finding_id=inspection.findings[n % 3].id))
        db.session.commit()
        with app.test_request_context():
            from flask import render_template

            html = render_template("pdf/minutes.html", **minutes.minutes_context(inspection), for_pdf=True,
                                   photo_src=lambda e: minutes.photo_src(e, True))
            start = time.perf_counter()
            pdf = minutes.render_pdf(html)
            elapsed = time.perf_counter() - start
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"minutes-{args.photos}-photos.pdf"
    path.write_bytes(pdf)
    print(f"photos: {args.photos} display copies, {sum(sizes) / 1e6:.1f} MB in storage "
          f"({sum(sizes) / len(sizes) / 1e3:.0f} KB each)")
    print(f"PDF: {len(pdf) / 1e6:.2f} MB, rendered in {elapsed:.1f} s -> {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
