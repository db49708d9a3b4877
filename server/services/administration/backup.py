"""Backup and restore: the database and the uploaded files, in one archive.

SQLite is copied with its online backup API (consistent while the app runs);
PostgreSQL with pg_dump / pg_restore. Uploads are content-addressed, so the
archive holds each file once under its key.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

MANIFEST = "manifest.json"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"
UPLOADS = "uploads"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    files: int


def _libpq_uri(url: sa.URL) -> str:
    """A URI pg_dump understands (no '+psycopg' driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def backup(engine: sa.Engine, uploads: Path, destination: Path, *, now: datetime | None = None) -> BackupResult:
    """Write a .tar.gz archive of the database and the uploads into `destination`."""
    now = now or datetime.now(timezone.utc)
    destination.mkdir(parents=True, exist_ok=True)
    archive = destination / f"kiemtra-{now:%Y%m%d-%H%M%S}.tar.gz"
    dialect = engine.dialect.name
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if dialect == "sqlite":
            target = sqlite3.connect(tmp_path / SQLITE_NAME)
            raw = engine.raw_connection()
            try:
                raw.driver_connection.backup(target)
            finally:
                raw.close()
                target.close()
            db_file = SQLITE_NAME
        elif dialect == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={tmp_path / PG_NAME}", f"--dbname={_libpq_uri(engine.url)}"])
            db_file = PG_NAME
        else:
            raise BackupError(f"backups of {dialect} databases are not supported")
        files = sorted(p for p in uploads.rglob("*") if p.is_file() and not p.name.startswith(".tmp")) \
            if uploads.exists() else []
        manifest = {"created_at": now.isoformat(), "dialect": dialect, "database": db_file,
                    "uploads": len(files), "format": 1}
        (tmp_path / MANIFEST).write_text(json.dumps(manifest, indent=2))
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(tmp_path / MANIFEST, MANIFEST)
            tar.add(tmp_path / db_file, db_file)
            for f in files:
                tar.add(f, f"{UPLOADS}/{f.relative_to(uploads).as_posix()}")
        partial.replace(archive)  # a half-written archive never looks complete
    return BackupResult(archive, dialect, len(files))


def latest(folder: Path) -> Path | None:
    """The newest complete archive in `folder`, if any."""
    if not folder.is_dir():
        return None
    archives = [p for p in folder.glob("kiemtra-*.tar.gz") if p.is_file()]
    return max(archives, key=lambda p: p.stat().st_mtime, default=None)


def restore(engine: sa.Engine, uploads: Path, archive: Path) -> dict:
    """Replace the database's content and add the archive's uploads.

    The archive must come from the same kind of database.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(tmp_path, filter="data")
            manifest = json.loads((tmp_path / MANIFEST).read_text())
        except (OSError, tarfile.TarError, ValueError, KeyError) as exc:
            raise BackupError(f"{archive} is not a KiemTra backup: {exc}") from exc
        dialect = engine.dialect.name
        if manifest["dialect"] != dialect:
            raise BackupError(f"this backup is of a {manifest['dialect']} database; the app uses {dialect}")
        engine.dispose()
        if dialect == "sqlite":
            source = sqlite3.connect(tmp_path / SQLITE_NAME)
            target = sqlite3.connect(make_url(engine.url).database)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  f"--dbname={_libpq_uri(engine.url)}", str(tmp_path / PG_NAME)])
        restored = 0
        source_uploads = tmp_path / UPLOADS
        if source_uploads.exists():
            for f in source_uploads.rglob("*"):
                if f.is_file():
                    target_file = uploads / f.relative_to(source_uploads)
                    target_file.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, target_file)
                    restored += 1
    return {"dialect": dialect, "created_at": manifest["created_at"], "uploads": restored}
