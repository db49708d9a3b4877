"""Printable documents: the inspection minutes (biên bản kiểm tra, Mẫu 1.9 NĐ
30/2020/NĐ-CP), the inspection notice (thông báo) and the conclusion notice.

One Jinja template per document serves both the HTML page and the PDF
(WeasyPrint renders the same HTML with the print stylesheet). Photos come
from the storage interface as display copies, downscaled to PDF_PHOTO_PX so
that a 40-photo set of minutes stays small enough to email.
"""
from __future__ import annotations

import io
from pathlib import Path
from urllib import request
from datetime import date, datetime
from zoneinfo import ZoneInfo
import sqlalchemy as sa
from flask import Response, current_app
from flask_babel import get_locale

from ...extensions import db
from ...models import Conclusion, EvidenceFile, Inspection, RemediationAction
from ..checklists.definition import iter_items, localize
from ..foundation import settings as org_settings
from .report_text import answer_text, score_words

PHOTO_SCHEME = "kiemtra-evidence:"


def settings() -> dict:
    """What the documents print from the organisation's settings."""
    c = org_settings.current()
    return {key: c[key] for key in (
        "ISSUING_BODY_PARENT", "ISSUING_BODY", "ISSUING_PLACE", "MINUTES_SYMBOL",
        "NOTICE_SYMBOL", "CONCLUSION_SYMBOL", "MINUTES_COPIES", "MINUTES_DISTRIBUTION")}


def local_date(moment) -> date:
    """The calendar day of an aware datetime in the deployment's time zone (a date passes through)."""
    if moment is None:
        return date.today()
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE"))).date()
    return moment


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def notice_context(inspection: Inspection) -> dict:
    plan = inspection.plan
    return {"inspection": inspection, "plan": plan, "settings": settings(),
            "doc_date": local_date(plan.notice_published_at or plan.created_at),
            "checklist_title": localize(inspection.checklist_version.title, _locale())}


def _evidence_by_uuid(uuids: list[str]) -> dict[str, EvidenceFile]:
    uuids = [u for u in uuids if u]
    if not uuids:
        return {}
    return {e.uuid: e for e in db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.uuid.in_(uuids)))}


def _signatures(inspection: Inspection) -> dict:
    """Chair, secretary and unit representative, each {name, position, image, refused, reason}."""
    raw = dict(inspection.signatures or {})
    team_lead = inspection.team.lead if inspection.team is not None else None
    roles = {"chair": raw.get("chair") or raw.get("lead") or {}, "secretary": raw.get("secretary") or {},
             "unit": raw.get("unit") or {}}
    images = _evidence_by_uuid([r.get("evidence_uuid") for r in roles.values()])
    out = {}
    for role, r in roles.items():
        name = r.get("name") or (team_lead.full_name if role == "chair" and team_lead else "")
        out[role] = {"name": name, "position": r.get("position") or "", "refused": bool(r.get("refused")),
                     "reason": r.get("reason") or "", "image": images.get(r.get("evidence_uuid")),
                     "typed": bool(r.get("typed"))}
    return out


