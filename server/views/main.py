"""The home page: what each role needs first."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..models import InspectionStatus, Role
from ..permissions import authorize, inspection_scope
from ..services.fieldwork import inspection_search
from ..services.fieldwork import inspections as inspection_service
from ..services.foundation.settings import local_today

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    authorize("inspection.list")
    today = local_today()
    filters = inspection_search.parse(request.args)
    items = inspection_service.visible_inspections(current_user, today=today, limit=200, filters=filters)
    counts = None
    if current_user.role in (Role.ADMIN, Role.LEAD, Role.VIEWER):
        counts = inspection_service.count_by_status(current_user)
    return render_template("home.html", inspections=items, counts=counts, today=today, filters=filters,
                           statuses=list(InspectionStatus),
                           choices=inspection_search.choices(inspection_scope(current_user))), \
        422 if filters.errors else 200
