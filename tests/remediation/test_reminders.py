"""Deadline reminders: each sent exactly once, in the app and by email (a real local SMTP server)."""
import email
import email.policy
import socket
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from server.extensions import db
from server.models import ActionStatus, Notification, RemediationAction, Role, User
from server.services.foundation.mail import MailSettings
from server.services.remediation.reminders import due_reminder, send_reminders
from tests.factories import make_team, make_unit, make_user
from tests.remediation_factories import make_action

DEADLINE = date(2026, 6, 30)
OFF = MailSettings(server=None)


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def world(ctx):
    unit = make_unit(name="Phường Nhắc")
    lead = make_user(Role.LEAD, username="lead")
    lead.email = "lead@example.org"
    team = make_team(members=[lead])
    team.lead = lead
    officer = make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
    officer.email = "officer@example.org"
    make_user(Role.UNIT_OFFICER, username="officer2", unit=unit)  # no email: in-app only
    action = make_action(unit=unit, team=team, deadline=DEADLINE)
    db.session.commit()
    return action


def count(**where) -> int:
    stmt = sa.select(sa.func.count(Notification.id))
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return db.session.scalar(stmt)


@pytest.mark.parametrize("days_left, expected", [
    (10, None), (7, "before:7"), (5, "before:7"), (1, "before:1"), (0, "before:1"), (-1, "overdue"),
])
def test_which_reminder_is_due(days_left, expected):
    action = RemediationAction(deadline=DEADLINE)
    assert due_reminder(action, DEADLINE - timedelta(days=days_left), [7, 1]) == expected


def test_each_reminder_is_sent_once_across_repeated_daily_runs(world):
    for days_left in (10, 7, 7, 6, 3, 1, 1, 0, -1, -1, -5):
        send_reminders(today=DEADLINE - timedelta(days=days_left), days_before=[7, 1], mail=OFF)
        send_reminders(today=DEADLINE - timedelta(days=days_left), days_before=[7, 1], mail=OFF)
    officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
    lead = db.session.scalar(sa.select(User).where(User.username == "lead"))
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == officer.id)
                               .order_by(Notification.id)).all()
    assert kinds == ["reminder_before", "reminder_before", "reminder_overdue"]
    assert db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == lead.id)).all() == [
        "reminder_overdue"]
    assert count() == 3 + 3 + 1  # two officers, and the lead once overdue


def test_a_missed_run_sends_only_the_tightest_reminder(world):
    send_reminders(today=DEADLINE, days_before=[7, 1], mail=OFF)
    assert count(kind="reminder_before") == 2  # the 1-day one, to both officers; not the 7-day one too
    assert db.session.scalar(sa.select(Notification.title).limit(1)).startswith(("Due on 2026-06-30", "Đến hạn"))


def test_a_finished_action_gets_no_reminder_and_an_extension_gets_its_own(world):
    action = world
    send_reminders(today=DEADLINE - timedelta(days=1), days_before=[7, 1], mail=OFF)
    action.deadline = DEADLINE + timedelta(days=30)
    db.session.commit()
    send_reminders(today=DEADLINE + timedelta(days=29), days_before=[7, 1], mail=OFF)
    assert count(kind="reminder_before") == 4
    action.status = ActionStatus.CLOSED
    db.session.commit()
    send_reminders(today=DEADLINE + timedelta(days=90), days_before=[7, 1], mail=OFF)
    assert count(kind="reminder_overdue") == 0


def test_concurrent_runs_never_send_twice(app, world):
    errors = []
    barrier = threading.Barrier(4)

    def run():
        try:
            with app.app_context():
                barrier.wait()
                send_reminders(today=DEADLINE + timedelta(days=1), days_before=[7, 1], mail=OFF)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    assert count(kind="reminder_overdue") == 3


def test_the_command_emails_each_reminder_once_through_smtp(app, runner, world, smtp):
    controller, inbox = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL="https://kiemtra.example")
    for day in ("2026-06-23", "2026-06-23", "2026-06-24"):
        result = runner.invoke(args=["actions", "remind", "--today", day])
        assert result.exit_code == 0, result.output
    assert [to for to, _ in inbox.messages] == [["officer@example.org"]]
    message = email.message_from_string(inbox.messages[0][1], policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    assert "https://kiemtra.example/actions/" in body
    db.session.expire_all()
    assert count() == 2  # both officers in the app; only one has an email address
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.emailed_at.is_not(None))) == 1


