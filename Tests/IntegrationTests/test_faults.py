"""Faults (issue 14, section 4), each against a real riegeld:

- an SMS gateway that hangs, resets the connection, answers 500 or answers
  garbage: calls answer SmsUnavailable within send_deadline, nothing is left
  behind, and sending resumes once the gateway is well again;
- a full disk (the state directory on a small tmpfs): calls that must write
  answer StorageUnavailable, nothing is corrupted, and service resumes when
  space returns;
- a read-only database (the file and its WAL made immutable, which binds
  root too): StorageUnavailable while running, a clear refusal at start;
- a corrupted database file, a missing or wrong master key: riegeld refuses
  to start with a message that says what is wrong and what to do, and
  changes nothing.

Mounting a tmpfs and `chattr +i` need root (scripts/test runs as root in CI):
without it these tests fail, they do not skip.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import varlink

from riegel_harness import RIEGELD, Daemon, LoopbackServer, admin, auth, config_text, error_of, sqlite_integrity

STRONG = "Kl4vier-Sonate-Mond"
STORAGE = "io.riegel.Auth.StorageUnavailable"


def needs_root():
    if os.getuid() != 0:
        pytest.fail("needs root (mount, chattr): scripts/test runs as root in CI")


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    cp = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    if check:
        assert cp.returncode == 0, (argv, cp.stdout, cp.stderr)
    return cp


def integrity(d: Daemon) -> list:
    return sqlite_integrity(d.state / "riegel.sqlite")


def audit_ok(d: Daemon):
    with d.client().open("io.riegel.Audit") as audit:
        v = audit.Verify()
    assert v["ok"] is True, v


def start_refused(d: Daemon, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs riegeld in the foreground and expects it to refuse: exit 1, no READY."""
    full = dict(os.environ)
    full.pop("NOTIFY_SOCKET", None)
    full.update(env or {})
    cp = subprocess.run([str(RIEGELD), "--config", str(d.config)], env=full, capture_output=True, text=True,
                        timeout=60, stdin=subprocess.DEVNULL)
    assert cp.returncode == 1, (cp.returncode, cp.stdout, cp.stderr)
    return cp


def dump(d: Daemon) -> list[str]:
    """The database's content as SQL (opening it may rewrite header bytes and fold the WAL in)."""
    tmp = d.root / "dump-copy"
    tmp.mkdir(exist_ok=True)
    for p in d.state.glob("riegel.sqlite*"):
        shutil.copyfile(p, tmp / p.name)
    con = sqlite3.connect(tmp / "riegel.sqlite")
    try:
        return list(con.iterdump())
    finally:
        con.close()
        shutil.rmtree(tmp)


# --- SMS gateway faults ---------------------------------------------------------

class MisbehavingGateway(LoopbackServer):
    """An HTTP SMS gateway on loopback whose behaviour a test switches:
    "ok" (202, records the message), "hang" (reads, never answers), "reset"
    (reads, then a TCP reset), "500", "garbage" (bytes that are no HTTP)."""

    def __init__(self):
        self.mode = "ok"
        self.messages: list[dict] = []
        self.held: list[socket.socket] = []
        super().__init__(backlog=64)

    def on_connection(self, conn: socket.socket):
        threading.Thread(target=self._handle, args=(conn, self.mode), daemon=True).start()

    def _handle(self, conn: socket.socket, mode: str):
        conn.settimeout(5)
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                request += chunk
            if mode == "hang":
                self.held.append(conn)
                return
            if mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()
                return
            if mode == "garbage":
                conn.sendall(b"\x00\xff\xfeNOT HTTP AT ALL\r\n\x1b[2J\r\n\r\n")
            elif mode == "500":
                conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\nerror")
            else:
                target = request.split(b" ")[1].decode()
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)
                self.messages.append({"to": query["to"][0], "text": query["text"][0]})
                conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 8\r\nConnection: close\r\n\r\nAccepted")
            conn.close()
        except OSError:
            conn.close()

    def code_for(self, e164: str) -> str:
        import re
        texts = [m["text"] for m in self.messages if m["to"] == e164]
        assert texts, f"no SMS to {e164}"
        [code] = set(re.findall(r"(?<!\d)\d{6}(?!\d)", texts[-1]))
        return code

    def on_close(self):
        for c in self.held:
            c.close()


