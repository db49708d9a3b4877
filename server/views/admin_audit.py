"""The audit trail page (/admin/audit): filter, check the chain, export CSV."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms.audit import AuditFilterForm
from ..forms.settings import setting_labels
from ..permissions import permission_required
from ..services.administration import audit_trail, overview
from ..services.reporting import exports_csv

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")


def _filters() -> tuple[AuditFilterForm, audit_trail.Filters | None]:
    """The filter form read from the query string, and the filters (None if refused)."""
    form = AuditFilterForm(formdata=request.args)
    offered = audit_trail.choices()
    actions, objects = audit_trail.action_labels(), audit_trail.object_labels()
    form.offer([(user, user.full_name or user.username) for user in offered["users"]],
               sorted(((code, audit_trail.label(actions, code)) for code in offered["actions"]), key=lambda c: c[1]),
               sorted(((code, audit_trail.label(objects, code)) for code in offered["objects"]), key=lambda c: c[1]),
               _("All"))
    if not form.validate():
        return form, None
    return form, audit_trail.Filters(
        user_id=form.user.data, action=form.action.data or None, object_type=form.object_type.data or None,
        object_id=(form.object_id.data or "").strip() or None, day_from=form.day_from.data,
        day_to=form.day_to.data)


@bp.get("")
@permission_required("audit.view")
def index():
    form, filters = _filters()
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    rows, more = audit_trail.entries(filters, page=page) if filters else ([], False)
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "admin/audit.html", form=form, rows=rows, more=more, page=page, query=query,
        actions=audit_trail.action_labels(), objects=audit_trail.object_labels(), details=audit_trail.detail_labels(),
        names=audit_trail.user_names(), label=audit_trail.label, objects_named=audit_trail.object_names(rows),
        detail_rows=audit_trail.detail_rows, setting_labels=setting_labels(),
    ), 200 if filters else 422


@bp.get("/audit.csv")
@permission_required("audit.view")
def export_csv():
    form, filters = _filters()
    if filters is None:
        return index()
    response = Response(stream_with_context(exports_csv.stream(audit_trail.csv_table(filters, setting_labels()))), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="kiemtra-audit.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/verify")
@permission_required("audit.view")
def verify():
    verify_and_report()
    return redirect(url_for("admin_audit.index"), 303)


def verify_and_report() -> None:
    """Check the audit chain now (the check is itself recorded) and say what it found."""
    checked, problems = overview.verify_audit(current_user)
    db.session.commit()
    if problems:
        flash(_("The audit trail has %(count)d problem(s); the first: %(problem)s",
                count=len(problems), problem=str(problems[0])), "error")
    else:
        flash(_("The audit trail is intact: %(count)d entries checked.", count=checked), "info")
