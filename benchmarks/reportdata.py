"""Generated data for the report benchmarks (dashboard, summary workbook).

A 60-item checklist (pass/fail, ratio, count and scale items in six sections),
units, plans, inspections with answers and stored scores, findings and
remediation actions, bulk-inserted; then failed_items and the dashboard's
totals are rebuilt, since the session listeners that keep them do not see
bulk inserts. Scores are computed by the one scoring module for 300 answer
patterns and reused, so generation stays quick.
"""
from __future__ import annotations

import random
import uuid as uuidlib
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from server.extensions import db
from server.models import (Answer, Checklist, ChecklistVersion, Finding, Inspection, Plan, RemediationAction,
                           Role, Team, Unit, User)
from server.services.reporting import totals as dashboard_totals, item_results
from server.services.checklists.definition import validate_definition
from server.services.checklists.scoring import score_inspection

TYPES = ["pass_fail", "pass_fail", "ratio", "count", "scale", "pass_fail"]


def checklist_source(n_items: int = 60) -> dict:
    sections = []
    per = n_items // 6
    for s in range(6):
        items = []
        for i in range(per):
            kind = TYPES[(s + i) % len(TYPES)]
            item = {"key": f"s{s}-i{i}", "type": kind, "points": 1 + i % 3,
                    "text": {"vi": f"Tiêu chí {s + 1}.{i + 1}: niêm yết công khai đúng quy định",
                             "en": f"Criterion {s + 1}.{i + 1}"}}
            if kind == "ratio":
                item |= {"numerator": "Đúng hạn", "denominator": "Đã giải quyết", "pass_at": 90}
            elif kind == "count":
                item |= {"pass_at_most": 0}
            elif kind == "scale":
                item |= {"pass_at": 3}
            items.append(item)
        sections.append({"key": f"s{s}", "title": {"vi": f"Lĩnh vực {s + 1}", "en": f"Area {s + 1}"}, "items": items})
    return {"key": "bench-60", "title": {"vi": "Bảng kiểm 60 tiêu chí", "en": "60-item checklist"},
            "scoring": {"pass_mark": 80, "bands": [{"min": 90, "label": {"vi": "Tốt", "en": "Good"}},
                                                  {"min": 0, "label": {"vi": "Chưa đạt", "en": "Not met"}}]},
            "sections": sections}


def _answer(rng: random.Random, item: dict, quality: float):
    ok = rng.random() < quality
    kind = item["type"]
    if kind == "pass_fail":
        return "pass" if ok else "fail"
    if kind == "ratio":
        den = rng.randint(20, 200)
        return {"numerator": den if ok else int(den * 0.7), "denominator": den}
    if kind == "count":
        return 0 if ok else rng.randint(1, 4)
    return rng.randint(3, 5) if ok else rng.randint(1, 2)