@pytest.fixture
def gateway():
    g = MisbehavingGateway()
    yield g
    g.close()


def gateway_config(port: int) -> str:
    return (
        '[sms]\ngateways = ["stub"]\nsend_deadline = "2s"\nresend_cooldown = "1s"\n'
        "[sms.gateway.stub]\n"
        'type = "http"\n'
        f'url = "http://127.0.0.1:{port}/send"\n'
        'query = { to = "{to}", text = "{text}" }\n'
        "success_status = [202]\n"
        'timeout = "1s"\n'
    )


@pytest.mark.parametrize("mode", ["hang", "reset", "500", "garbage"])
def test_sms_gateway_that_misbehaves_gives_sms_unavailable_leaves_nothing_and_recovers(root, gateway, mode):
    d = Daemon(root, extra_config=gateway_config(gateway.port)).start()
    try:
        with auth(d) as a, admin(d) as adm:
            a.Register(username="vorher", password=STRONG, phone="+4915111110001")["challenge"]
            enrolment = a.Register(username="vorher2", password=STRONG, phone="+4915111110002")["challenge"]
            a.VerifyChallenge(challenge_id=enrolment["challenge_id"], code=gateway.code_for("+4915111110002"))

            gateway.mode = mode
            before = gateway.accepted
            t0 = time.monotonic()
            assert error_of(a.Register, username="waehrend", password=STRONG, phone="+4915111110003") == \
                ("io.riegel.Auth.SmsUnavailable", {})
            took = time.monotonic() - t0
            assert took < 2 + 1.5, f"Register waited {took:.1f} s with send_deadline = 2s"
            assert gateway.accepted > before, "the gateway was not even tried"
            assert error_of(adm.GetAccount, username="waehrend")[0] == "io.riegel.Admin.NoSuchAccount"
            # A login that needs a code: refused the same way, no challenge left behind.
            assert error_of(a.Login, username="vorher2", password=STRONG) == ("io.riegel.Auth.SmsUnavailable", {})
            # Everything else still works meanwhile.
            assert "session" in a.Login(username="vorher", password=STRONG)

            gateway.mode = "ok"
            challenge = a.Login(username="vorher2", password=STRONG)["challenge"]
            assert "session" in a.VerifyChallenge(challenge_id=challenge["challenge_id"],
                                                 code=gateway.code_for("+4915111110002"))
            again = a.Register(username="waehrend", password=STRONG, phone="+4915111110003")["challenge"]
            a.VerifyChallenge(challenge_id=again["challenge_id"], code=gateway.code_for("+4915111110003"))
            assert adm.GetAccount(username="waehrend")["account"]["second_factor"] is True
        audit_ok(d)
        log = d.log_text()
        assert "stub" in log, log
        for secret in ("15111110003", "15111110002", STRONG):
            assert secret not in log
    finally:
        assert d.stop() == 0, d.log_text()
    assert integrity(d) == [("ok",)]


# --- full disk ------------------------------------------------------------------------

class SmallDisk:
    """A tmpfs of `size` mounted at `path` (mode 0700, root's), unmounted at the end."""

    def __init__(self, path: Path, size: str):
        needs_root()
        path.mkdir(mode=0o700)
        run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path))
        self.path = path
        self.filler = path / "filler"

    def fill(self):
        """Takes every free byte."""
        with open(self.filler, "ab", buffering=0) as f:
            for size in (65536, 4096, 1):
                try:
                    while f.write(b"\0" * size):
                        pass
                except OSError:
                    pass
        assert shutil.disk_usage(self.path).free < 4096

    def free(self):
        self.filler.unlink()

    def close(self):
        run("umount", "-l", str(self.path), check=False)


@pytest.fixture
def small_disk(root):
    disks = []

    def make(size="8m"):
        disk = SmallDisk(root / "state", size)
        disks.append(disk)
        return disk
    yield make
    for disk in disks:
        disk.close()