def test_an_email_that_failed_is_sent_by_a_later_run_and_only_then(app, runner, world, smtp):
    controller, inbox = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT_S=2,  # nobody listens
                      BASE_URL="https://kiemtra.example")
    result = runner.invoke(args=["actions", "remind", "--today", "2026-07-02"])
    assert result.exit_code == 1 and "2 email failures" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.emailed_at.is_not(None))) == 0
    app.config.update(MAIL_PORT=controller.port)
    for _ in range(2):
        assert runner.invoke(args=["actions", "remind", "--today", "2026-07-02"]).exit_code == 0
    assert sorted(to[0] for to, _ in inbox.messages) == ["lead@example.org", "officer@example.org"]


def test_mail_is_off_by_default(app):
    assert app.config["MAIL_SERVER"] is None
    assert not MailSettings.from_config(app.config).enabled


def _received(inbox, to):
    for rcpt, raw in inbox.messages:
        if rcpt == [to]:
            return email.message_from_string(raw, policy=email.policy.default)
    raise AssertionError(f"nothing sent to {to}")


@pytest.mark.parametrize("locale, subject, lines, html_bits", [
    ("vi", "Đến hạn ngày 30/06/2026 (còn 7 ngày): Biển hiệu",
     ["Kính gửi Người dùng unit_officer,", "Yêu cầu khắc phục: Biển hiệu", "Đơn vị: Phường Nhắc",
      "Thời hạn khắc phục: 30/06/2026", "Số ngày còn lại: 7",
      "Vui lòng thực hiện khắc phục và gửi báo cáo kết quả khắc phục kèm minh chứng trước thời hạn.",
      "Xem yêu cầu khắc phục: https://kiemtra.example/actions/"],
     ["<td>Biển hiệu</td>", "<td>Phường Nhắc</td>", "30/06/2026", ">Xem yêu cầu khắc phục</a>"]),
    ("en", "Due on 30 Jun 2026 (7 days left): Signage",
     ["Dear Người dùng unit_officer,", "Remediation action: Signage", "Unit: Phường Nhắc",
      "Deadline: 30 Jun 2026", "Days left: 7",
      "Please carry out the remediation and send the remediation report with its evidence before the deadline.",
      "Open the action: https://kiemtra.example/actions/"],
     ["<td>Signage</td>", "<td>Phường Nhắc</td>", "30 Jun 2026", ">Open the action</a>"]),
])
def test_a_reminder_email_is_in_the_recipients_language_with_an_absolute_link(
        app, runner, world, smtp, locale, subject, lines, html_bits):
    """Which action, which unit, the deadline in their style, what to do, and a link that works from a mailbox."""
    controller, inbox = smtp
    action = world
    action.title = "Biển hiệu"  # as a conclusion titles an action: its item's text
    officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
    officer.locale = locale
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL="https://kiemtra.example")
    result = runner.invoke(args=["actions", "remind", "--today", "2026-06-23"])
    assert result.exit_code == 0, result.output
    message = _received(inbox, "officer@example.org")
    assert message["Subject"] == subject
    text = message.get_body(("plain",)).get_content()
    for line in lines:
        assert line in text
    assert f"https://kiemtra.example/actions/{action.id}" in text
    assert "2026-06-30" not in text and "Due on" not in text if locale == "vi" else "Đến hạn" not in text
    html = message.get_body(("html",)).get_content()
    assert f'href="https://kiemtra.example/actions/{action.id}"' in html
    for bit in html_bits:
        assert bit in html


def test_the_lead_is_asked_to_follow_up_an_overdue_action(app, runner, world, smtp):
    controller, inbox = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL="https://kiemtra.example/")
    assert runner.invoke(args=["actions", "remind", "--today", "2026-07-03"]).exit_code == 0
    text = _received(inbox, "lead@example.org").get_body(("plain",)).get_content()
    assert "Số ngày quá hạn: 3" in text and "vui lòng đôn đốc đơn vị" in text
    assert "https://kiemtra.example/actions/" in text and "example//actions" not in text
    officer = _received(inbox, "officer@example.org").get_body(("plain",)).get_content()
    assert "hoặc đề nghị gia hạn" in officer


def test_reminders_by_email_need_an_absolute_base_url(app, runner, world, smtp):
    controller, inbox = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL="")
    result = runner.invoke(args=["actions", "remind", "--today", "2026-06-23"])
    assert result.exit_code != 0 and "BASE_URL" in result.output
    assert inbox.messages == []


@pytest.mark.parametrize("base_url", ["", "kiemtra.example", "/kiemtra"])
def test_the_app_refuses_to_start_with_mail_on_and_no_absolute_base_url(tmp_path, base_url):
    from server import create_app

    with pytest.raises(RuntimeError, match="BASE_URL .*https://"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.db",
                    "MAIL_SERVER": "127.0.0.1", "BASE_URL": base_url})
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.db",
                      "MAIL_SERVER": "127.0.0.1", "BASE_URL": "https://kiemtra.example/"})
    assert app.config["BASE_URL"] == "https://kiemtra.example"
