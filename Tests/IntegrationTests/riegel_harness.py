"""Runs a real riegeld for the integration tests.

Every daemon gets its own temporary state directory, config file, Unix socket
and an sd_notify datagram socket, so tests see what systemd would see.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("RIEGEL_BIN_DIR", REPO / ".build" / "debug"))
RIEGELD = BIN_DIR / "riegeld"
RIEGELCTL = BIN_DIR / "riegelctl"


# Which back end test daemons use: "sqlite" (the default), or "postgresql"
# for the subset scripts/test runs on a scratch PostgreSQL server too.
STORAGE = os.environ.get("RIEGEL_TEST_STORAGE", "sqlite")
if STORAGE not in ("sqlite", "postgresql"):
    raise RuntimeError(f"RIEGEL_TEST_STORAGE must be sqlite or postgresql, not {STORAGE!r}")
_SCRATCH_POSTGRES = None


def scratch_postgres():
    """The run's PostgreSQL server for RIEGEL_TEST_STORAGE=postgresql, started on first use."""
    global _SCRATCH_POSTGRES
    if _SCRATCH_POSTGRES is None:
        import atexit
        from postgres_harness import ScratchPostgres
        _SCRATCH_POSTGRES = ScratchPostgres()
        atexit.register(stop_scratch_postgres)  # benchmarks, which have no pytest session end
    return _SCRATCH_POSTGRES


def stop_scratch_postgres():
    global _SCRATCH_POSTGRES
    if _SCRATCH_POSTGRES is not None:
        _SCRATCH_POSTGRES.stop()
        _SCRATCH_POSTGRES = None


def config_text(state: Path, sock: Path, extra: str = "", roles: str | None = None) -> str:
    """A config for a test daemon: everything local, the current uid in every role."""
    me = os.getuid()
    if roles is None:
        roles = (
            f'portal = ["uid:{me}"]\n'
            f'admin = ["uid:{me}"]\n'
            f'audit = ["uid:{me}"]\n'
        )
    return (
        "[daemon]\n"
        f'state_directory = "{state}"\n'
        f'socket_path = "{sock}"\n'
        'socket_mode = "0666"\n'
        "allow_master_key_file = true\n"
        "[roles]\n"
        f"{roles}"
        f"{extra}"
    )


class NotifySocket:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, path: Path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[str] = []

    def wait_for(self, line: str, timeout: float = 60.0, alive=None) -> list[str]:
        """Collects datagrams until one contains `line` (a `KEY=value` line);
        gives up early once `alive()` says the sender has exited."""
        deadline = time.monotonic() + timeout
        for msg in self.messages:
            if line in msg.split("\n"):
                return self.messages
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                break
            self.sock.settimeout(max(0.05, min(0.5, deadline - time.monotonic())))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            msg = data.decode()
            self.messages.append(msg)
            if line in msg.split("\n"):
                return self.messages
        raise AssertionError(f"no {line!r} on NOTIFY_SOCKET within {timeout}s; got {self.messages!r}")

    def reset(self):
        """Forgets what earlier processes sent (drains the socket too)."""
        self.sock.setblocking(False)
        try:
            while True:
                self.sock.recv(65536)
        except BlockingIOError:
            pass
        self.sock.setblocking(True)
        self.messages.clear()

    def lines(self) -> list[str]:
        return [l for m in self.messages for l in m.split("\n") if l]

    def close(self):
        self.sock.close()


@dataclass
class Daemon:
    """A riegeld process with its own state directory, socket and notify socket."""

    root: Path
    extra_config: str = ""
    roles: str | None = None
    env: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    def __post_init__(self):
        self.state = self.root / "state"
        self.sock = self.root / "riegel.sock"
        self.config = self.root / "riegel.toml"
        self.log = self.root / "riegeld.log"
        self.notify = NotifySocket(self.root / "notify.sock")
        self.write_config()

    def write_config(self, extra: str | None = None):
        if extra is not None:
            self.extra_config = extra
        text = config_text(self.state, self.sock, self.extra_config, self.roles)
        if STORAGE == "postgresql" and "[storage]" not in self.extra_config:
            # The suite on PostgreSQL (RIEGEL_TEST_STORAGE=postgresql): a
            # database of this daemon's own on the run's scratch server, kept
            # across restarts.
            if getattr(self, "pg_database", None) is None:
                self.pg_database = scratch_postgres().create_database()
            text += scratch_postgres().storage_config(self.pg_database)
        self.config.write_text(text)

    @property
    def address(self) -> str:
        return f"unix:{self.sock}"

    def start(self, wait_ready: bool = True, argv_prefix: list[str] | None = None, env: dict | None = None):
        full_env = dict(os.environ)
        full_env["NOTIFY_SOCKET"] = str(self.notify.path)
        full_env.update(self.env)
        if env:
            full_env.update(env)
        argv = (argv_prefix or []) + [str(RIEGELD), "--config", str(self.config)]
        self.notify.reset()
        self.logfile = open(self.log, "ab")
        self.proc = subprocess.Popen(argv, env=full_env, stdout=self.logfile, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        if wait_ready:
            try:
                self.notify.wait_for("READY=1", alive=lambda: self.proc.poll() is None)
            except AssertionError:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"riegeld did not get ready; log:\n{self.log_text()}")
        return self

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Sends `sig` and waits; returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            if sig != signal.SIGKILL:  # a kill must hit where the test aims it
                SECRETS.snapshot_running(self)
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"riegeld did not stop within {timeout}s after signal {sig}")
        rc = self.proc.returncode
        self.proc = None
        self.logfile.close()
        return rc

    def client(self):
        import varlink
        return varlink.Client(address=self.address)

    def ctl(self, *args: str, check: bool = True, timeout: float = 30.0, **kw) -> subprocess.CompletedProcess:
        """Runs riegelctl against this daemon."""
        argv = [str(RIEGELCTL), *args, "--socket", str(self.sock)]
        cp = subprocess.run(argv, capture_output=True,
                            text=True, timeout=timeout, **kw)
        if check and cp.returncode != 0:
            raise AssertionError(f"riegelctl {args} failed ({cp.returncode}): {cp.stdout}{cp.stderr}")
        return cp


