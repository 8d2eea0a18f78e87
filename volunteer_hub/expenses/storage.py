"""Receipt files: content sniffing and a small storage interface (a local folder by default).

Files live outside ``static/`` under random names. Another backend (an object store, say) is
a class with ``save``, ``read`` and ``delete``, set as ``app.extensions["receipt_storage"]``.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Protocol

from flask import current_app

from volunteer_hub.config import ROOT

#: Content types accepted, decided by the file's first bytes.
PDF, JPEG, PNG, HEIC = "application/pdf", "image/jpeg", "image/png", "image/heic"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", HEIC: "heic"}
#: ISO base media brands that mean a HEIF/HEIC still image.
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
KEY_RE = re.compile(r"^[0-9a-f]{32}$")


def sniff(data: bytes) -> str | None:
    """The receipt's type from its content, or None when it is not PDF, JPEG, PNG or HEIC."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return HEIC
    return None


def display_name(filename: str | None, content_type: str) -> str:
    """The user's filename, made safe to show and to offer as a download name: letters, digits,
    spaces, dots, dashes and underscores only, with the extension that matches the content."""
    text = unicodedata.normalize("NFKC", filename or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = re.sub(r"[^\w .-]+", "", stem, flags=re.UNICODE).strip(" .")[:100] or "receipt"
    return f"{stem}.{EXTENSIONS[content_type]}"


class ReceiptStorage(Protocol):
    def save(self, data: bytes) -> str:
        """Store ``data`` under a new random key and return the key (raises OSError)."""

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""


class LocalStorage:
    """A folder on disk. Writes go to a temporary file first, then are renamed into place, so a
    failed write (a full disk) leaves no partial file behind."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise ValueError("not a receipt key")
        return self.folder / key[:2] / key

    def save(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        try:
            with temporary.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
            raise
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def receipt_storage() -> ReceiptStorage:
    """The configured storage: ``app.extensions["receipt_storage"]`` when set, otherwise the
    local folder ``RECEIPT_FOLDER`` (default ``instance/receipts``)."""
    custom = current_app.extensions.get("receipt_storage")
    if custom is not None:
        return custom  # type: ignore[no-any-return,unused-ignore]
    folder = current_app.config.get("RECEIPT_FOLDER") or str(ROOT / "instance" / "receipts")
    return LocalStorage(Path(folder))
