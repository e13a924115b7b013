"""Online backup and a restore drill (issue 15, "Docs": backup and restore of
the state directory while running), against a real riegeld:

- `riegelctl backup FILE` (io.riegel.Admin.Backup, SQLite's backup API) while
  clients keep registering: the file is a complete, checked database of one
  moment, mode 0600, and the backup is audited;
- the drill: the file goes into an empty state directory with the master
  key, a new riegeld starts on it, and everything acknowledged before the
  backup began is there (accounts log in, sessions are alive, ended sessions
  stay ended, the audit trail verifies), nothing begun after it ended is;
- bad input: an existing FILE is refused and left as it was; a call without
  `more`; a caller that stops reading leaves no copy behind and is audited.
"""
from __future__ import annotations

import os
import shutil
import stat
import threading
import time
from pathlib import Path

import varlink

from riegel_harness import Daemon, admin, audit_events, auth, error_of, sqlite_integrity

STRONG = "Sicher-Ung-Kopie-7"


def register(d: Daemon, name: str) -> None:
    with auth(d) as a:
        a.Register(username=name, password=STRONG)


def login(d: Daemon, name: str) -> str:
    with auth(d) as a:
        return a.Login(username=name, password=STRONG)["session"]["token"]


class Registrar(threading.Thread):
    """Registers users one after another until stopped, noting when each call
    began and whether its reply came."""

    def __init__(self, d: Daemon):
        super().__init__(daemon=True)
        self.d = d
        self.stop = threading.Event()
        self.done: list[tuple[str, float, float]] = []  # name, began, acknowledged
        self.errors: list[BaseException] = []

    def run(self):
        n = 0
        try:
            with auth(self.d) as a:
                while not self.stop.is_set():
                    name = f"live-{n}"
                    began = time.monotonic()
                    a.Register(username=name, password=STRONG)
                    self.done.append((name, began, time.monotonic()))
                    n += 1
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.errors.append(e)


def test_backup_while_serving_restores_into_a_riegeld_with_every_acknowledged_change(root):
    (root / "a").mkdir()
    (root / "b").mkdir()
    d = Daemon(root / "a").start()
    for i in range(6):
        register(d, f"early-{i}")
    tokens = {f"early-{i}": login(d, f"early-{i}") for i in range(6)}
    ended = login(d, "early-0")
    with auth(d) as a:
        a.Logout(token=ended)

    writer = Registrar(d)
    writer.start()
    while len(writer.done) < 3 and not writer.errors:
        time.sleep(0.05)
    backup_began = time.monotonic()
    target = root / "riegel-backup.sqlite"
    out = d.ctl("backup", str(target)).stdout
    backup_ended = time.monotonic()
    time.sleep(0.5)
    writer.stop.set()
    writer.join(30)
    assert not writer.errors, writer.errors
    assert "backup written to" in out, out

    before = [n for n, _, acked in writer.done if acked < backup_began]
    after = [n for n, began, _ in writer.done if began > backup_ended]
    assert before and after, ("the writer must have registered before and after the backup", writer.done)

    # The file: complete, checked, private, and not left as .partial.
    assert sqlite_integrity(target) == [("ok",)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not Path(str(target) + ".partial").exists()
    assert not list(d.state.glob("backup-*")), "the copy inside the state directory is removed"
    [entry] = audit_events(d, "database.backed_up")
    assert entry["outcome"] == "success"
    assert entry["details"]["bytes"] == str(target.stat().st_size)
    assert entry["peer_uid"] == os.getuid()
    assert d.stop() == 0

    # The drill: an empty state directory, the backup as riegel.sqlite, the master key.
    r = Daemon(root / "b")
    r.state.mkdir(mode=0o700)
    shutil.copyfile(target, r.state / "riegel.sqlite")
    os.chmod(r.state / "riegel.sqlite", 0o600)
    shutil.copyfile(d.state / "master.key", r.state / "master.key")
    os.chmod(r.state / "master.key", 0o600)
    r.start()
    with r.client().open("io.riegel.Audit") as audit:
        assert audit.Verify()["ok"] is True
    with auth(r) as a, admin(r) as adm:
        for name, token in tokens.items():
            assert a.CheckSession(token=token, touch=False)["info"]["username"] == name
        assert error_of(a.CheckSession, token=ended, touch=False)[0] == "io.riegel.Auth.SessionExpired"
        for name in [*tokens, *before]:
            assert adm.GetAccount(username=name)["account"]["username"] == name
        for name in before[:3]:
            assert "session" in a.Login(username=name, password=STRONG)
        for name in after:
            assert error_of(adm.GetAccount, username=name)[0] == "io.riegel.Admin.NoSuchAccount", name
        # The restored riegeld goes on: a new account, its entry on the restored chain.
        a.Register(username="after-restore", password=STRONG)
    with r.client().open("io.riegel.Audit") as audit:
        assert audit.Verify()["ok"] is True
    assert audit_events(r, "database.backed_up") == [], "the copy was taken before its own audit entry"
    assert r.stop() == 0


def test_backup_refuses_an_existing_file_and_leaves_it_as_it_was(root):
    d = Daemon(root).start()
    target = root / "precious.sqlite"
    target.write_bytes(b"keep me")
    cp = d.ctl("backup", str(target), check=False)
    assert cp.returncode != 0
    assert "exists; pass --force" in cp.stderr, cp.stderr
    assert target.read_bytes() == b"keep me"
    assert audit_events(d, "database.backed_up") == [], "refused before anything was asked of riegeld"
    d.ctl("backup", str(target), "--force")
    assert sqlite_integrity(target) == [("ok",)]
    assert d.stop() == 0


def test_backup_without_more_is_refused_and_copies_nothing(root):
    d = Daemon(root).start()
    with admin(d) as adm:
        name, _ = error_of(adm.Backup)
    assert name == "org.varlink.service.ExpectedMore"
    assert audit_events(d, "database.backed_up") == []
    assert d.stop() == 0


def test_caller_that_stops_reading_leaves_no_copy_and_is_audited(root):
    d = Daemon(root).start()
    for i in range(40):
        register(d, f"bulk-{i}")
    client = d.client()
    with client.open("io.riegel.Admin") as adm:
        stream = adm.Backup(_more=True)
        first = next(stream)
        assert first["data"] and "bytes" not in first, "more than one piece: the caller leaves mid-stream"
    del stream
    client.cleanup()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        events = audit_events(d, "database.backed_up")
        if events:
            break
        time.sleep(0.2)
    assert [(e["outcome"], e.get("reason")) for e in events] == [("failure", "caller_gone")]
    assert not list(d.state.glob("backup-*")), "the copy inside the state directory is removed"
    assert d.stop() == 0


def test_a_copy_left_by_an_interrupted_backup_is_removed_at_start(root):
    d = Daemon(root).start()
    assert d.stop() == 0
    leftovers = [d.state / f"backup-0123456789abcdef01234567.sqlite.partial{end}" for end in ("", "-wal", "-shm")]
    for leftover in leftovers:
        leftover.write_bytes(b"pages of an old copy")
        os.chmod(leftover, 0o600)
    d.start()
    assert [p for p in leftovers if p.exists()] == []
    assert (d.state / "riegel.sqlite").exists()
    assert "removed backup copies" in d.log_text()
    assert d.stop() == 0
