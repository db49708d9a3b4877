"""Summary exports: the tables shared by the workbook (exports_xlsx.py), the CSV
files (exports_csv.py) and, for inspections, the JSON listing.

Each table is a header and a generator of rows, read in keyset-paginated
batches (WHERE id > last ORDER BY id LIMIT n), so memory stays flat however
many inspections there are, on SQLite and PostgreSQL alike. Filters are the
dashboard's (services/reporting/dashboard.py). Item results merge checklist versions by
the stable item keys: one row per item per inspection, keyed by item key.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...models import (ActionStatus, Answer, Checklist, ChecklistVersion, Finding, Inspection, Plan,
                      RemediationAction, Team)
from ...permissions import inspection_scope
from ..foundation import settings as org_settings
from ..checklists.definition import iter_items, localize
from .dashboard import Filters, inspection_conditions
from .totals import DONE
from .report_text import answer_text, answer_words, band_text, decision_text, score_titles, shown_band
from ..foundation.settings import local_today

BATCH = 1000
TABLES = ("inspections", "items", "findings", "actions", "units")


@dataclass
class Table:
    name: str
    title: str
    header: list[str]
    rows: Callable[[], Iterator[list]]


class Context:
    """What every table of one export shares: filters, the user's scope, caches."""

    def __init__(self, user, filters: Filters, *, locale: str, today: date | None = None,
                 progress: Callable[[int], None] | None = None):
        self.filters, self.locale = filters, locale
        self.where = [*inspection_conditions(filters), inspection_scope(user)]
        # The inspections table lists the cancelled ones too, marked by their status;
        # the figures and the other tables leave them out.
        self.listed = [*inspection_conditions(filters, include_cancelled=True), inspection_scope(user)]
        self.today = today or local_today()
        self.tz = ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE"))
        self.progress = progress or (lambda n: None)
        self.words = answer_words()
        # Every value a person reads is a label in their language; the stored code
        # follows in its own column at the end of the row, for machines.
        from ...i18n import labels
        self.labels = labels()
        self._checklist_titles: dict[int, str] = {}
        self._section_titles: dict[int, dict[str, str]] = {}
        self._versions: dict[int, tuple[str, int, list]] = {}
        self._titles: dict[int, dict] = {}
        self._decisions: dict[tuple, str] = {}

    def version(self, version_id: int) -> tuple[str, int, list[tuple[str, dict, str]]]:
        """(checklist key, version number, [(section key, item, item text)]) of a version, cached."""
        if version_id not in self._versions:
            key, number, definition = db.session.execute(
                sa.select(Checklist.key, ChecklistVersion.number, ChecklistVersion.definition)
                .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
                .where(ChecklistVersion.id == version_id)).one()
            items = [(section["key"], item, localize(item["text"], self.locale))
                     for section, item in iter_items(definition)]
            self._versions[version_id] = (key, number, items)
            self._titles[version_id] = score_titles(definition, self.locale)
            self._checklist_titles[version_id] = localize(definition.get("title"), self.locale) or key
        return self._versions[version_id]

    def checklist_title(self, version_id: int) -> str:
        self.version(version_id)
        return self._checklist_titles[version_id]

    def section_title(self, version_id: int, section_key: str) -> str:
        self.version(version_id)
        return self._titles[version_id]["sections"].get(section_key) or section_key

    def label(self, table: str, code) -> str | None:
        """The reader's word for a stored code (the code itself when none is known)."""
        if code is None:
            return None
        return str(self.labels[table].get(code, code))

    def decision(self, version_id: int, decided_by: dict | None) -> str:
        """The deciding rule in words, once per distinct (version, rule, figures): most rows repeat one."""
        if not decided_by:
            return ""
        memo = (version_id, repr(sorted(decided_by.items())))
        text = self._decisions.get(memo)
        if text is None:
            self.version(version_id)
            text = decision_text(decided_by, self._titles[version_id])
            if len(self._decisions) < 10_000:
                self._decisions[memo] = text
        return text

    def local(self, moment: datetime | None) -> datetime | None:
        """A naive local datetime (spreadsheets know no time zones)."""
        return moment.astimezone(self.tz).replace(tzinfo=None) if moment else None

    def count(self) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Inspection).where(*self.where))


