"""The checklist upload form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from . import Form


class ChecklistUploadForm(Form):
    file = FileField(_l("Checklist file (.yaml or .xlsx)"),
                     validators=[FileRequired(_l("Choose a file to upload.")),
                                 FileAllowed(["yaml", "yml", "xlsx"], _l("Choose a .yaml or .xlsx file."))],
                     render_kw={"accept": ".yaml,.yml,.xlsx"})
