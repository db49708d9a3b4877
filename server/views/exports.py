"""Summary exports: the page, CSV downloads (streamed) and workbook jobs (built in the background)."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request, send_file,
                   stream_with_context, url_for)
from flask_babel import get_locale
from flask_login import current_user, login_required

from ..errors import user_error
from ..forms.exports import WorkbookForm
from ..permissions import authorize
from ..services.reporting import dashboard as dashboard_service
from ..services.reporting import export_jobs, exports, exports_csv
from .dashboard import filters_from_args, log_embargoed_plan_view

bp = Blueprint("exports", __name__)


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@bp.get("/exports")
@login_required
def index():
    authorize("export.summary")
    filters = filters_from_args(request.args)
    return render_template("exports/index.html", filters=filters, tables=exports.TABLES,
                           args=filters.as_args(), unit_code=request.args.get("unit", ""),
                           **dashboard_service.filter_choices())


@bp.get("/exports/<any(inspections, items, findings, actions, units):table>.csv")
@login_required
def csv_file(table: str):
    authorize("export.summary")
    filters = filters_from_args(request.args)
    log_embargoed_plan_view(filters, f"exports.{table}.csv")
    ctx = exports.Context(current_user._get_current_object(), filters, locale=_locale())
    [chosen] = exports.tables(ctx, [table])
    # The mimetype alone: Werkzeug adds "; charset=utf-8" to every text/ type.
    response = Response(stream_with_context(exports_csv.stream(chosen)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="kiemtra-{table}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/exports/workbook")
@login_required
def start_workbook():
    authorize("export.summary")
    form = WorkbookForm()
    if not form.validate():
        raise user_error(400, form.first_error())
    unit_id = form.unit_id.data
    if form.unit.data and unit_id is None:
        unit_id = filters_from_args({"unit": form.unit.data}).unit_id  # a unit named by its code
    filters = dashboard_service.Filters(
        period_start=form.period_start.data, period_end=form.period_end.data, plan_id=form.plan_id.data,
        checklist_id=form.checklist_id.data, unit_id=unit_id)
    log_embargoed_plan_view(filters, "exports.workbook")
    job_id = export_jobs.start(current_user, filters, _locale())
    return redirect(url_for("exports.job", job_id=job_id), code=303)


def _own_job(job_id: str) -> dict:
    authorize("export.summary")
    state = export_jobs.status(job_id)
    if state is None or state["user_id"] != current_user.id:
        abort(404)  # another user's export is not theirs to know of
    return state


@bp.get("/exports/jobs/<job_id>")
@login_required
def job(job_id: str):
    state = _own_job(job_id)
    percent = None
    if state.get("total"):
        percent = min(100, round(100 * state["done"] / state["total"]))
    return render_template("exports/job.html", state=state, percent=percent, stale=export_jobs.is_stale(state))


@bp.get("/exports/jobs/<job_id>/kiemtra-summary.xlsx")
@login_required
def download(job_id: str):
    state = _own_job(job_id)
    path = export_jobs.workbook_path(job_id)
    if state["status"] != "done" or not path.exists():
        abort(404)
    return send_file(path, as_attachment=True, download_name="kiemtra-summary.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