def register_until_refused(a, prefix: str, limit: int = 300) -> tuple[list[str], tuple]:
    """Registers users until one is refused; returns (acknowledged names, the error)."""
    done = []
    for i in range(limit):
        try:
            a.Register(username=f"{prefix}{i}", password=STRONG, email=f"{prefix}{i}@example.org")
            done.append(f"{prefix}{i}")
        except varlink.VarlinkError as e:
            return done, (e.error(), e.parameters())
    raise AssertionError(f"{limit} registrations on a full disk all succeeded")


def test_full_disk_answers_storage_unavailable_corrupts_nothing_and_service_resumes(root, small_disk):
    disk = small_disk()
    d = Daemon(root, extra_config='[password]\nmemory_kib = 64\niterations = 1\n').start()
    try:
        with auth(d) as a:
            a.Register(username="erster", password=STRONG)
            session = a.Login(username="erster", password=STRONG)["session"]["token"]
            disk.fill()
            acknowledged, error = register_until_refused(a, "voll")
            assert error == (STORAGE, {}), error
            # Reading keeps working: sessions are checked, nothing else breaks.
            assert a.CheckSession(token=session, touch=False)["info"]["username"] == "erster"
            assert error_of(a.Register, username="nochmal", password=STRONG) == (STORAGE, {})
            with admin(d) as adm:
                assert error_of(adm.RotateKey, purpose="pii")[0] == "io.riegel.Admin.StorageUnavailable"
            assert d.proc.poll() is None, "riegeld died of a full disk"

            disk.free()
            a.Register(username="danach", password=STRONG)
            assert "session" in a.Login(username="danach", password=STRONG)
            for name in acknowledged:
                assert "session" in a.Login(username=name, password=STRONG)
        audit_ok(d)
        assert "StorageUnavailable" in d.log_text() or "disk" in d.log_text().lower()
    finally:
        assert d.stop() == 0, d.log_text()
    assert integrity(d) == [("ok",)]
    d.start()
    try:
        with auth(d) as a, admin(d) as adm:
            for name in ["erster", "danach", *acknowledged]:
                adm.GetAccount(username=name)
            assert error_of(adm.GetAccount, username="nochmal")[0] == "io.riegel.Admin.NoSuchAccount"
        audit_ok(d)
    finally:
        assert d.stop() == 0, d.log_text()


# --- read-only database -----------------------------------------------------------

def test_read_only_database_file_answers_storage_unavailable_and_service_resumes(root):
    """The file and its WAL made immutable (`chattr +i`, which binds root too)
    under a running riegeld: writes fail with EPERM, as on a file system gone
    read-only."""
    needs_root()
    d = Daemon(root).start()
    files = [str(d.state / "riegel.sqlite"), str(d.state / "riegel.sqlite-wal")]
    try:
        with auth(d) as a:
            a.Register(username="erster", password=STRONG)
            session = a.Login(username="erster", password=STRONG)["session"]["token"]
            run("chattr", "+i", *files)
            try:
                assert error_of(a.Register, username="zweiter", password=STRONG) == (STORAGE, {})
                assert error_of(a.Logout, token=session) == (STORAGE, {})
                assert a.CheckSession(token=session, touch=False)["info"]["username"] == "erster"
                assert d.proc.poll() is None, "riegeld died of a read-only database"
            finally:
                run("chattr", "-i", *files)
            a.Register(username="zweiter", password=STRONG)
            assert "session" in a.Login(username="zweiter", password=STRONG)
            a.Logout(token=session)
            assert error_of(a.CheckSession, token=session)[0] == "io.riegel.Auth.SessionExpired"
        audit_ok(d)
    finally:
        assert d.stop() == 0, d.log_text()
    assert integrity(d) == [("ok",)]


def test_start_on_a_read_only_database_file_is_refused_with_a_clear_message(root):
    needs_root()
    d = Daemon(root).start()
    with auth(d) as a:
        a.Register(username="erster", password=STRONG)
    assert d.stop() == 0
    db = d.state / "riegel.sqlite"
    before = db.read_bytes()
    run("chattr", "+i", str(db))
    try:
        cp = start_refused(d)
    finally:
        run("chattr", "-i", str(db))
    assert str(db) in cp.stderr and "read-only" in cp.stderr and "restore" not in cp.stderr, cp.stderr
    assert db.read_bytes() == before
    d.start()  # and with the file writable again it starts
    assert d.stop() == 0


