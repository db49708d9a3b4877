"""Work run shortly after a commit, off the request that caused it.

`after_commit_of(flag, ...)`: a transaction that sets session.info[flag]
schedules the work when it commits (a rollback forgets the flag).

`run_soon(name, job, delay)` runs `job()` in an app context `delay` seconds
from now, from a timer thread, unless a run of that name is already scheduled
in this process: under load one run takes the work of many requests (the
audit seal, the dashboard's totals). The job must take whatever is pending
when it runs, committed by any process, so that work a dying process leaves
is taken by the next run anywhere. With delay 0 the job runs at once, in the
caller's thread, and its errors reach the caller (tests).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import current_app, has_app_context
from sqlalchemy import event

from ...extensions import db

log = logging.getLogger(__name__)

_lock = threading.Lock()
_scheduled: dict[tuple[str, object], threading.Timer] = {}  # (name, app) -> its timer


def run_soon(name: str, job: Callable[[], object], delay: float) -> None:
    if delay <= 0:
        job()
        return
    app = current_app._get_current_object()
    with _lock:
        if (name, app) in _scheduled:
            return
        timer = _scheduled[name, app] = threading.Timer(delay, _run, args=(name, app, job))
    timer.daemon = True  # a dying process leaves its work to the next run anywhere
    timer.start()


def _run(name: str, app, job: Callable[[], object]) -> None:
    with _lock:  # work committed from now on schedules the next run
        _scheduled.pop((name, app), None)
    try:
        with app.app_context():
            job()
    except Exception:  # noqa: BLE001 - a thread of its own: log; the next run takes the work
        log.exception("%s failed; its work stays pending for the next run", name)


def after_commit_of(flag: str, name: str, delay_setting: str, job: Callable[[object], Callable[[], object]]) -> None:
    """When a transaction of the app's session that set `session.info[flag]`
    commits, run `job(session)()` soon: `delay_setting` names the config key of
    the delay (run at once outside an app context). Registered once, on the
    extension's session, whatever number of apps is created."""

    @event.listens_for(db.session, "after_commit")
    def _after_commit(session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint released: wait for the outermost commit
        if session.info.pop(flag, False):
            work = job(session)
            if has_app_context():
                run_soon(name, work, current_app.config[delay_setting])
            else:
                work()

    @event.listens_for(db.session, "after_soft_rollback")
    def _forget(session, previous_transaction) -> None:
        if previous_transaction.parent is None and not previous_transaction.nested:
            session.info.pop(flag, None)
