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


def _entries(text: str) -> list[dict]:
    """The catalogue's entries as written, one per blank-line-separated block (read_po
    would merge a repeated entry silently)."""
    entries = []
    for block in text.split("\n\n"):
        entry, field = {"flags": "", "msgctxt": None, "msgid": None, "msgstr": []}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ")):
                field, value = line.split(" ", 1)
                if field != "msgid_plural":
                    entry[field] = value
            elif line.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(line.split(" ", 1)[1])
            elif line.startswith('"') and field in ("msgctxt", "msgid"):
                entry[field] += line
            elif line.startswith('"') and field == "msgstr":
                entry["msgstr"][-1] += line
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def _catalogue_problems(text: str) -> tuple[list, list, list]:
    entries = [e for e in _entries(text) if e["msgid"] != '""']  # the header aside
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if any(s.replace('"', "").strip() == "" for s in e["msgstr"])]
    seen, repeated = set(), []
    for e in entries:
        key = (e["msgctxt"], e["msgid"])
        if key in seen:
            repeated.append(key)
        seen.add(key)
    return fuzzy, empty, repeated


def test_the_catalogue_has_no_empty_fuzzy_or_repeated_entry():
    """An empty or fuzzy translation shows English (or a guess) to a Vietnamese reader;
    an entry written twice means one of the two is silently ignored."""
    text = (ROOT / "server/translations/vi/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    assert len(_entries(text)) > 300
    assert _catalogue_problems(text) == ([], [], [])


def test_the_catalogue_check_finds_each_kind_of_problem():
    text = ('msgid ""\nmsgstr "Content-Type: text/plain"\n\n'
            '#, fuzzy\nmsgid "Save"\nmsgstr "Lưu"\n\n'
            'msgid "Close"\nmsgstr ""\n\n'
            'msgid "Open"\nmsgstr "Mở"\n\nmsgctxt "action"\nmsgid "Open"\nmsgstr "Chưa thực hiện"\n\n'
            'msgid "Open"\nmsgstr "Mở ra"\n\n'
            'msgid "Long"\nmsgstr ""\n"Dài"\n')
    assert _catalogue_problems(text) == (['"Save"'], ['"Close"'], [(None, '"Open"')])


def test_each_translation_keeps_the_placeholders_of_its_english():
    with open(ROOT / "server/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []


# Words the project's vocabulary (checklists/README.md, "Wording") rules out, each with the
# one it uses instead. Checked in whole words, case aside, in every Vietnamese text a person
# reads: the catalogue and the shipped checklists.
RULED_OUT = {
    "trễ hạn": "quá hạn",
    "câu trả lời": "kết quả ghi nhận",
    "được thông báo trước": "theo kế hoạch",
    "hiện trường": "tại đơn vị",
    "điểm danh": "xác nhận có mặt",
    "độ chính xác": "sai số vị trí",
    "điểm liệt": "trọng yếu",
    "nghiêm trọng": "cao / trọng yếu",
    "kiểm toán": "nhật ký thao tác (kiểm toán is the State Audit's work)",
    "giá trị khởi tạo": "mã bốc thăm",
    "đang mở": "chưa hoàn thành (actions not closed)",
    "seed": "mã bốc thăm",
    "bạn": "Vui lòng … or the fact",
    "hãy": "Vui lòng …",
}


def _ruled_out_in(texts: dict[str, str]) -> list[str]:
    import re

    found = []
    for where, text in texts.items():
        for word, instead in RULED_OUT.items():
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
                found.append(f"{where}: “{word}” (use {instead}): {text}")
    return found


def test_vietnamese_texts_keep_to_the_vocabulary_and_tone():
    import yaml

    with open(ROOT / "server/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        texts = {f"msgid {m.id!r}": (" ".join(m.string) if isinstance(m.string, tuple) else m.string)
                 for m in read_po(f) if m.id}

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("vi"), str):
                texts[where] = node["vi"]
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    for path in sorted((ROOT / "checklists").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    assert len(texts) > 1000
    assert _ruled_out_in(texts) == []


def test_the_vocabulary_check_finds_a_ruled_out_word_but_not_inside_another():
    assert len(_ruled_out_in({"a": "Hồ sơ trễ hạn", "b": "Bạn vui lòng nhập", "c": "Kiểm toán viên"})) == 3
    assert _ruled_out_in({"a": "Hồ sơ quá hạn", "b": "bạnh", "c": "Tổ chức"}) == []
