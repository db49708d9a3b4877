"""Importing users from a CSV or Excel file: every row checked first, then all or nothing.

Columns (the first row names them, in any order; English or Vietnamese):
username, full_name, role, unit_code, teams (separated by ";"), email.
A role is written as its code (inspector) or its name in either language.
Each imported user gets a temporary password to change at the first sign-in.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from ...extensions import db
from ...models import Role, Team, User
from ..foundation import audit
from . import passwords
from .teams import MEMBER_ROLES
from .users import current_unit_by_code, get_or_create_team

MAX_ROWS = 2000
MAX_BYTES = 2_000_000
COLUMNS = ("username", "full_name", "role", "unit_code", "teams", "email")
# Header spellings accepted for each column.
_HEADERS = {
    "username": {"username", "tên đăng nhập", "ten dang nhap"},
    "full_name": {"full_name", "full name", "name", "họ và tên", "họ tên", "ho ten"},
    "role": {"role", "vai trò", "vai tro"},
    "unit_code": {"unit_code", "unit code", "unit", "mã đơn vị", "ma don vi", "đơn vị"},
    "teams": {"teams", "team", "đoàn", "tổ", "đoàn kiểm tra"},
    "email": {"email", "e-mail", "thư điện tử"},
}
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass
class RowProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str | None
    message: str


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)  # each with "row": its number in the file
    problems: list[RowProblem] = field(default_factory=list)


def _role_names() -> dict[str, str]:
    """Every spelling of a role (code, English and Vietnamese names), folded, to its code."""
    from ...i18n import labels

    names = {role.value: role.value for role in Role}
    for locale in ("en", "vi"):
        with force_locale(locale):
            for code, label in labels()["role"].items():
                names[label.lower()] = code
    return names


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The cells of a .csv or .xlsx file as text, row by row."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is too large (at most 2 MB)."))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            return [["" if v is None else str(v).strip() for v in row]
                    for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise ImportFileError(_("The Excel file cannot be read: %(error)s", error=str(exc)[:200])) from exc
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The CSV file must be saved as UTF-8.")) from exc
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    raise ImportFileError(_("Send a .csv or .xlsx file."))


def parse(table: list[list[str]]) -> Parsed:
    """Rows as dicts, and every problem found in them, each with its row and column."""
    parsed = Parsed()
    if not table or not any(table[0]):
        parsed.problems.append(RowProblem(1, None, _("The first row must name the columns.")))
        return parsed
    header = [cell.strip().lower() for cell in table[0]]
    positions = {}
    for column, spellings in _HEADERS.items():
        for index, cell in enumerate(header):
            if cell in spellings:
                positions[column] = index
                break
    for column in ("username", "role"):
        if column not in positions:
            parsed.problems.append(RowProblem(1, column, _("The column %(column)s is missing.", column=column)))
    if parsed.problems:
        return parsed
    body = table[1:]
    if len(body) > MAX_ROWS:
        parsed.problems.append(RowProblem(MAX_ROWS + 2, None, _("At most %(num)d users per file.", num=MAX_ROWS)))
        return parsed
    roles = _role_names()
    seen: dict[str, int] = {}
    existing = {name.lower() for name in db.session.scalars(sa.select(User.username))}
    for number, cells in enumerate(body, start=2):
        if not any(cells):
            continue
        row = {column: (cells[i] if i < len(cells) else "").strip() for column, i in positions.items()}
        row.setdefault("full_name", "")
        row.setdefault("unit_code", "")
        row.setdefault("teams", "")
        row.setdefault("email", "")
        row["row"] = number

        def problem(column, message, number=number):
            parsed.problems.append(RowProblem(number, column, message))

        username = row["username"]
        if not _USERNAME.match(username):
            problem("username", _("A username has 2 to 64 letters, digits, dots, dashes or underscores."))
        elif username.lower() in existing:
            problem("username", _("The username %(name)s is taken.", name=username))
        elif username.lower() in seen:
            problem("username", _("The username %(name)s is also on row %(row)d.", name=username,
                                  row=seen[username.lower()]))
        seen.setdefault(username.lower(), number)
        role = roles.get(row["role"].lower())
        if role is None:
            problem("role", _("Unknown role: %(role)s.", role=row["role"] or "—"))
        row["role"] = role
        if role == Role.UNIT_OFFICER:
            if not row["unit_code"]:
                problem("unit_code", _("A unit officer must be bound to a unit."))
            elif current_unit_by_code(row["unit_code"]) is None:
                problem("unit_code", _("No unit has the code %(code)s.", code=row["unit_code"]))
        elif row["unit_code"] and role is not None:
            problem("unit_code", _("Only unit officers belong to a unit."))
        teams = [name.strip() for name in row["teams"].split(";") if name.strip()]
        if teams and role is not None and role not in MEMBER_ROLES:
            problem("teams", _("Only team leads and inspectors belong to teams."))
        if any(len(name) > 255 for name in teams):
            problem("teams", _("A team name has at most 255 characters."))
        row["teams"] = teams
        if row["email"] and not _EMAIL.match(row["email"]):
            problem("email", _("Enter an email address like name@example.org."))
        if len(row["full_name"]) > 255 or len(row["email"]) > 255:
            problem("full_name", _("A name or email has at most 255 characters."))
        parsed.rows.append(row)
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(RowProblem(2, None, _("The file has no users.")))
    return parsed


def new_teams(rows: list[dict]) -> list[str]:
    """Team names in `rows` that do not exist yet (they will be created)."""
    names = {name for row in rows for name in row["teams"]}
    known = set(db.session.scalars(sa.select(Team.name).where(Team.name.in_(names)))) if names else set()
    return sorted(names - known)


def import_users(rows: list[dict], actor) -> list[tuple[User, str]]:
    """Create the users of checked rows, each with a temporary password; returns them with their password."""
    created = []
    for row in rows:
        password = passwords.temporary_password()
        unit = current_unit_by_code(row["unit_code"]) if row["unit_code"] else None
        user = User(username=row["username"], role=row["role"], full_name=row["full_name"],
                    email=row["email"] or None, unit=unit, must_change_password=True)
        user.set_password(password)
        for name in row["teams"]:
            get_or_create_team(name).members.append(user)
        db.session.add(user)
        db.session.flush()
        audit.record(actor, "user.create", user, role=user.role, imported=True)
        created.append((user, password))
    audit.record(actor, "user.import", None, count=len(created))
    return created
