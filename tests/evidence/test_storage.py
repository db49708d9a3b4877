"""The content-addressed filesystem store."""
from __future__ import annotations

import hashlib
import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.services.evidence import storage as storage_module
from server.services.evidence.storage import FilesystemStorage, InvalidStorageKey, Storage, content_key

PHOTO = b"\xff\xd8\xff not really a photo, bytes are bytes"


@pytest.fixture
def store(tmp_path):
    return FilesystemStorage(tmp_path / "uploads")


def files_under(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_filesystem_storage_implements_the_storage_interface(store):
    assert isinstance(store, Storage)


def test_put_then_open_gives_the_same_bytes(store):
    key = store.put(PHOTO, suffix=".jpg")

    with store.open(key) as stored:
        assert stored.read() == PHOTO
    assert store.exists(key)
    assert store.size(key) == len(PHOTO)


def test_the_key_is_derived_from_the_sha256_of_the_bytes(store):
    digest = hashlib.sha256(PHOTO).hexdigest()

    key = store.put(PHOTO, suffix=".jpg")

    assert key == f"{digest[:2]}/{digest[2:4]}/{digest}.jpg" == content_key(PHOTO, ".jpg")


def test_putting_the_same_bytes_twice_returns_the_same_key_and_keeps_one_file(store):
    first = store.put(PHOTO, suffix=".jpg")
    modified = os.stat(store.path(first)).st_mtime_ns

    second = store.put(PHOTO, suffix=".jpg")

    assert first == second
    assert files_under(store.root) == [first]
    assert os.stat(store.path(first)).st_mtime_ns == modified


def test_delete_removes_the_key_and_is_quiet_about_absent_keys(store):
    key = store.put(PHOTO)

    store.delete(key)
    store.delete(key)

    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)
    with pytest.raises(FileNotFoundError):
        store.size(key)


def test_filesystem_storage_has_no_direct_url(store):
    assert store.url(store.put(PHOTO)) is None


def test_a_write_failing_midway_leaves_nothing_at_the_key_and_no_temporary_file(store, monkeypatch):
    real_fdopen = os.fdopen

    class FailingHalfway:
        def __init__(self, fd, mode):
            self._file = real_fdopen(fd, mode)

        def write(self, data):
            self._file.write(data[: len(data) // 2])
            self._file.flush()
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._file.close()

    monkeypatch.setattr(storage_module.os, "fdopen", FailingHalfway)

    with pytest.raises(OSError, match="No space left"):
        store.put(PHOTO, suffix=".jpg")

    monkeypatch.undo()
    assert not store.exists(content_key(PHOTO, ".jpg"))
    assert files_under(store.root) == []


def test_a_failing_rename_leaves_nothing_at_the_key(store, monkeypatch):
    def failing_replace(source, target):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(storage_module.os, "replace", failing_replace)

    with pytest.raises(OSError):
        store.put(PHOTO)

    monkeypatch.undo()
    assert files_under(store.root) == []


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "ab/cd/../../../secret",
        "ab/cd/" + "ab" * 32 + "/../x",
        "..",
        "",
        "ab\\cd\\" + "ab" * 32,
        "AB/CD/" + "AB" * 32,                    # keys are lower case
        "ab/cd/" + "cd" * 32,                    # directories do not match the digest
        "ab/cd/" + "abcd" + "0" * 59,            # too short
        "ab/cd/" + "abcd" + "0" * 60 + ".jp/g",
        "ab/cd/" + "abcd" + "0" * 60 + "\n",
        None,
    ],
)
def test_keys_that_are_no_content_address_are_refused(store, key):
    for operation in (store.open, store.exists, store.delete, store.size, store.url, store.path):
        with pytest.raises(InvalidStorageKey):
            operation(key)


@pytest.mark.parametrize("suffix", ["jpg", ".JPG", "/../x", ".a/b", "." + "x" * 11, ".jp g"])
def test_suffixes_other_than_a_dot_and_a_short_lower_case_extension_are_refused(store, suffix):
    with pytest.raises(InvalidStorageKey):
        store.put(PHOTO, suffix=suffix)


def test_iter_keys_lists_stored_keys_and_skips_temporary_and_stray_files(store):
    keys = {store.put(b"one", suffix=".jpg"), store.put(b"two", suffix=".png"), store.put(b"three")}
    some_dir = store.path(next(iter(keys))).parent
    (some_dir / ".tmp-abandoned").write_bytes(b"half a photo")
    (some_dir / "notes.txt").write_text("not a key")
    (store.root / "README").write_text("stray")

    assert set(store.iter_keys()) == keys


def test_iter_keys_of_an_empty_store_is_empty(store):
    assert list(store.iter_keys()) == []


def test_clean_temp_removes_only_stale_temporary_files(store):
    key = store.put(PHOTO)
    directory = store.path(key).parent
    stale, fresh = directory / ".tmp-stale", directory / ".tmp-fresh"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    an_hour_ago = time.time() - 3700
    os.utime(stale, (an_hour_ago, an_hour_ago))

    removed = store.clean_temp(older_than_s=3600)

    assert removed == 1
    assert not stale.exists() and fresh.exists() and store.exists(key)


def test_stored_files_are_not_world_readable(store):
    key = store.put(PHOTO)

    assert os.stat(store.path(key)).st_mode & 0o777 == 0o640


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=6))
def test_every_put_key_is_listed_and_reads_back(tmp_path_factory, blobs):
    store = FilesystemStorage(tmp_path_factory.mktemp("store"))

    keys = {store.put(blob) for blob in blobs}

    assert set(store.iter_keys()) == keys
    for blob in blobs:
        with store.open(content_key(blob)) as stored:
            assert stored.read() == blob
