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
