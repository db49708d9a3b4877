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
from flask_babel import gettext as _

from ...extensions import db
from ...models import Conclusion, EvidenceFile, Inspection, InspectionStatus, Plan, RemediationAction
from ..checklists.definition import iter_items, localize
from ..foundation import settings as org_settings
from . import doc_text, numbers
from .report_text import answer_text, outcome_labels, score_words

PHOTO_SCHEME = "kiemtra-evidence:"


def settings() -> dict:
    """What the documents print from the organisation's settings."""
    c = org_settings.current()
    return {key: c[key] for key in (
        "ISSUING_BODY_PARENT", "ISSUING_BODY", "ISSUING_PLACE", "ISSUING_PLACE_EN", "MINUTES_SYMBOL",
        "NOTICE_SYMBOL", "CONCLUSION_SYMBOL", "MINUTES_COPIES", "MINUTES_DISTRIBUTION", "NOTICE_DISTRIBUTION",
        "CONCLUSION_DISTRIBUTION", "SIGNING_MODE", "SIGNING_FOR", "SIGNER_TITLE", "SIGNER_NAME")}


def local_date(moment) -> date:
    """The calendar day of an aware datetime in the deployment's time zone (a date passes through)."""
    if moment is None:
        return date.today()
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE"))).date()
    return moment


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


# ── What every document shares: heading, number, date line, legal basis, signer ──

def _heading(kind: str, inspection: Inspection, day: date, conf: dict, locale: str) -> dict:
    symbol = conf[numbers.SYMBOL_SETTING[kind]]
    place = conf["ISSUING_PLACE"] if locale.startswith("vi") else conf["ISSUING_PLACE_EN"]
    return {"parent": conf["ISSUING_BODY_PARENT"], "body": conf["ISSUING_BODY"],
            "number": numbers.printed(numbers.find(kind, inspection), symbol),
            "date_line": doc_text.date_line(place, day, locale)}


def legal_basis(plan: Plan | None, locale: str) -> list[str]:
    """The "Căn cứ …" lines: the inspection plan and the decision establishing the team."""
    if plan is None:
        return []
    lines = []
    if plan.plan_number:
        lines.append(_("Pursuant to Plan No. %(number)s dated %(date)s on “%(title)s”;", number=plan.plan_number,
                       date=doc_text.day_text(plan.plan_date, locale) if plan.plan_date else "…",
                       title=plan.title))
    else:
        lines.append(_("Pursuant to the inspection plan “%(title)s”;", title=plan.title))
    if plan.decision_number:
        lines.append(_("Pursuant to Decision No. %(number)s dated %(date)s of %(signer)s establishing the "
                       "inspection team;", number=plan.decision_number,
                       date=doc_text.day_text(plan.decision_date, locale) if plan.decision_date else "…",
                       signer=plan.decision_signer or "…"))
    return lines


def _signer(inspection: Inspection, conf: dict) -> dict:
    """Who signs a notice, per the organisation's setting: the team (TM. ĐOÀN KIỂM TRA /
    TRƯỞNG ĐOÀN, the team lead) or the body that ordered it (TM. … / KT. …, its signer)."""
    mode = conf["SIGNING_MODE"]
    if mode in ("TM", "KT"):
        return {"lines": [f"{mode}. {conf['SIGNING_FOR']}", conf["SIGNER_TITLE"]], "name": conf["SIGNER_NAME"],
                "leave_out": [conf["SIGNER_TITLE"], conf["SIGNER_NAME"], conf["SIGNING_FOR"]]}
    lead = inspection.team.lead if inspection.team is not None else None
    name = (lead.full_name or lead.username) if lead else ""
    return {"lines": [_("ON BEHALF OF THE INSPECTION TEAM"), _("TEAM LEAD")], "name": name,
            "leave_out": [name, "Trưởng đoàn", "Trưởng đoàn kiểm tra", "Trưởng Đoàn kiểm tra",
                          "Team lead"]}


def _ordering_body(plan: Plan | None, conf: dict) -> list[str]:
    """The body that ordered the inspection (who signed the decision), told of the
    document. Without a decision on the plan, a team's document goes to the body
    above it (the heading's parent body); a body's own document needs no copy."""
    if plan is not None and plan.decision_signer:
        return [_("%(body)s (to report)", body=plan.decision_signer)]
    if conf["SIGNING_MODE"] == "team":
        return [_("%(body)s (to report)", body=conf["ISSUING_BODY_PARENT"])]
    return []


