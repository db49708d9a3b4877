"""Production set-up never ships the demo: `make serve` loads no demo data,
and gunicorn refuses to start while an account keeps the demo's published
password, unless the deployment says it is a demo server."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from server.extensions import db
from server.models import User
from server.services.administration.demo import DEMO_PASSWORD, USERS, accounts_with_demo_password
from tests.test_crash_consistency import AppServer, free_port

PROJECT = Path(__file__).resolve().parent.parent


def _make_dry_run(target: str) -> str:
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", target], cwd=PROJECT,
        capture_output=True, text=True, check=True,
    )
    return result.stdout


def test_make_serve_migrates_and_imports_checklists_but_never_loads_the_demo():
    serve = _make_dry_run("serve")
    assert "kiemtra db upgrade" in serve
    assert "kiemtra checklists import" in serve
    assert "kiemtra demo" not in serve
    assert "kiemtra demo" in _make_dry_run("run")


def test_every_demo_account_is_named_until_its_password_changes(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert accounts_with_demo_password() == sorted(username for username, *_ in USERS)
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        admin.set_password("a much longer secret phrase")
        db.session.scalar(sa.select(User).filter_by(username="viewer")).active = False
        db.session.commit()
        remaining = accounts_with_demo_password()
    assert "admin" not in remaining and "viewer" not in remaining
    assert "lead" in remaining and "officer2" in remaining


def test_an_administrator_given_the_demo_password_by_hand_is_named_too(app, runner):
    assert runner.invoke(args=["users", "create", "chief", "--role", "admin", "--password", DEMO_PASSWORD]).exit_code == 0
    with app.app_context():
        assert accounts_with_demo_password() == ["chief"]


def _start_gunicorn(app, **env) -> subprocess.Popen:
    server = AppServer(app, free_port())
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_conf", "server:create_app()"],
        cwd=PROJECT, env={**server.env, "KIEMTRA_WORKERS": "1", **env}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    ), server.port


def test_gunicorn_refuses_to_start_while_demo_accounts_keep_the_demo_password(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    process, _ = _start_gunicorn(app)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    assert "demo password" in stderr
    assert "admin" in stderr and "officer" in stderr


def test_a_declared_demo_server_and_a_cleaned_database_both_start(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    for env, cleanup in [({"KIEMTRA_DEMO_SERVER": "true"}, False), ({}, True)]:
        if cleanup:
            with app.app_context():
                for user in db.session.scalars(sa.select(User)):
                    user.set_password(f"{user.username} has a real password now")
                db.session.commit()
        process, port = _start_gunicorn(app, **env)
        try:
            deadline, status = time.monotonic() + 60, None
            while time.monotonic() < deadline and process.poll() is None and status != 200:
                try:
                    status = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
                except requests.RequestException:
                    time.sleep(0.2)
            assert status == 200, process.stderr.read() if process.poll() is not None else "no answer"
        finally:
            if process.poll() is None:
                os.killpg(process.pid, 15)
            process.communicate(timeout=30)