def _batches(ctx: Context, columns: list, *, join=None, where=None) -> Iterator[list]:
    """Rows of filtered inspections (with `columns`), in id order, batch by batch."""
    last = 0
    while True:
        stmt = sa.select(Inspection.id, *columns).where(*(where or ctx.where), Inspection.id > last)
        for target, on in join or ():
            stmt = stmt.outerjoin(target, on)
        chunk = db.session.execute(stmt.order_by(Inspection.id).limit(BATCH)).all()
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _number(value):
    """A JSON number as Python gives it back: integral floats as ints (2.0 → 2)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _figure(value):
    """A percentage from SQL (float, Decimal or None) as a number rounded to 2 places."""
    return None if value is None else _number(round(float(value), 2))


def _json_value(raw: str | None):
    if raw is None or raw == "null":
        return None
    if raw[0] == '"' and "\\" not in raw:
        return raw[1:-1]
    if raw.isdigit():
        return int(raw)
    return json.loads(raw)


def _result_label(result: str | None) -> str:
    return {"pass": _("Pass"), "fail": _("Fail"), "incomplete": _("Incomplete")}.get(result or "", result or "")


def inspections_table(ctx: Context) -> Table:
    header = [_("Inspection"), _("Unit code"), _("Unit"), _("Checklist"), _("Version"), _("Kind"), _("Status"),
              _("Window from"), _("Window to"), _("Checked in"), _("Submitted"), _("Concluded"), _("Plan"),
              _("Team"), _("Score"), _("Maximum"), _("Percent"), _("Band"), _("Result"), _("Deciding rule"),
              _("Checklist code"), _("Kind code"), _("Status code"), _("Result code")]

    def rows():
        # What the table shows of the stored score, extracted by the database (no 6 KB JSON per row).
        cols = [Inspection.unit_code_snapshot, Inspection.unit_name_snapshot, Inspection.checklist_version_id,
                Inspection.kind, Inspection.status, Inspection.window_start, Inspection.window_end,
                Inspection.checked_in_at, Inspection.submitted_at, Inspection.concluded_at, Plan.title, Team.name,
                Inspection.score["score"].as_float(), Inspection.score["maximum"].as_float(),
                Inspection.score["band"], Inspection.score_percent, Inspection.result, Inspection.score["decided_by"]]
        for chunk in _batches(ctx, cols, where=ctx.listed, join=[(Plan, Plan.id == Inspection.plan_id),
                                                                 (Team, Team.id == Inspection.team_id)]):
            for (iid, code, name, vid, kind, status, ws, we, cin, sub, conc, plan, team, points, maximum, band,
                 pct, res, decided_by) in chunk:
                key, number, _items = ctx.version(vid)
                yield [iid, code, name, ctx.checklist_title(vid), number, ctx.label("kind", kind),
                       ctx.label("status", status), ws, we, ctx.local(cin), ctx.local(sub),
                       ctx.local(conc), plan, team, _number(points), _number(maximum), _number(pct),
                       band_text(shown_band({"band": band, "decided_by": decided_by}), ctx.locale) or None,
                       _result_label(res), ctx.decision(vid, decided_by) or None,
                       key, str(kind), str(status), res]
            ctx.progress(len(chunk))

    return Table("inspections", _("Inspections"), header, rows)


def items_table(ctx: Context) -> Table:
    header = [_("Inspection"), _("Unit code"), _("Unit"), _("Checklist"), _("Version"), _("Section"),
              _("Item key"), _("Item"), _("Answer"), _("Outcome"), _("Points earned"), _("Points possible"),
              _("Checklist code"), _("Section code"), _("Outcome code")]

    def rows():
        cols = [Inspection.unit_code_snapshot, Inspection.unit_name_snapshot, Inspection.checklist_version_id,
                sa.cast(Inspection.score, sa.Text)]  # decoded below: the ORM's JSON type is 5x slower
        for chunk in _batches(ctx, cols):
            ids = [r[0] for r in chunk]
            answers: dict[int, dict] = {}
            # The values as JSON text, decoded here with a fast path for the common
            # scalars: 600,000 answers through the ORM's JSON type cost seconds.
            for iid, key, raw, na in db.session.execute(
                    sa.select(Answer.inspection_id, Answer.item_key, sa.cast(Answer.value, sa.Text), Answer.na)
                    .where(Answer.inspection_id.in_(ids))):
                answers.setdefault(iid, {})[key] = (_json_value(raw), na)
            for iid, code, name, vid, score in chunk:
                ckey, number, items = ctx.version(vid)
                given = answers.get(iid, {})
                scored = {i["key"]: i for i in (json.loads(score) if score else {}).get("items") or ()}
                for section_key, item, text in items:
                    item_key = item["key"]
                    s = scored.get(item_key, {})
                    value, na = given.get(item_key, (None, False))
                    outcome = s.get("outcome")
                    yield [iid, code, name, ctx.checklist_title(vid), number, ctx.section_title(vid, section_key),
                           item_key, text, answer_text(item, value, na, ctx.locale, ctx.words),
                           ctx.label("outcome", outcome), _number(s.get("earned")), _number(s.get("possible")),
                           ckey, section_key, outcome]
            ctx.progress(len(chunk))

    return Table("items", _("Item results"), header, rows)


def findings_table(ctx: Context) -> Table:
    header = [_("Finding"), _("Inspection"), _("Unit code"), _("Unit"), _("Item key"), _("Severity"),
              _("Description"), _("Unit's explanation"), _("Recorded"), _("Severity code")]

    def rows():
        last = 0
        while True:
            chunk = db.session.execute(
                sa.select(Finding.id, Finding.inspection_id, Inspection.unit_code_snapshot,
                          Inspection.unit_name_snapshot, Finding.item_key, Finding.severity, Finding.description,
                          Finding.unit_explanation, Finding.created_at)
                .join(Inspection, Inspection.id == Finding.inspection_id)
                .where(*ctx.where, Finding.id > last).order_by(Finding.id).limit(BATCH)).all()
            if not chunk:
                return
            for fid, iid, code, name, item_key, severity, description, explanation, created in chunk:
                yield [fid, iid, code, name, item_key, ctx.label("severity", severity), description, explanation,
                       ctx.local(created), severity]
            last = chunk[-1][0]

    return Table("findings", _("Findings"), header, rows)


def actions_table(ctx: Context) -> Table:
    from ...models import Unit

    header = [_("Action"), _("Inspection"), _("Responsible unit code"), _("Responsible unit"), _("Title"),
              _("Severity"), _("Priority"), _("Status"), _("Deadline"), _("Closed"), _("Overdue"),
              _("Closed on time"), _("Severity code"), _("Priority code"), _("Status code")]
    yes, no = _("yes"), _("no")

    def rows():
        A = RemediationAction
        last = 0
        while True:
            chunk = db.session.execute(
                sa.select(A.id, A.inspection_id, Unit.code, Unit.name, A.title, A.severity, A.priority, A.status,
                          A.deadline, A.closed_at)
                .join(Inspection, Inspection.id == A.inspection_id).join(Unit, Unit.id == A.unit_id)
                .where(*ctx.where, A.id > last).order_by(A.id).limit(BATCH)).all()
            if not chunk:
                return
            for aid, iid, code, name, title, sev, prio, status, deadline, closed in chunk:
                open_ = status not in (ActionStatus.CLOSED, ActionStatus.CANCELLED)
                closed_local = ctx.local(closed)
                on_time = None
                if status == ActionStatus.CLOSED and closed_local is not None:
                    on_time = yes if closed_local.date() <= deadline else no
                yield [aid, iid, code, name, title, ctx.label("severity", sev), ctx.label("priority", prio),
                       ctx.label("action_status", status), deadline, closed_local,
                       yes if open_ and ctx.today > deadline else no, on_time, sev, prio, str(status)]
            last = chunk[-1][0]

    return Table("actions", _("Actions"), header, rows)


def units_table(ctx: Context) -> Table:
    header = [_("Unit code"), _("Unit"), _("Inspections"), _("Done"), _("Mean percent"), _("Lowest percent"),
              _("Highest percent"), _("Passed"), _("Failed"), _("Findings"), _("Actions open"),
              _("Actions overdue")]

    def rows():
        done = Inspection.status.in_(DONE)
        count_if = lambda cond: sa.func.sum(sa.case((cond, 1), else_=0))  # noqa: E731
        scored = sa.case((done, Inspection.score_percent))
        base = db.session.execute(
            sa.select(Inspection.unit_id, sa.func.max(Inspection.unit_code_snapshot),
                      sa.func.max(Inspection.unit_name_snapshot), sa.func.count(), count_if(done),
                      sa.func.avg(scored), sa.func.min(scored), sa.func.max(scored),
                      count_if(sa.and_(done, Inspection.result == "pass")),
                      count_if(sa.and_(done, Inspection.result == "fail")))
            .where(*ctx.where).group_by(Inspection.unit_id).order_by(sa.func.max(Inspection.unit_code_snapshot))
        ).all()
        findings = dict(db.session.execute(
            sa.select(Inspection.unit_id, sa.func.count()).select_from(Finding)
            .join(Inspection, Inspection.id == Finding.inspection_id).where(*ctx.where)
            .group_by(Inspection.unit_id)).all())
        A = RemediationAction
        open_ = A.status.notin_((ActionStatus.CLOSED, ActionStatus.CANCELLED))
        actions = {u: (o or 0, od or 0) for u, o, od in db.session.execute(
            sa.select(A.unit_id, count_if(open_), count_if(sa.and_(open_, A.deadline < ctx.today)))
            .join(Inspection, Inspection.id == A.inspection_id).where(*ctx.where).group_by(A.unit_id))}
        for uid, code, name, n, n_done, mean, lo, hi, passed, failed in base:
            o, od = actions.get(uid, (0, 0))
            # Numbers as numbers, whole ones as whole (60, not 60.0), whatever the database returns.
            yield [code, name, int(n), int(n_done or 0), _figure(mean), _figure(lo), _figure(hi),
                   int(passed or 0), int(failed or 0), int(findings.get(uid, 0)), int(o), int(od)]

    return Table("units", _("By unit"), header, rows)


def tables(ctx: Context, names=TABLES) -> list[Table]:
    build = {"inspections": inspections_table, "items": items_table, "findings": findings_table,
             "actions": actions_table, "units": units_table}
    return [build[name](ctx) for name in names]