def _common(kind: str, inspection: Inspection, day: date) -> dict:
    locale = _locale()
    conf = settings()
    return {"inspection": inspection, "plan": inspection.plan, "settings": conf, "doc_date": day,
            "locale": locale, "heading": _heading(kind, inspection, day, conf, locale),
            "legal_basis": legal_basis(inspection.plan, locale),
            "day_text": lambda d: doc_text.day_text(d, locale),
            "time_text": lambda t: doc_text.time_text(t, locale),
            "moment_text": lambda m: doc_text.moment_text(m, locale),
            "count_text": lambda n: doc_text.count_text(n, locale)}


def notice_issue_day(inspection: Inspection) -> date:
    plan = inspection.plan
    return local_date(plan.notice_published_at or plan.created_at)


def notice_context(inspection: Inspection) -> dict:
    plan = inspection.plan
    out = _common("notice", inspection, notice_issue_day(inspection))
    signer = _signer(inspection, out["settings"])
    out.update({
        "checklist_title": localize(inspection.checklist_version.title, out["locale"]), "signer": signer,
        "recipients": doc_text.recipients(out["settings"]["NOTICE_DISTRIBUTION"],
                                          add=_ordering_body(plan, out["settings"]), leave_out=signer["leave_out"]),
    })
    return out


def _evidence_by_uuid(uuids: list[str]) -> dict[str, EvidenceFile]:
    uuids = [u for u in uuids if u]
    if not uuids:
        return {}
    return {e.uuid: e for e in db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.uuid.in_(uuids)))}


def _signatures(inspection: Inspection) -> dict:
    """Chair, secretary and unit representative, each {name, position, image, refused, reason}.

    The chair is the team lead and the secretary the team's secretary (the
    team's roles, /admin/teams); what the phone recorded signs for them."""
    raw = dict(inspection.signatures or {})
    team = inspection.team
    by_role = {"chair": team.lead if team is not None else None,
               "secretary": team.secretary if team is not None else None}
    roles = {"chair": raw.get("chair") or raw.get("lead") or {}, "secretary": raw.get("secretary") or {},
             "unit": raw.get("unit") or {}}
    images = _evidence_by_uuid([r.get("evidence_uuid") for r in roles.values()])
    positions = {"chair": _("Team lead"), "secretary": _("Secretary")}
    out = {}
    for role, r in roles.items():
        member = by_role.get(role)
        name = r.get("name") or ((member.full_name or member.username) if member is not None else "")
        out[role] = {"name": name, "position": r.get("position") or positions.get(role, ""),
                     "refused": bool(r.get("refused")), "reason": r.get("reason") or "",
                     "image": images.get(r.get("evidence_uuid")), "typed": bool(r.get("typed"))}
    return out


def minutes_offered(inspection: Inspection) -> bool:
    """The minutes exist once the team has begun on site; before, there is nothing to record."""
    return inspection.status not in (InspectionStatus.PLANNED, InspectionStatus.CANCELLED) and bool(
        inspection.checked_in_at or inspection.started_at)


def minutes_issue_day(inspection: Inspection) -> date:
    return local_date(inspection.started_at or inspection.checked_in_at or inspection.created_at)


def _team_attendees(inspection: Inspection, signatures: dict) -> list:
    """The team's attendees, the chair and the secretary among them (first, if the phone left them out)."""
    team = [{"name": a.name, "position": a.position} for a in inspection.attendees if a.side == "team"]
    names = {a["name"].casefold() for a in team}
    missing = [{"name": signatures[role]["name"], "position": signatures[role]["position"]}
               for role in ("chair", "secretary")
               if signatures[role]["name"] and signatures[role]["name"].casefold() not in names]
    return missing + team


