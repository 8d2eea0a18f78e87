"""Backups: the database and the receipt files in one archive, and restoring one.

An archive is a tar file holding ``manifest.json`` (when, which database, which schema
revision, how many receipt files), the database and ``receipts/``:

- SQLite: ``database.sqlite3``, a consistent copy made with SQLite's online backup API while
  the service keeps running;
- PostgreSQL: ``database.dump``, made by ``pg_dump --format=custom`` (one consistent snapshot)
  and restored by ``pg_restore``.

Receipts are copied as files after the database: a receipt saved in between is in the folder
but not yet in the database, which is harmless (an unreferenced file). Archives hold personal
data: they are written with mode 0600. Restoring replaces the whole database with the
archive's and adds the archive's receipts to the receipt folder (files already there are kept).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import make_url, text
from sqlalchemy.engine import URL

from volunteer_hub.core.errors import DomainError
from volunteer_hub.expenses.storage import LocalStorage, receipt_storage
from volunteer_hub.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
RECEIPTS = "receipts"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    revision: str | None
    receipts: int


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _receipt_folder() -> Path | None:
    storage = receipt_storage()
    return storage.folder if isinstance(storage, LocalStorage) else None


def _revision() -> str | None:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # a database made without migrations (tests): no revision to record
        db.session.rollback()
        return None
    finally:
        db.session.remove()


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, with the password in the environment (never
    on a command line other users can read)."""
    options = ["--dbname", str(url.database or "")]
    if url.host:
        options += ["--host", url.host]
    if url.port:
        options += ["--port", str(url.port)]
    if url.username:
        options += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return options, env


def _run(command: list[str], env: dict[str, str]) -> None:
    executable = shutil.which(command[0])
    if executable is None:
        raise DomainError(f"{command[0]} is not installed; install the PostgreSQL client tools")
    done = subprocess.run(  # noqa: S603 - fixed executable, arguments from the settings
        [executable, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise DomainError(f"{command[0]} failed: {done.stderr.strip()[:1000]}")


def _sqlite_copy(source: str, target: str) -> None:
    """SQLite's online backup API: a consistent copy while others read and write."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _dump_database(folder: Path) -> tuple[str, str]:
    url = _url()
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(str(url.database), str(folder / SQLITE_FILE))
        return "sqlite", SQLITE_FILE
    if url.get_backend_name() == "postgresql":
        options, env = _libpq(url)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(folder / PG_FILE),
                *options,
            ],
            env,
        )
        return "postgresql", PG_FILE
    raise DomainError(f"backups of {url.get_backend_name()} databases are not supported")


def default_path(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.instance_path) / "backups" / f"volunteer-hub-{stamp}.tar"


def create(path: Path | None = None) -> BackupResult:
    """Write a backup archive to ``path`` (by default under ``instance/backups/``)."""
    target = (path or default_path()).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    revision = _revision()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        folder = Path(work)
        dialect, database_file = _dump_database(folder)
        receipts = _receipt_folder()
        files = (
            sorted(p for p in receipts.rglob("*") if p.is_file() and not p.name.startswith("."))
            if receipts is not None and receipts.is_dir()
            else []
        )
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "dialect": dialect,
            "revision": revision,
            "database": database_file,
            "receipts": len(files),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        partial = folder / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(folder / MANIFEST, arcname=MANIFEST)
            archive.add(folder / database_file, arcname=database_file)
            for file in files:
                assert receipts is not None
                archive.add(file, arcname=f"{RECEIPTS}/{file.relative_to(receipts).as_posix()}")
        partial.chmod(0o600)
        partial.replace(target)
    return BackupResult(path=target, dialect=dialect, revision=revision, receipts=len(files))


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as error:
        raise DomainError(f"{path} is not a Volunteer Hub backup ({error})") from None
    if manifest.get("format") != FORMAT:
        raise DomainError(f"{path} is a backup of an unknown format {manifest.get('format')!r}")
    return manifest


def _restore_database(folder: Path, manifest: dict[str, Any]) -> None:
    url = _url()
    if manifest["dialect"] != url.get_backend_name():
        raise DomainError(
            f"this backup is of a {manifest['dialect']} database; the service uses "
            f"{url.get_backend_name()}: restore it into a {manifest['dialect']} database"
        )
    db.session.remove()
    db.engine.dispose()
    if manifest["dialect"] == "sqlite":
        _sqlite_copy(str(folder / SQLITE_FILE), str(url.database))
        return
    options, env = _libpq(url)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *options,
            str(folder / PG_FILE),
        ],
        env,
    )


def restore(path: Path) -> dict[str, Any]:
    """Replace the database with the archive's and add its receipts; return its manifest."""
    manifest = read_manifest(path)
    with tempfile.TemporaryDirectory(prefix=".restore-") as work:
        folder = Path(work)
        with tarfile.open(path, "r") as archive:
            archive.extractall(folder, filter="data")
        _restore_database(folder, manifest)
        receipts = _receipt_folder()
        source = folder / RECEIPTS
        if receipts is not None and source.is_dir():
            shutil.copytree(source, receipts, dirs_exist_ok=True)
    return manifest
