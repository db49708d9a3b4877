"""In-app notifications: the list page, the unread count in the header, marking read."""
import sqlalchemy as sa

from server.extensions import db
from server.models import Notification, Role
from tests.factories import make_user


def test_the_header_counts_unread_notifications_and_the_list_marks_them_read(app, client, auth):
    with app.app_context():
        user = make_user(Role.UNIT_OFFICER, username="officer")
        other = make_user(Role.LEAD, username="lead")
        db.session.add_all([Notification(user_id=user.id, kind="x", title="Thông báo một", link="/portal/"),
                            Notification(user_id=user.id, kind="x", title="Thông báo hai"),
                            Notification(user_id=other.id, kind="x", title="Của người khác")])
        db.session.commit()
    client.post("/lang/en")
    auth.login("officer")
    home = client.get("/portal/").get_data(as_text=True)
    assert "Notifications: 2 unread" in home and '<span class="count">2</span>' in home
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "Thông báo một" in listing and "Thông báo hai" in listing and "Của người khác" not in listing
    assert client.post("/notifications/read").status_code == 302
    assert '<span class="count">' not in client.get("/portal/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.read_at.is_(None))) == 1


def test_notifications_need_sign_in(client):
    assert client.get("/notifications/").status_code == 302


def test_a_notification_reads_in_the_language_of_whoever_reads_it_now(app, client, auth):
    """Written while the recipient used Vietnamese; read after they switched to English."""
    from datetime import date

    from flask_babel import lazy_gettext

    from server.services.foundation import notifications

    with app.app_context():
        user = make_user(Role.UNIT_OFFICER, username="officer")
        user.locale = "vi"
        notifications.notify([user], "x", lazy_gettext("Due on %(deadline)s (%(days)s days left): %(title)s"),
                             params={"deadline": date(2026, 12, 18), "days": 3,
                                     "title": {"vi": "Biển hiệu", "en": "Signage"}}, link="/portal/")
        # a row from before titles were kept as message keys: shown as stored
        db.session.add(Notification(user_id=user.id, kind="x", title="Tiêu đề cũ"))
        db.session.commit()
        assert db.session.scalar(sa.select(Notification.title).where(Notification.kind == "x")
                                 .order_by(Notification.id).limit(1)) == \
            "Đến hạn ngày 18/12/2026 (còn 3 ngày): Biển hiệu"
    auth.login("officer")
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "Đến hạn ngày 18/12/2026 (còn 3 ngày): Biển hiệu" in listing and "Tiêu đề cũ" in listing
    with app.app_context():
        db.session.execute(sa.update(type(user)).where(type(user).username == "officer").values(locale="en"))
        db.session.commit()
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "Due on 18 Dec 2026 (3 days left): Signage" in listing
    assert "Đến hạn" not in listing and "Tiêu đề cũ" in listing