def minutes_context(inspection: Inspection) -> dict:
    """Everything the minutes template shows, in the current language."""
    out = _common("minutes", inspection, minutes_issue_day(inspection))
    locale = out["locale"]
    definition = inspection.checklist_version.definition
    answers = {a.item_key: a for a in inspection.answers}
    outcomes = {i["key"]: i for i in (inspection.score or {}).get("items") or ()}
    photos = list(db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.inspection_id == inspection.id, EvidenceFile.kind == "photo",
                                      EvidenceFile.withdrawn_at.is_(None))  # withdrawn: the lead's history only
        .order_by(EvidenceFile.id)))
    findings_by_item: dict[str | None, list] = {}
    for f in inspection.findings:
        findings_by_item.setdefault(f.item_key, []).append(f)
    finding_ids = {f.id for f in inspection.findings}
    # The appendix numbers the photos in the order the rows cite them: items, then findings.
    appendix: list[dict] = []
    number_of: dict[int, int] = {}

    def cite(found: list[EvidenceFile], caption: str) -> list[int]:
        for p in found:
            if p.id not in number_of:
                number_of[p.id] = len(appendix) + 1
                appendix.append({"number": number_of[p.id], "photo": p, "caption": caption})
        return [number_of[p.id] for p in found]

    sections = []
    for section, item in iter_items(definition):
        if not sections or sections[-1]["key"] != section["key"]:
            sections.append({"key": section["key"], "title": localize(section["title"], locale), "rows": []})
        answer = answers.get(item["key"])
        outcome = outcomes.get(item["key"], {}).get("outcome")
        if outcome == "hidden" or (answer is None and item["type"] == "photo"):
            continue
        text = localize(item["text"], locale)
        measured = answer_text(item, answer.value, answer.na, locale) if answer else ""
        if item["type"] == "pass_fail" or (answer is not None and answer.na):
            measured = ""  # the assessment column says it; the figures column keeps to what was measured
        sections[-1]["rows"].append({
            "key": item["key"], "text": text, "outcome": outcome, "answer": measured,
            "note": answer.note if answer else None, "scored": item["scored"],
            "findings": findings_by_item.get(item["key"], []),
            "photo_numbers": cite([p for p in photos if p.item_key == item["key"] and p.finding_id is None
                                   or (p.finding_id is not None and any(
                                       p.finding_id == f.id for f in findings_by_item.get(item["key"], [])))],
                                  text),
        })
    findings = []
    for f in inspection.findings:
        item_text = next((r["text"] for s in sections for r in s["rows"] if r["key"] == f.item_key), "")
        row = next((r for s in sections for r in s["rows"] if r["key"] == f.item_key), None)
        measured = (row["answer"] or outcome_labels().get(row["outcome"] or "", "")) if row else ""
        findings.append({"finding": f, "item": item_text, "measured": measured,
                         "photo_numbers": cite([p for p in photos if p.finding_id == f.id], f.description[:80])})
    # Photos of nothing the minutes show (a withdrawn finding's, say) still go in the appendix.
    cite([p for p in photos if p.id not in number_of and (p.finding_id is None or p.finding_id in finding_ids)],
         "")
    signatures = _signatures(inspection)
    unit_side = [a for a in inspection.attendees if a.side != "team"]
    if not signatures["unit"]["name"] and unit_side:
        signatures["unit"]["name"] = unit_side[0].name  # the unit's first representative signs for it
    conf = out["settings"]
    chair = signatures["chair"]["name"]
    out.update({
        "sections": sections, "checklist_title": localize(definition.get("title"), locale),
        "findings": findings, "appendix": appendix, "photo_count": len(photos),
        "team_attendees": _team_attendees(inspection, signatures),
        "unit_attendees": [a for a in inspection.attendees if a.side != "team"],
        "signatures": signatures, "score": inspection.score or {},
        "score_words": score_words(inspection.score, definition, locale),
        "refused": signatures["unit"]["refused"],
        "recipients": doc_text.recipients(conf["MINUTES_DISTRIBUTION"], leave_out=[chair]),
    })
    return out


def _report_deadline(actions: list[RemediationAction]) -> date | None:
    """When the unit's remediation report is due: once the last action's deadline has come."""
    return max((a.deadline for a in actions if a.deadline), default=None)


def conclusion_context(inspection: Inspection) -> dict:
    conclusion = db.session.scalar(sa.select(Conclusion).where(Conclusion.inspection_id == inspection.id))
    actions = list(db.session.scalars(sa.select(RemediationAction).where(
        RemediationAction.inspection_id == inspection.id).order_by(RemediationAction.deadline, RemediationAction.id)))
    out = _common("conclusion", inspection, conclusion_issue_day(inspection, conclusion))
    signer = _signer(inspection, out["settings"])
    definition = inspection.checklist_version.definition
    out.update({
        "conclusion": conclusion, "actions": actions, "signer": signer,
        # Who concludes, in a sentence: the team, or the issuing body as the heading names it.
        "issuer": _("the inspection team") if out["settings"]["SIGNING_MODE"] == "team" else out["heading"]["body"],
        "checklist_title": localize(inspection.checklist_version.title, out["locale"]),
        "score": inspection.score or {}, "score_words": score_words(inspection.score, definition, out["locale"]),
        "report_deadline": _report_deadline(actions),
        "recipients": doc_text.recipients(out["settings"]["CONCLUSION_DISTRIBUTION"],
                                          add=_ordering_body(inspection.plan, out["settings"]),
                                          leave_out=signer["leave_out"]),
    })
    return out


def conclusion_issue_day(inspection: Inspection, conclusion: Conclusion | None = None) -> date:
    if conclusion is None:
        conclusion = db.session.scalar(sa.select(Conclusion).where(Conclusion.inspection_id == inspection.id))
    return local_date((conclusion.issued_at if conclusion else None) or inspection.concluded_at
                      or inspection.created_at)


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