def minutes_context(inspection: Inspection) -> dict:
    """Everything the minutes template shows, in the current language."""
    locale = _locale()
    definition = inspection.checklist_version.definition
    answers = {a.item_key: a for a in inspection.answers}
    outcomes = {i["key"]: i for i in (inspection.score or {}).get("items") or ()}
    photos = list(db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.inspection_id == inspection.id, EvidenceFile.kind == "photo",
                                      EvidenceFile.withdrawn_at.is_(None))  # withdrawn: the lead's history only
        .order_by(EvidenceFile.id)))
    by_finding: dict[int, list] = {}
    by_item: dict[str, list] = {}
    for p in photos:
        if p.finding_id is not None:
            by_finding.setdefault(p.finding_id, []).append(p)
        elif p.item_key:
            by_item.setdefault(p.item_key, []).append(p)
    findings_by_item: dict[str | None, list] = {}
    for f in inspection.findings:
        findings_by_item.setdefault(f.item_key, []).append(f)
    sections = []
    for section, item in iter_items(definition):
        if not sections or sections[-1]["key"] != section["key"]:
            sections.append({"key": section["key"], "title": localize(section["title"], locale), "rows": []})
        answer = answers.get(item["key"])
        outcome = outcomes.get(item["key"], {}).get("outcome")
        if outcome == "hidden" or (answer is None and item["type"] == "photo"):
            continue
        sections[-1]["rows"].append({
            "key": item["key"], "text": localize(item["text"], locale), "outcome": outcome,
            "answer": answer_text(item, answer.value, answer.na, locale) if answer else "",
            "note": answer.note if answer else None, "scored": item["scored"],
            "findings": findings_by_item.get(item["key"], []), "photos": by_item.get(item["key"], []),
        })
    return {
        "inspection": inspection, "settings": settings(), "sections": sections,
        "checklist_title": localize(definition.get("title"), locale),
        "findings": inspection.findings, "loose_findings": findings_by_item.get(None, []),
        "finding_photos": by_finding, "photo_count": len(photos),
        "team_attendees": [a for a in inspection.attendees if a.side == "team"],
        "unit_attendees": [a for a in inspection.attendees if a.side != "team"],
        "signatures": _signatures(inspection), "score": inspection.score or {},
        "score_words": score_words(inspection.score, definition, locale),
        "doc_date": local_date(inspection.started_at or inspection.checked_in_at or inspection.created_at),
    }


def conclusion_context(inspection: Inspection) -> dict:
    conclusion = db.session.scalar(sa.select(Conclusion).where(Conclusion.inspection_id == inspection.id))
    actions = list(db.session.scalars(sa.select(RemediationAction).where(
        RemediationAction.inspection_id == inspection.id).order_by(RemediationAction.deadline, RemediationAction.id)))
    issued = (conclusion.issued_at if conclusion else None) or inspection.concluded_at or inspection.created_at
    return {"inspection": inspection, "conclusion": conclusion, "actions": actions, "settings": settings(),
            "doc_date": local_date(issued),
            "checklist_title": localize(inspection.checklist_version.title, _locale())}


# ── PDF ──────────────────────────────────────────────────────────────────────

def _photo_bytes(key: str, max_px: int) -> bytes:
    """A stored photo as a JPEG no larger than max_px on its longest side."""
    from PIL import Image

    with current_app.extensions["kiemtra.storage"].open(key) as f:
        image = Image.open(f)
        image.draft("RGB", (max_px, max_px))  # JPEG: decode at a reduced scale, much faster
        image.load()
    if max(image.size) > max_px:
        image.thumbnail((max_px, max_px))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=current_app.config["PDF_PHOTO_QUALITY"], optimize=True)
    return out.getvalue()


def photo_src(evidence: EvidenceFile, for_pdf: bool) -> str:
    """Where a template finds a photo: the storage (PDF) or the evidence API (HTML)."""
    key = evidence.display_key or evidence.original_key
    if for_pdf:
        return PHOTO_SCHEME + (key or "")
    from flask import url_for

    return url_for("evidence.EvidenceContent", uuid=evidence.uuid, variant="display")


def _weasyprint():
    """Import WeasyPrint without its side effect: its images module sets Pillow's
    process-wide LOAD_TRUNCATED_IMAGES, which would let the photo pipeline
    (services/evidence/photos.py) accept truncated uploads as if whole."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint
    import weasyprint.images  # noqa: F401  (the module that flips the flag)

    ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint


def render_pdf(html: str) -> bytes:
    """The PDF of a page rendered from one of the pdf/ templates."""
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    max_px = current_app.config["PDF_PHOTO_PX"]
    static = Path(current_app.static_folder).resolve()

    class Fetcher(URLFetcher):
        """Photos from the storage, the stylesheet from static/, nothing from the network."""

        def fetch(self, url, headers=None):
            if url.startswith(PHOTO_SCHEME):
                body = _photo_bytes(url[len(PHOTO_SCHEME):], max_px)
                return URLFetcherResponse(url, body, {"Content-Type": "image/jpeg"})
            if url.startswith("file:"):
                path = Path(request.url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
                if path.is_relative_to(static):
                    return super().fetch(url, headers)
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"resource refused in a PDF: {url[:80]}")

    return weasyprint.HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=Fetcher()).write_pdf()


def pdf_response(html: str, filename: str) -> Response:
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
