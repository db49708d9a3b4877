"""Where photo and evidence bytes live: one small interface, a filesystem store behind it.

Keys are content addresses, ``ab/cd/abcd…<64 hex><suffix>``: the SHA-256 of
the bytes decides the key, so storing the same bytes twice stores them once
and a key can never point at other bytes. An S3-compatible store implements
the same `Storage` protocol (with presigned URLs from ``url()``).
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = ["FilesystemStorage", "InvalidStorageKey", "Storage", "content_key"]

TEMP_PREFIX = ".tmp-"
_SUFFIX = re.compile(r"(\.[a-z0-9]{1,10})?")
_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})(\.[a-z0-9]{1,10})?")
_FANOUT_DIR = re.compile(r"[0-9a-f]{2}")


class InvalidStorageKey(ValueError):
    """A key that is not a content address (this includes any path traversal attempt)."""


@runtime_checkable
class Storage(Protocol):
    def put(self, data: bytes, *, suffix: str = "") -> str:
        """Store bytes; return their key. Storing the same bytes again changes nothing."""

    def open(self, key: str) -> BinaryIO:
        """A binary file object to read; FileNotFoundError when the key is absent."""

    def delete(self, key: str) -> None:
        """Remove the key; an absent key is not an error."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """Size in bytes; FileNotFoundError when the key is absent."""

    def url(self, key: str) -> str | None:
        """A URL a browser can fetch directly, or None when the app must serve the bytes."""

    def iter_keys(self) -> Iterator[str]:
        """Every stored key, for the orphan check."""


def content_key(data: bytes, suffix: str = "") -> str:
    """The key of these bytes: ``ab/cd/<sha256 hex><suffix>``; suffix is "" or like ".jpg"."""
    if not _SUFFIX.fullmatch(suffix):
        raise InvalidStorageKey(f"suffix must be empty or a dot and 1-10 of [a-z0-9], not {suffix!r}")
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"


def check_key(key: str) -> str:
    """The key, if it is a well-formed content address; else InvalidStorageKey."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidStorageKey(f"not a storage key: {key!r}")
    return key


class FilesystemStorage:
    """Files under ``root``; writes are atomic and durable, so a key never holds half a file.

    A write goes to a temporary file (prefix ``.tmp-``) in the key's directory,
    is fsynced, renamed onto the key with os.replace, and the directory is
    fsynced. A crash leaves at most a stale temporary file, which
    ``iter_keys`` skips and ``clean_temp`` removes. Empty directories are left
    in place: removing them could race with a concurrent put.
    """

    def __init__(self, root: str | os.PathLike[str], *, file_mode: int = 0o640):
        self.root = Path(root)
        self.file_mode = file_mode

    def __repr__(self) -> str:
        return f"FilesystemStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        """The file of a key (for send_file); the key is checked, so it cannot leave root."""
        return self.root / check_key(key)

    def put(self, data: bytes, *, suffix: str = "") -> str:
        key = content_key(data, suffix)
        target = self.root / key
        if target.exists():
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as temp_file:
                temp_file.write(data)
                temp_file.flush()
                os.fchmod(temp_file.fileno(), self.file_mode)
                os.fsync(temp_file.fileno())
            os.replace(temp_name, target)
        except BaseException:
            try:
                os.unlink(temp_name)
            except FileNotFoundError:
                pass
            raise
        _fsync_dir(target.parent)
        return key

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def delete(self, key: str) -> None:
        path = self.path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(path.parent)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def url(self, key: str) -> str | None:
        check_key(key)
        return None

    def iter_keys(self) -> Iterator[str]:
        for first in _subdirs(self.root):
            for second in _subdirs(first):
                prefix = f"{first.name}/{second.name}/"
                for entry in sorted(os.scandir(second), key=lambda e: e.name):
                    key = prefix + entry.name
                    if entry.is_file(follow_symlinks=False) and _KEY.fullmatch(key):
                        yield key

    def clean_temp(self, older_than_s: float = 3600) -> int:
        """Remove temporary files left by interrupted writes, if older than that; return how many."""
        cutoff = time.time() - older_than_s
        removed = 0
        for first in _subdirs(self.root):
            for second in _subdirs(first):
                for entry in os.scandir(second):
                    if not (entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False)):
                        continue
                    try:
                        if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                            os.unlink(entry.path)
                            removed += 1
                    except FileNotFoundError:  # finished or removed meanwhile
                        continue
        return removed


def _subdirs(directory: Path) -> list[Path]:
    """The two-hex-digit fan-out directories, sorted; nothing if the directory is missing."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return []
    return sorted(
        Path(entry.path) for entry in entries
        if _FANOUT_DIR.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
    )


def _fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in this directory durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
