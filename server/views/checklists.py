"""The checklist library: versions, upload (YAML or XLSX) with a preview before
publishing, the difference between versions, downloads, retiring."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..errors import user_error
from ..extensions import db
from ..forms.checklists import ChecklistUploadForm
from ..permissions import authorize
from ..services.checklists import drafts, formats, versions, xlsx_template
from ..services.checklists import library as checklist_service
from ..services.checklists.definition import content_hash, load_checklist_file

bp = Blueprint("checklists", __name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value) -> str:
    return format_decimal(value) if value is not None else ""


def _summary(definition: dict) -> dict:
    return {"items": versions.item_count(definition), "max_score": versions.max_score(definition),
            "languages": versions.languages(definition)}


@bp.get("/checklists")
@login_required
def index():
    authorize("checklist.view")
    checklists = checklist_service.all_checklists()
    counts = checklist_service.inspection_counts([v.id for c in checklists for v in c.versions])
    summaries = {v.id: _summary(v.definition) for c in checklists for v in c.versions}
    return render_template("checklists/index.html", checklists=checklists, counts=counts, summaries=summaries,
                           num=_number, max_mb=_max_mb())


def _max_mb() -> str:
    return format_decimal(current_app.config["CHECKLIST_UPLOAD_MAX_BYTES"] / (1024 * 1024), format="#,##0.#")


def _render_upload(form, errors=(), status=200, too_large=False):
    return render_template("checklists/upload.html", form=form, errors=errors, max_mb=_max_mb(),
                           too_large=too_large), status


@bp.route("/checklists/upload", methods=["GET", "POST"])
@login_required
def upload():
    authorize("checklist.upload")
    limit = current_app.config["CHECKLIST_UPLOAD_MAX_BYTES"]
    # Said on this page before the body is read: a larger request is refused unread.
    if request.method == "POST" and (request.content_length or 0) > limit + 64 * 1024:
        return _render_upload(ChecklistUploadForm(formdata=None), status=413, too_large=True)
    form = ChecklistUploadForm()
    if request.method == "GET":
        return _render_upload(form)
    if not form.validate():
        return _render_upload(form, status=422)
    upload_file = form.file.data
    data = upload_file.read(limit + 1)
    if len(data) > limit:
        return _render_upload(form, status=413, too_large=True)
    name = upload_file.filename or "checklist"
    definition, errors = formats.read_upload(data, name)
    if errors:
        return _render_upload(form, errors=errors, status=422)
    draft = drafts.save(definition, owner_id=current_user.id, source_name=name)
    return redirect(url_for("checklists.draft", token=draft.token))


def _own_draft(token: str) -> drafts.Draft:
    draft = drafts.load(token, owner_id=current_user.id)
    if draft is None:
        abort(404)
    return draft


@bp.get("/checklists/drafts/<token>")
@login_required
def draft(token: str):
    authorize("checklist.upload")
    pending = _own_draft(token)
    definition = pending.definition
    checklist = checklist_service.get_checklist(definition["key"])
    current = checklist.current if checklist is not None else None
    same = current is not None and content_hash(definition) == current.content_hash
    changes = versions.diff(current.definition, definition) if current is not None and not same else None
    return render_template("checklists/preview.html", definition=definition, draft=pending, checklist=checklist,
                           current=current, same=same, changes=changes, summary=_summary(definition), num=_number)


@bp.post("/checklists/drafts/<token>/publish")
@login_required
def publish(token: str):
    authorize("checklist.publish")
    pending = _own_draft(token)
    try:
        outcome = checklist_service.publish(pending.definition, pending.source_name, current_user)
        db.session.commit()
    except IntegrityError:
        # Another publication of this checklist got in first (the same content, or the same number).
        db.session.rollback()
        raise user_error(409, _("This checklist was published by someone else at the same moment; "
                                "open the checklist to see its versions, and upload again if needed.")) from None
    drafts.discard(token)
    if outcome.action == "unchanged":
        flash(_("Nothing changed: version %(n)s already has this content.", n=outcome.version), "ok")
    else:
        flash(_("Published version %(n)s of %(key)s.", n=outcome.version, key=outcome.key), "ok")
    return redirect(url_for("checklists.show", key=outcome.key))


@bp.post("/checklists/drafts/<token>/discard")
@login_required
def discard(token: str):
    authorize("checklist.upload")
    _own_draft(token)
    drafts.discard(token)
    flash(_("The upload was discarded; nothing was published."), "ok")
    return redirect(url_for("checklists.index"))


def _checklist(key: str):
    checklist = checklist_service.get_checklist(key)
    if checklist is None or not checklist.versions:
        abort(404)
    return checklist


def _version(key: str, number: int):
    version = checklist_service.get_version(key, number)
    if version is None:
        abort(404)
    return version


@bp.get("/checklists/<key>")
@login_required
def show(key: str):
    authorize("checklist.view")
    checklist = _checklist(key)
    counts = checklist_service.inspection_counts([v.id for v in checklist.versions])
    summaries = {v.id: _summary(v.definition) for v in checklist.versions}
    return render_template("checklists/show.html", checklist=checklist, counts=counts, summaries=summaries,
                           num=_number)


@bp.get("/checklists/<key>/v<int:number>")
@login_required
def version(key: str, number: int):
    authorize("checklist.view")
    checklist = _checklist(key)
    found = _version(key, number)
    return render_template("checklists/preview.html", definition=found.definition, version=found,
                           checklist=checklist, summary=_summary(found.definition), num=_number)


@bp.get("/checklists/<key>/diff")
@login_required
def diff(key: str):
    authorize("checklist.view")
    checklist = _checklist(key)
    numbers = [v.number for v in checklist.versions]

    def chosen(name: str, default: int) -> int:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        if not raw.isdigit() or int(raw) not in numbers:
            abort(404)
        return int(raw)

    new = chosen("to", numbers[-1])
    old = chosen("from", numbers[-2] if len(numbers) > 1 else numbers[-1])
    before, after = _version(key, old), _version(key, new)
    return render_template("checklists/diff.html", checklist=checklist, before=before, after=after,
                           changes=versions.diff(before.definition, after.definition), numbers=numbers, num=_number)


@bp.get("/checklists/<key>/v<int:number>.<any(yaml, xlsx):kind>")
@login_required
def download(key: str, number: int, kind: str):
    authorize("checklist.view")
    found = _version(key, number)
    name = f"{key}-v{number}.{kind}"
    if kind == "yaml":
        body, mimetype = formats.to_yaml(found.definition), "application/yaml; charset=utf-8"
    else:
        body, mimetype = xlsx_template.write_workbook(found.definition), XLSX_TYPE
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/checklists/template.xlsx")
@login_required
def template():
    authorize("checklist.view")
    folder = current_app.config["CHECKLISTS_FOLDER"]
    examples = []
    for path in checklist_service.checklist_files([folder]):
        definition, errors = load_checklist_file(path) if path.suffix != ".xlsx" else (None, ["skip"])
        if definition is not None and not errors:
            examples.append(definition)
    return Response(xlsx_template.write_workbook(None, examples=examples), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="checklist-template.xlsx"'})


@bp.post("/checklists/<key>/retire")
@login_required
def retire(key: str):
    authorize("checklist.retire")
    checklist = _checklist(key)
    checklist_service.retire(checklist, current_user)
    db.session.commit()
    flash(_("%(key)s is retired: it is no longer offered for new plans. Its inspections keep working.", key=key),
          "ok")
    return redirect(url_for("checklists.show", key=key))


@bp.post("/checklists/<key>/reinstate")
@login_required
def reinstate(key: str):
    authorize("checklist.retire")
    checklist = _checklist(key)
    checklist_service.reinstate(checklist, current_user)
    db.session.commit()
    flash(_("%(key)s is offered for new plans again.", key=key), "ok")
    return redirect(url_for("checklists.show", key=key))