def auth(d: Daemon):
    """A PyPI client's io.riegel.Auth on `d` (use it in a `with`)."""
    return d.client().open("io.riegel.Auth")


def admin(d: Daemon):
    """A PyPI client's io.riegel.Admin on `d` (use it in a `with`)."""
    return d.client().open("io.riegel.Admin")


def audit_events(d: Daemon, *types: str) -> list[dict]:
    """Every audit event of these types, oldest first."""
    with d.client().open("io.riegel.Audit") as audit:
        return [r["event"] for r in audit.Query(_more=True, filter={"types": list(types)}) if "event" in r]


def error_of(call, *args, **kw):
    """The varlink error `call` answers: (name, parameters); fails the test if it succeeds."""
    import pytest
    import varlink
    with pytest.raises(varlink.VarlinkError) as e:
        call(*args, **kw)
    return e.value.error(), e.value.parameters()


class LoopbackServer:
    """A TCP listener on 127.0.0.1 with its own accept thread, for stub peers
    (SMS gateways that misbehave). Subclasses say what a connection gets in
    `on_connection`; `close` stops accepting, then calls `on_close`."""

    def __init__(self, backlog: int = 64):
        self.accepted = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            self.on_connection(conn)

    def on_connection(self, conn: socket.socket):
        raise NotImplementedError

    def on_close(self):
        pass

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        self.on_close()
        self.sock.close()


