"""The dashboard: coverage, scores, gaps, failed items, repeats and actions, as inline SVG charts."""
from __future__ import annotations

import time
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required

from ..errors import user_error
from ..extensions import db
from ..models import Unit
from ..permissions import authorize
from ..services.reporting import dashboard as dashboard_service
from ..services.fieldwork import plans as plan_service
from . import charts
from ..i18n import date_example, format_month, format_number, format_percent, parse_day
from ..services.foundation.settings import local_today

bp = Blueprint("dashboard", __name__)


def filters_from_args(args) -> dashboard_service.Filters:
    """Dashboard and export filters from a query string; a bad value is a 400 with a message
    naming the filter as the page labels it, never the parameter's name."""
    labels = {"period_start": _("Period from"), "period_end": _("Period to"), "plan_id": _("Plan"),
              "checklist_id": _("Checklist"), "unit_id": _("Unit")}

    def day(name):
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        day = parse_day(raw)
        if day is None:
            raise user_error(400, _("%(field)s: enter a date like %(example)s.", field=labels[name],
                                    example=date_example()))
        return day

    def number(name):
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise user_error(400, _("Enter a whole number for %(field)s.", field=labels[name]))
        return int(raw)

    unit_id = number("unit_id")
    code = (args.get("unit") or "").strip()
    if code and unit_id is None:
        unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == code).order_by(Unit.id.desc()).limit(1))
        if unit_id is None:
            raise user_error(400, _("No unit has the code %(code)s.", code=code))
    return dashboard_service.Filters(period_start=day("period_start"), period_end=day("period_end"),
                                     plan_id=number("plan_id"), checklist_id=number("checklist_id"), unit_id=unit_id)


def log_embargoed_plan_view(filters: dashboard_service.Filters, where: str) -> None:
    """Figures narrowed to one embargoed plan are a view of that plan: logged like its page."""
    if filters.plan_id:
        plan = plan_service.get_plan(filters.plan_id)
        if plan is not None:
            plan_service.log_embargoed_views(current_user, [plan], where=where)
            db.session.commit()


def _charts(data: dict) -> dict:
    cov = data["coverage"]["months"]
    months = [format_month(m["period"]) for m in cov]
    coverage = charts.stacked_columns(_("Coverage by month"), months, [
        ("done", [m["done"] - m["late"] for m in cov]), ("late", [m["late"] for m in cov]),
        ("missed", [m["missed"] for m in cov]),
        ("open", [m["planned"] - m["done"] - m["missed"] for m in cov])])
    by_period = data["scores"]["by_period"]
    score_periods = charts.hbars(_("Mean score by month"),
                                 [(format_month(p["period"]), p["mean"], f'{format_percent(p["mean"])} (n={format_number(p["n"])})')
                                  for p in by_period],
                                 "score", 100)
    lowest = charts.hbars(_("Lowest mean score by unit"),
                          [(u["unit"], u["mean"], f'{format_percent(u["mean"])} (n={format_number(u["n"])})')
                           for u in data["scores"]["lowest_units"]],
                          "score", 100)
    gap = charts.paired_hbars(_("Announced and unannounced scores"),
                              [(g["unit"], g["announced"], g["unannounced"]) for g in data["gap"]["largest"]])
    failed = charts.hbars(_("Most-failed items"),
                          [(i["text"], i["fails"], format_number(i["fails"]) + (f' ({format_percent(i["share"])})' if i["share"] is not None else ""))
                           for i in data["failed"]["items"]], "fails")
    repeats = charts.hbars(_("Repeat findings"),
                           [(f'{r["unit"]} – {r["item"]}', r["times"], f'×{format_number(r["times"])}') for r in data["repeats"]["top"]],
                           "fails")
    actions = charts.stacked_hbars(_("Actions by unit"),
                                   [(r["unit"], [r["overdue"], r["open"], r["on_time"], r["late"]])
                                    for r in data["actions"]["units"]], ["overdue", "open", "on_time", "late"])
    drawn = {"coverage": coverage, "score_periods": score_periods, "lowest": lowest, "gap": gap,
             "failed": failed, "repeats": repeats, "actions": actions}
    tables = _tables(data)
    # Each drawn chart is followed by its figures as a table (empty charts stay empty).
    return {name: svg + tables[name] if svg else svg for name, svg in drawn.items()}


def _tables(data: dict) -> dict:
    """Every chart's figures as a table: the chart's text alternative."""
    show = _("Show the figures")

    def pct(value):
        return "–" if value is None else format_percent(value)

    cov = data["coverage"]["months"]
    mean = [_("Mean score"), _("Inspections")]
    return {
        "coverage": charts.data_table(_("Coverage by month"), [_("Month"), _("Done on time"), _("Done late"),
                                                               _("Missed"), _("Not yet due")],
                                      [[format_month(m["period"]), m["done"] - m["late"], m["late"], m["missed"],
                                        m["planned"] - m["done"] - m["missed"]] for m in cov], show),
        "score_periods": charts.data_table(_("Mean score by month"), [_("Month"), *mean],
                                           [[format_month(p["period"]), pct(p["mean"]), p["n"]] for p in data["scores"]["by_period"]],
                                           show),
        "lowest": charts.data_table(_("Lowest mean score by unit"), [_("Unit"), *mean],
                                    [[u["unit"], pct(u["mean"]), u["n"]] for u in data["scores"]["lowest_units"]], show),
        "gap": charts.data_table(_("Announced and unannounced scores"), [_("Unit"), _("Announced"), _("Unannounced")],
                                 [[g["unit"], pct(g["announced"]), pct(g["unannounced"])] for g in data["gap"]["largest"]],
                                 show),
        "failed": charts.data_table(_("Most-failed items"), [_("Item"), _("Failures"), _("Share of inspections done")],
                                    [[i["text"], i["fails"], pct(i["share"])] for i in data["failed"]["items"]], show),
        "repeats": charts.data_table(_("Repeat findings"), [_("Unit"), _("Item"), _("Times failed")],
                                     [[r["unit"], r["item"], r["times"]] for r in data["repeats"]["top"]], show),
        "actions": charts.data_table(_("Actions by unit"), [_("Unit"), _("Overdue"), pgettext("actions not closed", "Open"), _("Closed on time"),
                                                            _("Closed late")],
                                     [[r["unit"], r["overdue"], r["open"], r["on_time"], r["late"]]
                                      for r in data["actions"]["units"]], show),
    }


def _cached_summary(filters, today: date, locale: str) -> dict:
    """The figures, recomputed at most every DASHBOARD_CACHE_SECONDS per filter set:
    a lead reloading or several viewers at once cost one computation."""
    ttl = current_app.config["DASHBOARD_CACHE_SECONDS"]
    cache = current_app.extensions.setdefault("kiemtra.dashboard_cache", {})
    key = (filters, today, locale)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    data = dashboard_service.summary(filters, today=today, locale=locale)
    if ttl > 0:
        if len(cache) > 256:
            cache.clear()
        cache[key] = (now, data)
    return data


@bp.get("/dashboard")
@login_required
def index():
    authorize("dashboard.view")
    filters = filters_from_args(request.args)
    log_embargoed_plan_view(filters, "dashboard")
    data = _cached_summary(filters, local_today(), str(get_locale() or "vi"))
    return render_template("dashboard/index.html", data=data, charts=_charts(data), filters=filters,
                           legend=charts.legend, unit_code=request.args.get("unit", ""),
                           **dashboard_service.filter_choices())