def generate(n_inspections: int, *, n_units: int = 3000, seed: int = 7, with_answers: bool = True,
             progress=print) -> dict:
    """Fill an empty database; returns a few ids for the benchmark's requests."""
    rng = random.Random(seed)
    definition, errors = validate_definition(checklist_source(), "bench")
    assert not errors, errors
    checklist = Checklist(key="bench-60")
    version = ChecklistVersion(checklist=checklist, number=1, content_hash="b" * 64, definition=definition)
    team = Team(name="Đoàn kiểm tra")
    lead = User(username="lead", role=Role.LEAD, full_name="Trưởng đoàn", password_hash="x")
    db.session.add_all([version, team, lead])
    db.session.flush()
    kinds = ["ward", "commune", "service_centre", "department"]
    db.session.execute(sa.insert(Unit), [{"code": f"{i:05d}", "name": f"Phường Thử Nghiệm {i}",
                                          "kind": kinds[i % 4]} for i in range(n_units)])
    unit_ids = db.session.scalars(sa.select(Unit.id).order_by(Unit.id)).all()
    quality = {u: rng.uniform(0.85, 0.99) for u in unit_ids}  # share of items a unit passes
    plans = []
    for q in range(8):
        start = date(2025, 1, 1) + timedelta(days=91 * q)
        plan = Plan(title=f"Kế hoạch quý {q % 4 + 1}/{2025 + q // 4}", kind=("announced", "unannounced")[q % 2],
                    period_start=start, period_end=start + timedelta(days=90), checklist_id=checklist.id,
                    team_id=team.id)
        db.session.add(plan)
        plans.append(plan)
    db.session.flush()

    patterns = []
    for p in range(300):
        q = 0.8 + 0.2 * p / 300
        answers = {item["key"]: _answer(rng, item, q) for section in definition["sections"] for item in section["items"]}
        score = score_inspection(definition, {k: {"value": v} for k, v in answers.items()})
        patterns.append((answers, score.to_dict(), score.percent, score.result))
    patterns.sort(key=lambda p: p[2])  # pattern index rises with the share of passed items
    keys = [item["key"] for section in definition["sections"] for item in section["items"]]

    batch = 2000
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for first in range(0, n_inspections, batch):
        rows, answer_rows, finding_rows, action_rows = [], [], [], []
        pattern_of: dict[str, tuple] = {}
        count = min(batch, n_inspections - first)
        for n in range(first, first + count):
            unit_id = rng.choice(unit_ids)
            plan = plans[n % len(plans)]
            ws = plan.period_start + timedelta(days=rng.randint(0, 80))
            status = rng.choices(["concluded", "approved", "submitted", "planned", "cancelled"], [60, 15, 10, 13, 2])[0]
            done = status in ("concluded", "approved", "submitted")
            # Better units pick better answer patterns.
            pattern = patterns[min(299, max(0, int((rng.gauss(quality[unit_id], 0.04) - 0.8) / 0.2 * 300)))] if done else None
            uuid = str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
            pattern_of[uuid] = pattern
            submitted = datetime(ws.year, ws.month, ws.day, 9, tzinfo=timezone.utc) + timedelta(days=rng.randint(0, 5))
            rows.append({
                "uuid": uuid, "plan_id": plan.id,
                "checklist_version_id": version.id, "unit_id": unit_id, "unit_code_snapshot": f"{unit_id:05d}",
                "unit_name_snapshot": f"Phường Thử Nghiệm {unit_id}", "kind": plan.kind, "status": status,
                "team_id": team.id, "window_start": ws, "window_end": ws + timedelta(days=3),
                "checked_in_at": submitted if done else None, "submitted_at": submitted if done else None,
                "started_at": submitted if done else None,
                "concluded_at": submitted + timedelta(days=10) if status == "concluded" else None,
                "score": pattern[1] if done else None, "score_percent": pattern[2] if done else None,
                "result": pattern[3] if done else None, "revision": 0, "created_at": now, "updated_at": now,
            })
        db.session.execute(sa.insert(Inspection), rows)
        ids = db.session.execute(sa.select(Inspection.id, Inspection.uuid, Inspection.unit_id, Inspection.window_end)
                                 .order_by(Inspection.id.desc()).limit(count)).all()
        for iid, uuid, unit_id, window_end in ids:
            pattern = pattern_of[uuid]
            if pattern is None:
                continue
            failed = [i["key"] for i in pattern[1]["items"] if i["outcome"] == "fail"]
            if with_answers:
                answer_rows.extend({"inspection_id": iid, "item_key": key, "value": pattern[0][key], "na": False}
                                   for key in keys)
            for key in failed[:3]:
                finding_rows.append({"uuid": str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
                                     "inspection_id": iid, "item_key": key, "severity": "major",
                                     "description": f"Không đạt tiêu chí {key}", "created_at": now})
                deadline = window_end + timedelta(days=30)
                closed = rng.random() < 0.6
                action_rows.append({"inspection_id": iid, "unit_id": unit_id, "title": f"Khắc phục {key}",
                                    "item_keys": [key], "finding_snapshot": [], "severity": "major",
                                    "priority": "normal", "deadline": deadline,
                                    "status": "closed" if closed else rng.choice(["open", "in_progress"]),
                                    "closed_at": (datetime(deadline.year, deadline.month, deadline.day, 3,
                                                           tzinfo=timezone.utc) + timedelta(days=rng.randint(-20, 5)))
                                    if closed else None, "created_at": now})
        for table, data in ((Answer, answer_rows), (Finding, finding_rows), (RemediationAction, action_rows)):
            for i in range(0, len(data), 10000):
                db.session.execute(sa.insert(table), data[i:i + 10000])
        db.session.commit()
        progress(f"  {first + count} inspections")
    item_results.rebuild_all()
    dashboard_totals.rebuild_all()
    db.session.commit()
    return {"plan_id": plans[0].id, "checklist_id": checklist.id, "unit_id": unit_ids[0]}

