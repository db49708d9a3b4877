"""Work run shortly after a commit, off the request that caused it.

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

from flask import current_app

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
