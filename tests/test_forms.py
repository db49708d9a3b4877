"""HTML forms (server/forms): a refused form comes back with what was typed and
each message beside its field, in the user's language."""
from pathlib import Path

import wtforms
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_a_sign_in_without_a_password_comes_back_with_the_username_and_a_vietnamese_message(client):
    response = client.post("/login", data={"username": "thanh.tra", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="thanh.tra"' in page
    # The message stands beside the password field and is linked to it for screen readers.
    assert '<p class="field-error" id="password-error">Vui lòng nhập thông tin này.</p>' in page
    assert 'aria-describedby="password-error"' in page and 'aria-invalid="true"' in page


def test_the_same_refusal_in_english(client):
    client.post("/lang/en")
    page = client.post("/login", data={"username": "", "password": "x"}).get_data(as_text=True)
    assert '<p class="field-error" id="username-error">This field is required.</p>' in page


def test_an_over_long_username_is_refused_without_checking_it(client):
    response = client.post("/login", data={"username": "a" * 151, "password": "x"})
    assert response.status_code == 422
    assert "Vui lòng nhập không quá 150 ký tự." in response.get_data(as_text=True)


def test_every_message_wtforms_can_show_has_its_vietnamese_text():
    with open(ROOT / "server/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        ours = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(f) if m.id}
    with open(Path(wtforms.__file__).parent / "locale/wtforms.pot", "rb") as f:
        theirs = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id]
    assert len(theirs) > 30
    assert [msgid for msgid in theirs if not ours.get(msgid)] == []