# --- corrupted database ------------------------------------------------------------------

def stopped_with_thirty_accounts(root) -> tuple[Daemon, Path]:
    """A riegeld that registered 30 accounts and stopped cleanly; its database file."""
    d = Daemon(root).start()
    with auth(d) as a:
        for i in range(30):
            a.Register(username=f"nutzer{i}", password=STRONG, email=f"nutzer{i}@example.org")
    assert d.stop() == 0
    return d, d.state / "riegel.sqlite"


@pytest.mark.parametrize("damage", ["pages", "header", "truncated"])
def test_start_on_a_corrupted_database_file_is_refused_with_a_clear_message(root, damage):
    d, db = stopped_with_thirty_accounts(root)
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) >= 8 * page, len(data)
    if damage == "pages":  # garbage over the middle pages: b-trees point nowhere
        for offset in range(2 * page, len(data) - page, 2 * page):
            data[offset:offset + page] = bytes((i * 7 + 13) % 256 for i in range(page))
    elif damage == "header":  # not an SQLite file any more
        data[0:100] = b"X" * 100
    else:  # cut short, as a copy interrupted half-way
        data = data[: len(data) // 2 + 123]
    db.write_bytes(bytes(data))
    damaged = db.read_bytes()
    cp = start_refused(d)
    assert str(db) in cp.stderr, cp.stderr
    assert "restore" in cp.stderr and "backup" in cp.stderr, cp.stderr
    assert "READY=1" not in cp.stdout
    assert db.read_bytes() == damaged, "a refused start changed the damaged file"
    assert not (d.sock.exists() and _connectable(d.sock))


# --- start-up integrity check after a clean stop ------------------------------------------

def database_check(d: Daemon) -> str:
    with admin(d) as a:
        checks = {c["name"]: c for c in a.Status()["checks"]}
    assert checks["database_check"]["ok"] is True, checks["database_check"]
    return checks["database_check"]["detail"]


def wait_database_check(d: Daemon, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while "running" in (detail := database_check(d)):
        assert time.monotonic() < deadline, detail
        time.sleep(0.05)
    return detail


def clean_stop_record(db: Path) -> str:
    """The record riegeld leaves at a clean stop, made for the file as it is now
    (docs/reliability.md, "Start-up integrity check")."""
    st = os.stat(db)
    sec = lambda ns: f"{ns // 10**9}.{ns % 10**9}"
    return (f"riegel-clean-stop 1 dev={st.st_dev} ino={st.st_ino} size={st.st_size} "
            f"mtime={sec(st.st_mtime_ns)} ctime={sec(st.st_ctime_ns)}\n")


def test_the_integrity_check_runs_after_ready_only_on_the_file_a_clean_stop_left(root):
    d = Daemon(root).start()
    record = d.state / "riegel.sqlite.clean-stop"
    assert database_check(d) == "ok before start"  # a new file: no record yet
    with auth(d) as a:
        a.Register(username="erster", password=STRONG)
    assert d.stop() == 0
    assert record.read_text() == clean_stop_record(d.state / "riegel.sqlite")
    assert oct(record.stat().st_mode & 0o777) == "0o600"

    d.start()
    assert not record.exists(), "the record must be taken at start, never trusted twice"
    assert wait_database_check(d).startswith("ok after start")
    with auth(d) as a:
        assert "session" in a.Login(username="erster", password=STRONG)
    # Checked after start, then stopped cleanly: it vouches again.
    assert d.stop() == 0
    assert record.read_text() == clean_stop_record(d.state / "riegel.sqlite")
    d.start()
    assert wait_database_check(d).startswith("ok after start")

    # A crash leaves no record: the next start checks before serving.
    assert d.stop(signal.SIGKILL) == -signal.SIGKILL
    assert not record.exists()
    d.start()
    assert database_check(d) == "ok before start"
    assert d.stop() == 0

    # Anything that touched the file since (here only its mode: the change time moves).
    assert record.exists()
    os.chmod(d.state / "riegel.sqlite", 0o600)
    d.start()
    assert database_check(d) == "ok before start"
    assert not record.exists()
    assert d.stop() == 0

    # A foreign or garbled record vouches for nothing.
    record.write_text("riegel-clean-stop 1 dev=1 ino=2 size=3 mtime=4.5 ctime=6.7\n")
    d.start()
    assert database_check(d) == "ok before start"
    assert d.stop() == 0


def test_damage_a_clean_stop_record_vouched_for_stops_riegeld_once_checked_and_the_next_start_refuses(root):
    d, db = stopped_with_thirty_accounts(root)
    # Damage nothing the start itself reads: one page of an index only a reset uses,
    # as bit rot would, which no write and no file time shows.
    con = sqlite3.connect(db)
    (page,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reset_token_user'").fetchone()
    con.close()
    data = bytearray(db.read_bytes())
    data[(page - 1) * 4096: page * 4096] = bytes((i * 7 + 13) % 256 for i in range(4096))
    db.write_bytes(bytes(data))
    (d.state / "riegel.sqlite.clean-stop").write_text(clean_stop_record(db))

    d.start()  # READY=1: the record vouched for the file
    try:
        rc = d.proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"riegeld kept serving a damaged file; log:\n{d.log_text()}")
    log = d.log_text()
    assert rc == 1, log
    assert str(db) in log and "failed its integrity check" in log and "restore it from a backup" in log, log
    assert d.stop() == 1
    assert not (d.state / "riegel.sqlite.clean-stop").exists(), "a failed run must not vouch for the file"

    cp = start_refused(d)  # and now the check runs before serving
    assert "failed its integrity check" in cp.stderr and str(db) in cp.stderr, cp.stderr


def _connectable(path) -> bool:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(path))
        s.close()
        return True
    except OSError:
        return False


# --- master key ------------------------------------------------------------------------

def test_start_with_the_development_key_file_missing_is_refused_and_makes_no_new_key(root):
    d = Daemon(root).start()
    with auth(d) as a:
        a.Register(username="erster", password=STRONG)
    assert d.stop() == 0
    key = d.state / "master.key"
    saved = key.read_bytes()
    key.unlink()
    before = dump(d)
    cp = start_refused(d)
    assert f"master key file {key} is missing" in cp.stderr and "put that key file back" in cp.stderr, cp.stderr
    assert not key.exists(), "riegeld made a new master key over a database whose keys it cannot open"
    assert dump(d) == before
    key.write_bytes(saved)
    os.chmod(key, 0o600)
    d.start()
    with auth(d) as a:
        assert "session" in a.Login(username="erster", password=STRONG)
    assert d.stop() == 0


def test_start_with_a_wrong_or_malformed_master_key_is_refused_with_a_clear_message(root):
    d = Daemon(root).start()
    with auth(d) as a:
        a.Register(username="erster", password=STRONG)
    assert d.stop() == 0
    key = d.state / "master.key"
    saved = key.read_bytes()
    before = dump(d)

    key.write_bytes(os.urandom(32))
    cp = start_refused(d)
    assert "does not open the stored data keys" in cp.stderr and "database's master key is id" in cp.stderr, cp.stderr

    key.write_bytes(b"not a key\n")
    cp = start_refused(d)
    assert str(key) in cp.stderr and "32 raw bytes or 64 hex characters" in cp.stderr, cp.stderr

    assert dump(d) == before, "a refused start changed the database"
    key.write_bytes(saved)
    d.start()
    with auth(d) as a:
        assert "session" in a.Login(username="erster", password=STRONG)
    assert d.stop() == 0


def test_start_without_any_master_key_source_is_refused_with_a_clear_message(root):
    d = Daemon(root)
    d.config.write_text(config_text(d.state, d.sock).replace("allow_master_key_file = true",
                                                             "allow_master_key_file = false"))
    cp = start_refused(d)
    assert "no master key" in cp.stderr and "LoadCredential=riegel-master-key" in cp.stderr, cp.stderr
    cp = start_refused(d, env={"CREDENTIALS_DIRECTORY": str(root)})  # a directory without the credential
    assert "riegel-master-key is missing" in cp.stderr and "LoadCredential=" in cp.stderr, cp.stderr
    assert not (d.state / "master.key").exists()
