"""Background builds of the summary workbook, with a status file per job.

A workbook of 10,000 inspections takes seconds to tens of seconds, longer
than a request should wait, so the request starts a job and answers at once;
a thread builds the file into <instance>/exports/<job>.xlsx and keeps
<job>.json up to date ({status, done, total, rows, error}); the polling page
reads that file. Files-only status needs no table and survives a restart
(a job interrupted by one stays "running": its page says so after an hour).
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path

from flask import current_app

from ...extensions import db
from ..foundation import audit
from .dashboard import Filters
from .exports import Context, tables
from .exports_xlsx import write_workbook

STALE_S = 3600


def folder() -> Path:
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_status(path: Path, status: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status))
    os.replace(tmp, path)  # readers never see half a file


def status(job_id: str) -> dict | None:
    if not job_id.isalnum():
        return None
    path = folder() / f"{job_id}.json"
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def all_statuses() -> list[dict]:
    """Every job whose status file is still kept, newest first."""
    found = []
    for path in folder().glob("*.json"):
        state = status(path.stem)
        if state is not None:
            found.append(state)
    return sorted(found, key=lambda state: state.get("started") or 0, reverse=True)


def workbook_path(job_id: str) -> Path:
    return folder() / f"{job_id}.xlsx"


def start(user, filters: Filters, locale: str) -> str:
    """Start building a workbook; returns the job id (its status is readable at once)."""
    _clean_old()
    job_id = secrets.token_hex(12)
    base = folder()
    state = {"id": job_id, "user_id": user.id, "status": "queued", "done": 0, "total": None,
             "filters": filters.as_args(), "started": time.time(), "rows": None, "error": None}
    _write_status(base / f"{job_id}.json", state)
    audit.record(user, "export.workbook", None, job=job_id, filters=filters.as_args())
    db.session.commit()
    app = current_app._get_current_object()
    args = (app, job_id, user.id, filters, locale)
    if app.config["EXPORT_JOBS_INLINE"]:
        _run(*args)
    else:
        threading.Thread(target=_run, args=args, name=f"export-{job_id}", daemon=True).start()
    return job_id


def _run(app, job_id: str, user_id: int, filters: Filters, locale: str) -> None:
    from flask_babel import force_locale

    from ...models import User

    with app.app_context(), force_locale(locale):
        path = folder() / f"{job_id}.json"
        state = json.loads(path.read_text())
        try:
            user = db.session.get(User, user_id)
            last = [0.0]

            def progress(n: int) -> None:
                state["done"] += n
                if time.monotonic() - last[0] > 0.5:
                    last[0] = time.monotonic()
                    _write_status(path, state)

            ctx = Context(user, filters, locale=locale, progress=progress)
            # Two passes over the inspections (the inspections and item sheets) report progress.
            state.update(status="running", total=2 * ctx.count())
            _write_status(path, state)
            partial = workbook_path(job_id).with_suffix(".part")
            state["rows"] = write_workbook(partial, tables(ctx), locale)
            os.replace(partial, workbook_path(job_id))
            state.update(status="done", finished=time.time())
        except Exception as exc:  # the page must say that it failed, not spin forever
            app.logger.exception("Export %s failed", job_id)
            state.update(status="failed", error=str(exc))
        finally:
            db.session.remove()
        _write_status(path, state)


def _clean_old() -> None:
    """Remove exports older than EXPORT_KEEP_HOURS."""
    limit = time.time() - current_app.config["EXPORT_KEEP_HOURS"] * 3600
    for path in folder().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def is_stale(state: dict) -> bool:
    return state["status"] in ("queued", "running") and time.time() - state["started"] > STALE_S
