"""Two people at once: one holds a change open while the other's request runs."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from server.extensions import db


def request_during_open_change(app, change: Callable[[], None], request: Callable[[], int]) -> int:
    """Run `change` (it locks a row and changes it) in a transaction of its own,
    and `request` in another thread while that transaction is still open.
    Checks that the request waits for the change, then commits the change and
    returns the request's HTTP status."""
    locked, may_commit, statuses = threading.Event(), threading.Event(), []

    def hold():
        with app.app_context():
            change()
            db.session.flush()
            locked.set()
            may_commit.wait(10)
            db.session.commit()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10), "the change never took its lock"
    asker = threading.Thread(target=lambda: statuses.append(request()))
    asker.start()
    time.sleep(0.5)
    waited = statuses == []
    may_commit.set()
    holder.join(10)
    asker.join(10)
    assert waited, "the request did not wait for the open change"
    assert len(statuses) == 1, "the request is stuck"
    return statuses[0]
