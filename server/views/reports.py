"""Per-inspection documents: the minutes and the conclusion notice, as a page and as PDF."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import login_required

from ..errors import user_error
from ..extensions import db
from ..models import Conclusion, Inspection, InspectionStatus
from ..permissions import authorized_inspection
from ..services.reporting import minutes, numbers

bp = Blueprint("reports", __name__)


def _inspection(inspection_id: int) -> Inspection:
    return authorized_inspection("inspection.view", id=inspection_id)


def _render(template: str, context: dict, for_pdf: bool) -> str:
    return render_template(template, **context, for_pdf=for_pdf,
                           photo_src=lambda evidence: minutes.photo_src(evidence, for_pdf))


# Once submitted, the minutes are issued: their number is given then
# (services/fieldwork/submissions.py); one submitted before the register existed gets it here.
_ISSUED = (InspectionStatus.SUBMITTED, InspectionStatus.RETURNED, InspectionStatus.APPROVED,
           InspectionStatus.CONCLUDED)


def _minutes_inspection(inspection_id: int) -> Inspection:
    inspection = _inspection(inspection_id)
    if not minutes.minutes_offered(inspection):
        raise user_error(409, _("The inspection has not started: there are no minutes yet."))
    if inspection.status in _ISSUED and numbers.find("minutes", inspection) is None:
        numbers.assign("minutes", inspection, minutes.minutes_issue_day(inspection))
        db.session.commit()
    return inspection


@bp.get("/inspections/<int:inspection_id>/minutes")
@login_required
def minutes_page(inspection_id: int):
    inspection = _minutes_inspection(inspection_id)
    return _render("pdf/minutes.html", minutes.minutes_context(inspection), False)


@bp.get("/inspections/<int:inspection_id>/minutes.pdf")
@login_required
def minutes_pdf(inspection_id: int):
    inspection = _minutes_inspection(inspection_id)
    html = _render("pdf/minutes.html", minutes.minutes_context(inspection), True)
    return minutes.pdf_response(html, f"bien-ban-{inspection.id}.pdf")


def _concluded(inspection_id: int) -> Inspection:
    inspection = _inspection(inspection_id)
    conclusion = db.session.scalar(sa.select(Conclusion).where(Conclusion.inspection_id == inspection.id))
    if conclusion is None:
        abort(404)
    if conclusion.issued_at is not None and numbers.find("conclusion", inspection) is None:
        numbers.assign("conclusion", inspection, minutes.conclusion_issue_day(inspection, conclusion))
        db.session.commit()
    return inspection


@bp.get("/inspections/<int:inspection_id>/conclusion")
@login_required
def conclusion_page(inspection_id: int):
    inspection = _concluded(inspection_id)
    return _render("pdf/conclusion.html", minutes.conclusion_context(inspection), False)


@bp.get("/inspections/<int:inspection_id>/conclusion.pdf")
@login_required
def conclusion_pdf(inspection_id: int):
    inspection = _concluded(inspection_id)
    html = _render("pdf/conclusion.html", minutes.conclusion_context(inspection), True)
    return minutes.pdf_response(html, f"ket-luan-{inspection.id}.pdf")
