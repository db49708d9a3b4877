"""The administrator's home: counts and what needs attention, each with what to do about it."""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Role
from server.services.foundation import mail
from tests.factories import PASSWORD, make_user


@pytest.fixture
def admin(app, client):
    with app.app_context():
        make_user(Role.ADMIN, username="boss")
        db.session.commit()
    assert client.post("/login", data={"username": "boss", "password": PASSWORD}).status_code == 302
    return client


def page(client) -> str:
    response = client.get("/admin")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_calm_server_says_nothing_needs_attention_but_the_missing_backup(app, admin):
    text = page(admin)
    assert "Chưa có bản sao lưu nào" in text
    assert "Tệp minh chứng" not in text and "bị khóa" not in text


def test_an_orphan_evidence_file_a_failed_export_and_an_old_backup_are_shown(app, admin):
    with app.app_context():
        app.extensions["kiemtra.storage"].put(b"nobody's photo", suffix=".jpg")
        exports = Path(app.instance_path) / "exports"
        exports.mkdir(parents=True, exist_ok=True)
        (exports / "abc123.json").write_text(json.dumps({"id": "abc123", "status": "failed", "started": time.time(),
                                                         "error": "disk full"}))
        backups = Path(app.instance_path) / "backups"
        backups.mkdir(parents=True, exist_ok=True)
        old = backups / "kiemtra-20260101-020000.tar.gz"
        old.write_bytes(b"x" * 2_500_000)
        ten_days_ago = time.time() - 10 * 86400
        os.utime(old, (ten_days_ago, ten_days_ago))
    text = page(admin)
    assert re.search(r"Tệp minh chứng:</strong>\s*0 tệp bị thiếu, 1 tệp không có bản ghi", text)
    assert "Một lần xuất bảng tổng hợp bị lỗi" in text and "disk full" in text
    assert "Bản sao lưu gần nhất đã cũ" in text
    assert "2,5 MB" in text  # the size in the reader's locale


def test_verify_now_checks_the_audit_chain_and_says_when(app, admin):
    assert "Chưa kiểm tra lần nào" in page(admin)
    response = admin.post("/admin/audit-chain/verify", follow_redirects=True)
    assert "Nhật ký thao tác toàn vẹn" in response.get_data(as_text=True)
    assert "nguyên vẹn." in page(admin)
    with app.app_context():
        # An entry altered behind the app's back is found at the next check.
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.action == "user.sign_in").values(action="x"))
        db.session.commit()
    response = admin.post("/admin/audit-chain/verify", follow_redirects=True)
    assert "Nhật ký thao tác có 1 lỗi" in response.get_data(as_text=True)
    assert "phát hiện 1 lỗi" in page(admin)


def test_the_test_email_button_appears_only_when_mail_is_configured(app, admin, monkeypatch):
    assert "Gửi thư thử" not in page(admin)
    sent = []
    monkeypatch.setattr(mail, "send_mail", lambda settings, to, subject, body: sent.append((to, subject)))
    app.config["MAIL_SERVER"] = "smtp.example.org"
    assert "Gửi thư thử" in page(admin)
    response = admin.post("/admin/test-email", data={"to": "khong-phai-dia-chi"})
    assert response.status_code == 422
    assert 'value="khong-phai-dia-chi"' in response.get_data(as_text=True)
    assert admin.post("/admin/test-email", data={"to": "boss@example.org"}).status_code == 302
    assert sent == [("boss@example.org", "Thư thử của KiemTra")]


def test_the_counts_are_numbers_in_the_readers_locale(app, admin):
    with app.app_context():
        for i in range(1, 1235):
            db.session.add(make_user.__globals__["User"](username=f"u{i}", role=Role.VIEWER, password_hash="x"))
        db.session.commit()
    assert re.search(r'<span class="num">1\.235</span>', page(admin))
    admin.post("/lang/en", data={"next": "/admin"})
    assert re.search(r'<span class="num">1,235</span>', page(admin))