def sqlite_integrity(path: Path) -> list:
    """`PRAGMA integrity_check` on a database file, opened read-only: [("ok",)] when sound."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


def make_root() -> Path:
    """A temporary folder others may traverse (the unprivileged-peer test needs that)."""
    root = Path(tempfile.mkdtemp(prefix="riegel-it-"))
    os.chmod(root, 0o755)
    return root


def remove_root(root: Path):
    SECRETS.archive(root)
    shutil.rmtree(root, ignore_errors=True)


class SecretLedger:
    """Collects every secret the tests pass to riegeld or get back from it
    (passwords, SMS, TOTP, recovery and activation codes, tokens, TOTP
    secrets, phone numbers, e-mail addresses) and keeps what riegeld wrote at rest and in its log, for
    test_zz_secrets_scan.py to search after the whole suite.

    The PyPI varlink client is hooked (``install``), so every call any test
    makes through it is seen. Each test's secrets are kept with the files of
    the roots it made: a fresh riegeld can only hold secrets its own test used.
    Kept per root: riegel.sqlite, its WAL (copied while riegeld still runs,
    before a clean stop folds it into the file), riegeld.log and an
    io.riegel.Audit.Query export of the whole trail. Not kept: the SMS outbox
    (it stands for the user's phone and holds codes by contract), configs and
    input files the tests wrote themselves.
    """

    # Parameter names (in calls and in replies) whose string values are secrets.
    KINDS = {"password": "password", "current_password": "password", "new_password": "password",
             "code": "code", "token": "token", "device_token": "token", "reset_token": "token",
             "phone": "phone", "email": "email",
             # EnrollFactor's reply: an authenticator app's secret (also inside
             # its otpauth:// URI) and a set of recovery codes
             "secret": "totp_secret", "recovery_codes": "recovery_code"}

    def __init__(self):
        self._dir: Path | None = None
        self.current: dict[str, str] = {}   # the running test's secrets: value -> kind
        self.test = "(outside a test)"
        self.units = 0
        self.exports = 0

    @property
    def dir(self) -> Path:
        """Where the kept files go: $RIEGEL_SECRETS_ARCHIVE, or a temporary
        folder made when first needed."""
        if self._dir is None:
            self._dir = Path(os.environ.get("RIEGEL_SECRETS_ARCHIVE")
                             or tempfile.mkdtemp(prefix="riegel-secrets-"))
        return self._dir

    def discard(self):
        """Removes the kept files (unless RIEGEL_SECRETS_ARCHIVE named the folder to keep them in)."""
        if self._dir is not None and not os.environ.get("RIEGEL_SECRETS_ARCHIVE"):
            shutil.rmtree(self._dir, ignore_errors=True)

    def begin_test(self, nodeid: str):
        self.current = {}
        self.test = nodeid

    def note(self, params):
        """Records the secrets among `params` (a call's or a reply's parameters)."""
        if isinstance(params, dict):
            for key, value in params.items():
                kind = self.KINDS.get(key)
                if kind and isinstance(value, str) and value:
                    self.current[value] = kind
                elif kind and isinstance(value, list) and all(isinstance(v, str) for v in value):
                    for item in value:
                        self.current[item] = kind
                else:
                    self.note(value)
        elif isinstance(params, list):
            for value in params:
                self.note(value)

    def note_message(self, raw):
        try:
            message = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return
        if isinstance(message, dict):
            self.note(message.get("parameters"))

    def install(self):
        """Hooks the PyPI varlink client's send and receive of whole messages."""
        import varlink.client as vc
        handler = vc.SimpleClientInterfaceHandler
        if getattr(handler, "_riegel_secrets", False):
            return
        send, receive = handler._send_message, handler._next_message
        ledger = self

        # Audit replies are riegeld's own (masked) records, not secrets a test used.
        def watched(handler):
            return getattr(handler._interface, "name", "") in ("io.riegel.Auth", "io.riegel.Admin")

        def _send_message(self, out):
            if watched(self):
                ledger.note_message(out)
            return send(self, out)

        def _next_message(self):
            for message in receive(self):
                if watched(self):
                    ledger.note_message(message)
                yield message

        handler._send_message, handler._next_message = _send_message, _next_message
        handler._riegel_secrets = True

    def snapshot_running(self, d: "Daemon"):
        """Before a stop: the WAL as it is (a clean stop folds it into the
        file) and an export of the audit trail, both into the root."""
        wal = d.state / "riegel.sqlite-wal"
        n = len(list(d.root.glob("kept-wal-*")))
        if wal.exists() and wal.stat().st_size > 0:
            shutil.copyfile(wal, d.root / f"kept-wal-{n}")
        # Only where the test's uid has the audit role: a refused call would
        # itself be audited (permission.denied) in a test that counts those.
        if d.roles is not None:
            return
        # A raw call with a timeout: a test may stop a riegeld it has wedged.
        try:
            s = raw_connect(d.sock)
            try:
                s.sendall(b'{"method":"io.riegel.Audit.Query","more":true,"parameters":{}}\0')
                buf = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                    last = buf.rstrip(b"\0").rsplit(b"\0", 1)[-1]
                    if buf.endswith(b"\0") and b'"continues":true' not in last:
                        break
            finally:
                s.close()
            replies = [json.loads(m) for m in buf.split(b"\0") if m]
            if replies and "error" not in replies[-1]:
                (d.root / f"kept-audit-export-{n}.json").write_text(json.dumps(replies))
        except (OSError, ValueError):  # not serving, or no audit role in this test's config
            pass

    def archive(self, root: Path):
        """Keeps what a scan must see of `root`, with the test's secrets."""
        files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and (
            p.name in ("riegel.sqlite", "riegel.sqlite-wal", "riegeld.log")
            or p.name.startswith("kept-"))]
        if not files:
            return
        self.units += 1
        unit = self.dir / f"{self.units:05d}"
        unit.mkdir(parents=True)
        for i, p in enumerate(files):
            shutil.copyfile(p, unit / f"{i:03d}-{p.name}")
        (unit / "secrets.json").write_text(json.dumps({"test": self.test, "secrets": self.current}))


SECRETS = SecretLedger()


class UnprivilegedPython:
    """Runs Python code as another uid with the PyPI varlink client, reading
    nothing inside the checkout.

    The checkout (and its .venv) may live where other users cannot look, such
    as /root (mode 0700) or a clone made under umask 077. So the probe gets a
    world-readable copy of the varlink package in a fresh temporary folder, the
    system interpreter the venv was made from, and "/" as its working
    directory.
    """

    def __init__(self):
        import varlink
        self.dir = Path(tempfile.mkdtemp(prefix="riegel-unpriv-"))
        package = Path(varlink.__file__).resolve().parent
        shutil.copytree(package, self.dir / "varlink",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for path in [self.dir, *self.dir.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        # The venv's python is a link to the interpreter it was made from.
        self.python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))

    def run(self, uid: int, gid: int, code: str, *args: str, groups: list[int] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
        """Runs `code` as uid/gid with no supplementary groups, or with `groups`."""
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is required"
        group_flag = f"--groups={','.join(map(str, groups))}" if groups else "--clear-groups"
        return subprocess.run(
            [setpriv, f"--reuid={uid}", f"--regid={gid}", group_flag,
             self.python, "-B", "-c", code, *args],
            capture_output=True, text=True, timeout=timeout, cwd="/",
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(self.dir), "HOME": "/"})

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def raw_connect(path: Path) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(str(path))
    return s


def raw_call(s: socket.socket, message: bytes) -> bytes:
    """Sends one NUL-terminated message and reads one NUL-terminated reply."""
    s.sendall(message + b"\0")
    buf = b""
    while not buf.endswith(b"\0"):
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf[:-1]
