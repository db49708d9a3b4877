"""A throwaway PostgreSQL server for the test run, started from the machine's binaries.

`initdb` into a temporary folder, `postgres` listening only on a unix socket in
that folder (no TCP port to collide with), stopped and deleted at the end.
PostgreSQL refuses to run as root, so as root (CI) the server runs as the
`postgres` system user, or `nobody` where there is none. The server dies with
the process that started it even when that process is killed outright.
"""
from __future__ import annotations

import ctypes
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

USER = "kiemtra"  # the superuser role initdb creates (trust auth, socket only)
# Durability is pointless for a database deleted at the end of the run.
FAST_SETTINGS = {
    "listen_addresses": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "log_min_messages": "warning",
}


class PostgresError(RuntimeError):
    pass


def find_bindir() -> Path:
    """The folder of initdb/postgres: from PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    raise PostgresError(
        "KIEMTRA_TEST_POSTGRES=1 needs PostgreSQL's server binaries (initdb, postgres): "
        "install Debian's `postgresql` package or put initdb on PATH"
    )


def _unprivileged_account() -> pwd.struct_passwd | None:
    """The account to run the server as; None means the current user will do."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresError("running as root and no `postgres` or `nobody` account to run PostgreSQL as")


_LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Immediate shutdown (SIGQUIT) of the server when the test process is
    # killed without running its teardown.
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT, 0, 0, 0)


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder. Use as a context manager."""

    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or find_bindir()
        self.account = _unprivileged_account()
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        self._log = None

    # -- life cycle ---------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 30) -> None:
        # Under /tmp where there is one: a unix socket path must stay short
        # (~100 bytes), and the server's account must reach the folder.
        self.folder = Path(tempfile.mkdtemp(prefix="kiemtra-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
        if self.account is not None:
            os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        data = self.folder / "data"
        self._run([
            str(self.bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions",
        ])
        options = [arg for key, value in FAST_SETTINGS.items() for arg in ("-c", f"{key}={value}")]
        self._log = open(self.folder / "server.log", "wb")
        self.process = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(data), "-k", str(self.folder), *options],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent, **self._as_account(),
        )  # its own session: a Ctrl-C reaches the tests, which stop it in order
        self._wait_until_ready(timeout)

    def stop(self) -> None:
        """Fast shutdown (clients disconnected), then delete the folder. Safe to call twice."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    # -- databases ----------------------------------------------------------

    def uri(self, database: str) -> str:
        """The SQLAlchemy URI of a database on this server (psycopg 3, unix socket)."""
        return f"postgresql+psycopg://{USER}@/{database}?host={self.folder}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host=str(self.folder), user=USER, dbname=database, autocommit=True)

    def create_database(self, name: str) -> str:
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.uri(name)

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # -- helpers ------------------------------------------------------------

    def _as_account(self) -> dict:
        options = {"start_new_session": True, "cwd": str(self.folder), "env": {"PATH": os.defpath, "LC_ALL": "C"}}
        if self.account is not None:
            options.update(user=self.account.pw_uid, group=self.account.pw_gid, extra_groups=[])
        return options

    def _run(self, args: list[str]) -> None:
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              **self._as_account()) as process:
            try:
                output, _ = process.communicate()
            except BaseException:  # interrupted: leave no initdb behind
                process.kill()
                process.wait()
                raise
        if process.returncode != 0:
            raise PostgresError(f"{' '.join(args)} failed:\n{output}")

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise PostgresError(f"postgres exited with {self.process.returncode}:\n{self._read_log()}")
            try:
                self.connect().close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise PostgresError(f"postgres did not accept connections in {timeout} s:\n{self._read_log()}")
                time.sleep(0.05)

    def _read_log(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")
