"""Every user-visible string in the code and templates has its Vietnamese translation."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("server/**.py", "python"), ("mobile_web/templates/**.html", "jinja2")]


def test_every_message_in_the_code_is_translated_to_vietnamese():
    with open(ROOT / "server/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = set()
    for m in catalog:
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.id and all(forms):
            # a plural entry is known by its singular text, as the extractor reports it
            translated.add((m.context, m.id[0] if isinstance(m.id, tuple) else m.id))
    # pgettext: one English word with two meanings gets a context, translated apart
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2),
                "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
    missing, seen = set(), 0
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=keywords, options_map={"mobile_web/templates/**.html": {}},
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        seen += 1
        if msgid and (context, msgid) not in translated:
            missing.add((filename, context, msgid))
    assert seen > 300  # the extraction itself worked
    assert sorted(missing) == []
