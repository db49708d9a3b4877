"""Evidence files: checking, storing and finding them.

Files are written to storage first (atomically, content-addressed) and the
row is committed after, so a row never points at a missing file; a crash in
between leaves only files without a row, which `kiemtra evidence check`
reports (and can delete).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import EvidenceFile, Finding, Inspection
from ..foundation import audit
from ..foundation import settings as org_settings
from . import geo
from .photos import DEFAULT_DISPLAY_SIZE, DEFAULT_MAX_DECODED_BYTES, GpsPosition, PhotoRejected, process_photo
from .storage import Storage

KINDS = ("photo", "signature")  # evidence of an inspection
ACTION_KINDS = ("photo", "document")  # evidence of a remediation update (an ActionEvent)
PDF_MIME = "application/pdf"
# A photo too big to open is "too large" (413), like a file over the byte limit.
_TOO_LARGE = frozenset({"too_many_pixels", "decoded_too_large"})


class EvidenceError(Exception):
    """A refused upload; `status` is the HTTP status, `str()` the user's message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class StoreSettings:
    keep_originals: bool = True
    max_pixels: int = 50_000_000
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES
    display_px: int = DEFAULT_DISPLAY_SIZE  # long edge of the display copy
    local_tz: tzinfo = timezone.utc  # how to read a camera clock without an offset
    checkin_radius_m: float = 300
    photo_max_distance_m: float = 1000
    photo_max_time_s: float = 6 * 3600


def settings_from_config(config) -> StoreSettings:
    """The storing rules a deployment configured (see server/config.py)."""
    return StoreSettings(
        keep_originals=config["KEEP_ORIGINAL_PHOTOS"],
        max_pixels=config["MAX_PHOTO_PIXELS"],
        max_decoded_bytes=config["MAX_PHOTO_DECODED_BYTES"],
        display_px=config["PHOTO_DISPLAY_PX"],
        # The organisation's settings, which an administrator may change in the app.
        local_tz=ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE")),
        checkin_radius_m=org_settings.get("CHECKIN_RADIUS_M"),
        photo_max_distance_m=config["PHOTO_MAX_DISTANCE_M"],
        photo_max_time_s=config["PHOTO_MAX_TIME_S"],
    )


def find_by_uuid(uuid: str) -> EvidenceFile | None:
    return db.session.scalar(sa.select(EvidenceFile).where(EvidenceFile.uuid == uuid))


def _same_upload(existing: EvidenceFile, digest: str) -> EvidenceFile:
    if existing.sha256 != digest:
        raise EvidenceError(
            409, "uuid_conflict",
            _("A different file was already uploaded with this identifier (%(uuid)s). "
              "Nothing was changed.", uuid=existing.uuid),
        )
    return existing


