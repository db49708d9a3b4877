"""What a submitted inspection must include beyond answers that fit: a photo
wherever an item's evidence rule asks for one, the team lead's signature and
the unit representative's (or the reason they refused); and, before the
conclusion, whether the photos the submission announced have arrived.

The field app refuses to submit without these (mobile_web/static/js/form.js,
`missing` and `photoNeeded`); the server applies the same rules, so another
client or an out-of-date phone cannot skip them. Photos are uploaded after the
submission (the outbox sends it first), so a submission is judged on the photos
it announces, together with those the server already holds and the team has
not withdrawn.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _

from ...extensions import db
from ...models import EvidenceFile, Finding, Inspection, InspectionStatus, Submission
from ..checklists.definition import item_index, iter_items, localize


def photo_needed(item: dict, answer: Mapping | None, outcome: str) -> bool:
    """Does this answer need a photo of its item? `outcome` as scored (hidden items never do)."""
    if outcome == "hidden":
        return False
    rule = item["evidence"]["photo"]
    if rule == "always":
        return not (answer or {}).get("na")
    if rule == "on_fail":
        return outcome == "fail"
    return item["type"] == "photo" and item["required"]


def item_label(item: dict) -> str:
    """“Title” (key): an item as a message names it, in the reader's language."""
    return _("“%(item)s” (%(key)s)", item=localize(item["text"], str(get_locale() or "vi")), key=item["key"])


def submission_problems(inspection: Inspection, outcomes: Mapping[str, str], answers: Mapping[str, Mapping],
                        photos: Iterable[Mapping], signatures: Mapping | None) -> list[dict]:
    """What the submission lacks, as [{item_key, message}] (empty when complete).

    `outcomes`: each item's scored outcome; `photos`: the photos announced,
    {uuid, kind, item_key, finding_uuid}. Photos the server holds already (a
    resubmission) count as well; they are read only when the announced ones
    do not cover an item.
    """
    announced = {p["item_key"] for p in photos if p.get("kind", "photo") == "photo" and p.get("item_key")
                 and not p.get("finding_uuid")}
    needing = [item for _section, item in iter_items(inspection.definition)
               if photo_needed(item, answers.get(item["key"]), outcomes.get(item["key"], "unanswered"))
               and item["key"] not in announced]
    if needing:
        held = set(db.session.scalars(sa.select(EvidenceFile.item_key).where(
            EvidenceFile.inspection_id == inspection.id, EvidenceFile.kind == "photo",
            EvidenceFile.finding_id.is_(None), EvidenceFile.withdrawn_at.is_(None),
            EvidenceFile.item_key.in_([i["key"] for i in needing]))))
        needing = [item for item in needing if item["key"] not in held]
    problems = [{"item_key": item["key"], "message": _("a photo is needed for %(item)s", item=item_label(item))}
                for item in needing]
    signatures = signatures or {}
    if not lead_signed(signatures.get("lead")):
        problems.append({"item_key": None, "message": _("the team lead's signature is missing")})
    unit = signatures.get("unit") or {}
    if unit.get("refused"):
        if not (unit.get("reason") or "").strip():
            problems.append({"item_key": None, "message": _("give the reason the representative refused to sign")})
    elif not unit.get("evidence_uuid"):
        problems.append({"item_key": None, "message": _("the unit representative's signature, or the reason "
                                                        "they refused to sign, is missing")})
    return problems


def lead_signed(signature: Mapping | None) -> bool:
    """Has the team lead signed? A drawn signature, or their full name typed in its
    place (drawing needs a finger or a pointer; typing works from a keyboard or a
    screen reader). The field app applies the same rule (form.js missing)."""
    signature = signature or {}
    return bool(signature.get("evidence_uuid")
                or (signature.get("typed") and (signature.get("name") or "").strip()))


def announced_uuids(photos: Iterable[Mapping], photo_uuids: Iterable[str], signatures: Mapping | None) -> list[str]:
    """Every evidence UUID a submission says will follow it: its photos, and the
    signature images it names (a signature refers to its image before the upload)."""
    uuids = {str(p["uuid"]) for p in photos} | {str(u) for u in photo_uuids}
    uuids |= {sig["evidence_uuid"] for sig in (signatures or {}).values()
              if sig and not sig.get("refused") and sig.get("evidence_uuid")}
    return sorted(uuids)


def may_arrive(inspection: Inspection, uuid: str) -> bool:
    """May this evidence still be uploaded? Once the inspection is approved,
    only what its latest submission announced: the rest of it is settled."""
    if inspection.status != InspectionStatus.APPROVED:
        return True
    latest = _latest_submission(inspection)
    return latest is not None and uuid in (latest.photo_uuids or ())


def _latest_submission(inspection: Inspection) -> Submission | None:
    return db.session.scalar(sa.select(Submission).where(Submission.inspection_id == inspection.id)
                             .order_by(Submission.id.desc()).limit(1))


def missing_evidence(inspection: Inspection) -> list[str]:
    """The photos and signatures the latest submission announced that have not
    arrived, each described for the lead (empty when all are held)."""
    latest = _latest_submission(inspection)
    if latest is None or not latest.photo_uuids:
        return []
    held = set(db.session.scalars(sa.select(EvidenceFile.uuid).where(
        EvidenceFile.uuid.in_(latest.photo_uuids), EvidenceFile.inspection_id == inspection.id)))
    missing = [uuid for uuid in latest.photo_uuids if uuid not in held]
    if not missing:
        return []
    places = {p["uuid"]: p for p in latest.photos or ()}
    signers = {sig.get("evidence_uuid"): side for side, sig in (inspection.signatures or {}).items() if sig}
    items = item_index(inspection.definition)
    findings = {f.uuid: f.description for f in db.session.scalars(
        sa.select(Finding).where(Finding.inspection_id == inspection.id))}
    return [_describe(uuid, places.get(uuid) or {}, signers, items, findings) for uuid in missing]


def _describe(uuid: str, place: Mapping, signers: Mapping, items: Mapping, findings: Mapping) -> str:
    if signers.get(uuid) == "lead":
        return _("the team lead's signature")
    if signers.get(uuid) == "secretary":
        return _("the secretary's signature")
    if uuid in signers:
        return _("the unit representative's signature")
    if place.get("finding_uuid") in findings:
        return _("a photo of the finding “%(finding)s”", finding=findings[place["finding_uuid"]][:120])
    if place.get("item_key") in items:
        return _("a photo of %(item)s", item=item_label(items[place["item_key"]][1]))
    return _("a photo (%(uuid)s)", uuid=uuid)
