"""The integrations listing: inspections changed since a moment, page by page."""
from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint, Page
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import ChecklistVersion, Inspection
from ..permissions import authorize, inspection_scope
from ..schemas.exports import ExportedInspectionSchema, ExportQuerySchema
from ..services.reporting.dashboard import Filters, inspection_conditions

blp = Blueprint("exports_api", __name__, url_prefix="/api/exports", description="Summary exports for integrations")


class QueryPage(Page):
    """A page of a SELECT: counted and sliced by the database."""

    @property
    def items(self):
        # A page past every row is empty; a huge page number would overflow SQLite's 64-bit OFFSET.
        first = min(self.page_params.first_item, 2**63 - 1)
        return list(db.session.scalars(self.collection.offset(first).limit(self.page_params.page_size)))

    @property
    def item_count(self):
        return db.session.scalar(sa.select(sa.func.count()).select_from(self.collection.order_by(None).subquery()))


@blp.route("/inspections")
class ExportedInspections(MethodView):
    decorators = [login_required]

    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, ExportedInspectionSchema(many=True))
    @blp.paginate(QueryPage, page_size=100, max_page_size=1000)
    def get(self, args):
        """Inspections (with scores) changed at or after `modified_since`, oldest change first.

        Page with `page` and `page_size`; the X-Pagination header gives the total.
        Filters as on the dashboard. Cancelled inspections are listed too (their
        status says so), so an integration learns of the cancellation.
        """
        authorize("export.summary")
        since = args.pop("modified_since")
        filters = Filters(**args)
        where = inspection_conditions(filters, include_cancelled=True)
        stmt = sa.select(Inspection).where(*where, inspection_scope(current_user)).options(
            selectinload(Inspection.checklist_version).selectinload(ChecklistVersion.checklist),
            selectinload(Inspection.team))
        if since is not None:
            stmt = stmt.where(Inspection.updated_at >= since)
        return stmt.order_by(Inspection.updated_at, Inspection.id)
