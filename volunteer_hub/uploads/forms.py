"""The upload form: input shape only (who may import for what is in ``queries``)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired, StopValidation

from volunteer_hub.core.forms import FlaskForm, optional_id

#: Default largest upload (``IMPORT_UPLOAD_MAX_BYTES``): 8 MB, about 100,000 rows of hours.
MAX_BYTES = 8 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_UPLOAD_MAX_BYTES") or MAX_BYTES)


def _file_is_acceptable(form: Any, field: Any) -> None:
    """A .csv or .xlsx file, not empty, not over the limit; a CSV without NUL bytes."""
    data = field.data
    name = (getattr(data, "filename", None) or "").strip()
    if not name:
        raise StopValidation("Choose a file to upload")
    if not name.lower().endswith(SUFFIXES):
        raise StopValidation("The file must be a CSV (.csv) or Excel (.xlsx) file")
    stream = data.stream
    limit = max_bytes()
    size = 0
    nul = False
    while chunk := stream.read(1 << 16):
        size += len(chunk)
        nul = nul or b"\x00" in chunk
        if size > limit:
            raise StopValidation(
                f"The file must be smaller than {limit // (1024 * 1024)} MB: "
                "split it into smaller files"
            )
    stream.seek(0)
    if size == 0:
        raise StopValidation("The file is empty")
    if nul and name.lower().endswith(".csv"):
        raise StopValidation(
            "The file contains NUL bytes, so it is not a CSV file: save it again as CSV (UTF-8)"
        )


class UploadForm(FlaskForm):
    target = SelectField(
        "Organisation",
        choices=[],
        coerce=optional_id,
        validators=[InputRequired(message="Choose the organisation")],
        widget=GovSelect(),
    )
    file = FileField(
        "File",
        description="A CSV (.csv) or Excel (.xlsx) file with the header row the import expects",
        validators=[_file_is_acceptable],
        widget=GovFileInput(),
    )
    submit = SubmitField("Upload and import", widget=GovSubmitInput())