def store_evidence(
    storage: Storage,
    settings: StoreSettings,
    *,
    uuid: str,
    data: bytes,
    kind: str,
    inspection: Inspection,
    item_key: str | None = None,
    finding: Finding | None = None,
    original_name: str | None = None,
    uploader=None,
    reported_taken_at: datetime | None = None,
    reported_position: tuple[float, float] | None = None,
) -> tuple[EvidenceFile, bool]:
    """Store one uploaded file; returns (row, created).

    Re-sending the same UUID with the same bytes changes nothing; the same
    UUID with other bytes is refused with 409. `reported_taken_at` and
    `reported_position` (what the phone read from EXIF before resizing) are
    used only when the file carries no time or position of its own.
    """
    if kind not in KINDS:
        raise EvidenceError(422, "bad_kind", _("Unknown kind of evidence: %(kind)s.", kind=kind))
    digest = hashlib.sha256(data).hexdigest()
    existing = find_by_uuid(uuid)
    if existing is not None:
        return _same_upload(existing, digest), False
    if item_key is not None and item_key not in _item_keys(inspection):
        raise EvidenceError(422, "bad_item", _("The checklist has no item %(key)s.", key=item_key))
    if finding is not None and finding.inspection_id != inspection.id:
        raise EvidenceError(422, "bad_finding", _("The finding belongs to another inspection."))

    try:
        photo = _process(data, settings)
    except PhotoRejected as exc:
        status = 413 if exc.code in _TOO_LARGE else 415 if exc.code == "unsupported_format" else 422
        raise EvidenceError(status, exc.code, exc.message) from exc

    keys = {
        "display_key": storage.put(photo.display, suffix=".jpg"),
        "thumb_key": storage.put(photo.thumbnail, suffix=".jpg"),
        "original_key": storage.put(data, suffix="." + photo.format) if settings.keep_originals else None,
    }
    taken_at = photo.taken_at
    if taken_at is not None and taken_at.tzinfo is None:
        taken_at = taken_at.replace(tzinfo=settings.local_tz)
    if taken_at is None and reported_taken_at is not None:
        taken_at = reported_taken_at
    if photo.gps is None and reported_position is not None:
        photo = replace(photo, gps=GpsPosition(*reported_position))
    row = EvidenceFile(
        uuid=uuid, sha256=digest, kind=kind, mime_type=photo.mime_type, size=len(data),
        original_name=(original_name or "")[:255] or None, width=photo.width, height=photo.height,
        taken_at=taken_at, lat=photo.gps.lat if photo.gps else None, lon=photo.gps.lon if photo.gps else None,
        flags=_photo_flags(photo, taken_at, inspection, settings) or None,
        inspection_id=inspection.id, item_key=item_key, finding_id=finding.id if finding else None,
        uploaded_by_id=getattr(uploader, "id", None), **keys,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Another request stored the same UUID between our look and our
        # insert: the unique constraint decided; answer as for a re-send.
        existing = find_by_uuid(uuid)
        if existing is None:
            raise
        return _same_upload(existing, digest), False
    audit.record(uploader, "evidence.upload", row, inspection_id=inspection.id, sha256=digest)
    return row, True


def _process(data: bytes, settings: StoreSettings):
    return process_photo(data, max_pixels=settings.max_pixels, max_decoded_bytes=settings.max_decoded_bytes,
                         display_size=settings.display_px)


def _item_keys(inspection: Inspection) -> set[str]:
    return {
        item["key"]
        for section in inspection.definition["sections"]
        for item in section["items"]
    }


def _photo_flags(photo, taken_at: datetime | None, inspection: Inspection, settings: StoreSettings) -> list[dict]:
    flags: list[dict] = []
    if photo.gps is not None:
        locations = [(loc.lat, loc.lon) for loc in inspection.unit.locations]
        distance = geo.nearest_distance_m((photo.gps.lat, photo.gps.lon), locations)
        if distance is not None and distance > settings.checkin_radius_m:
            flags.append({"code": "photo_off_site", "distance_m": round(distance), "radius_m": settings.checkin_radius_m})
    if inspection.checked_in_at is not None and inspection.checkin_lat is not None:
        flags.extend(
            geo.photo_flags(
                (photo.gps.lat, photo.gps.lon) if photo.gps else None, taken_at,
                (inspection.checkin_lat, inspection.checkin_lon), inspection.checked_in_at,
                max_distance_m=settings.photo_max_distance_m, max_time_s=settings.photo_max_time_s,
            )
        )
    return flags


def check_pdf(data: bytes) -> None:
    """A light check that the bytes are a whole PDF: header, version, objects, end marker."""
    if not data.startswith(b"%PDF-") or not re.match(rb"%PDF-\d\.\d", data[:8]):
        raise EvidenceError(415, "unsupported_format", _("This file is not a PDF document or a photo."))
    if b"%%EOF" not in data[-2048:] or b" obj" not in data or b"endobj" not in data:
        raise EvidenceError(422, "damaged_pdf", _("This PDF document is damaged or incomplete."))


def store_action_evidence(
    storage: Storage, settings: StoreSettings, *, uuid: str, data: bytes, event, original_name: str | None = None,
    uploader=None, max_bytes: int | None = None,
) -> EvidenceFile:
    """Store a photo or a PDF document as evidence of a remediation update (`event`).

    A PDF is stored as it is (original only); a photo gets its display copy
    and thumbnail like inspection photos. The caller's transaction holds the
    event; refusals raise EvidenceError and the caller rolls back.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise EvidenceError(413, "too_large", _("The file %(name)s is too large.", name=original_name or ""))
    if not data:
        raise EvidenceError(422, "empty", _("The file %(name)s is empty.", name=original_name or ""))
    digest = hashlib.sha256(data).hexdigest()
    common = dict(uuid=uuid, sha256=digest, size=len(data), original_name=(original_name or "")[:255] or None,
                  action_event_id=event.id, uploaded_by_id=getattr(uploader, "id", None))
    if data.startswith(b"%PDF-"):
        check_pdf(data)
        row = EvidenceFile(kind="document", mime_type=PDF_MIME, original_key=storage.put(data, suffix=".pdf"),
                           **common)
    else:
        try:
            photo = _process(data, settings)
        except PhotoRejected as exc:
            if exc.code == "unsupported_format":
                raise EvidenceError(415, exc.code, _("This file is not a PDF document or a photo.")) from exc
            raise EvidenceError(413 if exc.code in _TOO_LARGE else 422, exc.code, exc.message) from exc
        taken_at = photo.taken_at
        if taken_at is not None and taken_at.tzinfo is None:
            taken_at = taken_at.replace(tzinfo=settings.local_tz)
        row = EvidenceFile(
            kind="photo", mime_type=photo.mime_type, width=photo.width, height=photo.height, taken_at=taken_at,
            lat=photo.gps.lat if photo.gps else None, lon=photo.gps.lon if photo.gps else None,
            display_key=storage.put(photo.display, suffix=".jpg"), thumb_key=storage.put(photo.thumbnail, suffix=".jpg"),
            original_key=storage.put(data, suffix="." + photo.format) if settings.keep_originals else None,
            **common,
        )
    db.session.add(row)
    db.session.flush()
    audit.record(uploader, "evidence.upload", row, action_event_id=event.id, sha256=digest)
    return row


def withdraw_photo(row: EvidenceFile, user, *, at: datetime | None = None) -> bool:
    """Withdraw a photo of an inspection the lead returned; True when it changed.

    The row and its files are kept, for the lead's history; from now on it
    counts for no item (completeness.submission_problems) and is left out of
    the minutes. Withdrawing it again changes nothing. Signatures are replaced
    by signing again, never withdrawn.
    """
    if row.kind != "photo" or row.inspection_id is None:
        raise EvidenceError(422, "not_a_photo", _("Only a photo of the inspection can be withdrawn."))
    if row.withdrawn_at is not None:
        return False
    row.withdrawn_at = at or datetime.now(timezone.utc)
    row.withdrawn_by_id = getattr(user, "id", None)
    db.session.flush()
    audit.record(user, "evidence.withdraw", row.inspection, evidence=row.uuid, item_key=row.item_key)
    return True


@dataclass
class InspectionEvidence:
    """An inspection's photos and signatures, grouped by what they are evidence of."""

    by_item: dict[str, list[EvidenceFile]] = field(default_factory=dict)
    by_finding: dict[int, list[EvidenceFile]] = field(default_factory=dict)
    other: list[EvidenceFile] = field(default_factory=list)  # photos of neither an item nor a finding
    signatures: list[EvidenceFile] = field(default_factory=list)

    @property
    def flagged(self) -> list[EvidenceFile]:
        """The photos with location or time flags, in upload order."""
        photos = [*self.other, *(p for ps in self.by_item.values() for p in ps),
                  *(p for ps in self.by_finding.values() for p in ps)]
        return sorted((p for p in photos if p.flags), key=lambda p: p.id)


def inspection_evidence(inspection: Inspection) -> InspectionEvidence:
    """All evidence of an inspection, in one query, oldest first. A photo of a
    finding goes with the finding, even when the finding is about an item."""
    rows = db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.inspection_id == inspection.id, EvidenceFile.kind.in_(KINDS))
        .order_by(EvidenceFile.id)
    )
    grouped = InspectionEvidence()
    for row in rows:
        if row.kind == "signature":
            grouped.signatures.append(row)
        elif row.finding_id is not None:
            grouped.by_finding.setdefault(row.finding_id, []).append(row)
        elif row.item_key is not None:
            grouped.by_item.setdefault(row.item_key, []).append(row)
        else:
            grouped.other.append(row)
    return grouped


def variant_key(row: EvidenceFile, variant: str) -> str | None:
    return {"display": row.display_key, "thumb": row.thumb_key, "original": row.original_key}.get(variant)


@dataclass(frozen=True)
class ConsistencyReport:
    missing_files: list[tuple[str, str]]  # (evidence uuid, storage key) of rows whose file is gone
    orphan_files: list[str]  # storage keys no row refers to

    @property
    def ok(self) -> bool:
        return not self.missing_files and not self.orphan_files


def check_consistency(storage: Storage) -> ConsistencyReport:
    """Rows pointing at missing files, and files without a row."""
    referenced: set[str] = set()
    missing: list[tuple[str, str]] = []
    rows = db.session.execute(
        sa.select(EvidenceFile.uuid, EvidenceFile.display_key, EvidenceFile.thumb_key, EvidenceFile.original_key)
    )
    for uuid, *keys in rows:
        for key in filter(None, keys):
            referenced.add(key)
            if not storage.exists(key):
                missing.append((uuid, key))
    orphans = sorted(key for key in storage.iter_keys() if key not in referenced)
    return ConsistencyReport(missing, orphans)
