"""The audit trail through io.riegel.Audit: query, filters, follow, verify, tamper detection."""
import hashlib
import json
import os
import sqlite3
import struct
import threading
import time

import pytest
import varlink

from riegel_harness import Daemon, error_of

STRONG = "Kl4vier-Sonate-Mond"


def events(audit, **kw):
    return [r["event"] for r in audit.Query(_more=True, **kw) if "event" in r]


def test_login_events_are_recorded_with_client_and_peer(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        uid = a.Register(username="Olga", password=STRONG)["user_id"]
        client = {"ip": "192.0.2.44", "user_agent": "pytest-agent"}
        error_of(a.Login, username="olga", password="Wrong-Wrong-99", client=client)
        error_of(a.Login, username="ghost", password="Wrong-Wrong-99", client=client)
        a.Login(username="olga", password=STRONG, client=client)
        got = events(audit, filter={"types": ["login.failed", "login.succeeded"]})
        assert [(e["type"], e.get("reason")) for e in got] == [
            ("login.failed", "wrong_password"), ("login.failed", "unknown_user"), ("login.succeeded", "password")]
        assert got[0]["user_id"] == uid and got[0]["username"] == "Olga"
        assert "user_id" not in got[1]
        assert all(e["client_ip"] == "192.0.2.44" and e["user_agent"] == "pytest-agent" for e in got)
        assert all(e["peer_uid"] == os.getuid() and e["peer_pid"] > 0 for e in got)
        assert all(len(e["hash"]) == 64 for e in got)
        seqs = [e["seq"] for e in events(audit)]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_filters_limit_and_bad_filters(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        uid = a.Register(username="paula", password=STRONG)["user_id"]
        a.Register(username="quinn", password=STRONG)
        for _ in range(3):
            a.Login(username="paula", password=STRONG)
        by_name = events(audit, filter={"user": "PAULA"})
        by_id = events(audit, filter={"user": uid})
        assert by_name == by_id and {e["type"] for e in by_name} == {"account.created", "login.succeeded"}
        newest = events(audit, filter={"user": uid}, limit=2)
        assert [e["seq"] for e in newest] == [e["seq"] for e in by_id][-2:]
        assert events(audit, filter={"outcome": "failure"}) == []
        name, params = error_of(events, audit, filter={"types": ["login.succeeded", "nothing.like.this"]})
        assert name == "io.riegel.Audit.InvalidFilter" and "nothing.like.this" in params["reason"]
        assert error_of(events, audit, filter={"since": "yesterday"})[0] == "io.riegel.Audit.InvalidFilter"
        assert error_of(events, audit, filter={"since": "2030-01-02T00:00:00Z", "until": "2030-01-01T00:00:00Z"})[0] \
            == "io.riegel.Audit.InvalidFilter"
        assert error_of(events, audit, limit=-1)[0] == "io.riegel.Audit.InvalidFilter"


def test_unknown_event_type_is_refused_with_the_known_ones_of_its_family(daemon):
    """A typo in a type used to match nothing, silently; now it is InvalidFilter."""
    with daemon.client().open("io.riegel.Audit") as audit:
        name, params = error_of(events, audit, filter={"types": ["login.fial"]})
        assert name == "io.riegel.Audit.InvalidFilter"
        assert params["reason"] == ('unknown event type "login.fial"; known login.* types: '
                                    "login.challenged, login.failed, login.succeeded")
        name, params = error_of(events, audit, filter={"types": ["LOGIN.FAILED"]})
        assert name == "io.riegel.Audit.InvalidFilter" and "docs/audit-events.md" in params["reason"]
        name, params = error_of(events, audit, filter={"until": "2026-13-01T00:00:00Z"})
        assert name == "io.riegel.Audit.InvalidFilter" and "until" in params["reason"]
        assert events(audit, filter={"types": ["login.failed", "permission.denied"]}) == []


def test_query_without_more_is_expected_more(daemon):
    with daemon.client().open("io.riegel.Audit") as audit:
        assert error_of(audit.Query)[0] == "org.varlink.service.ExpectedMore"


def test_follow_streams_new_events(daemon):
    got = []
    ready = threading.Event()

    def follow():
        with daemon.client().open("io.riegel.Audit") as audit:
            for r in audit.Query(filter={"types": ["login.succeeded"]}, follow=True, _more=True):
                ready.set()
                if "event" in r:
                    got.append(r["event"])
                    if len(got) == 2:
                        return

    with daemon.client().open("io.riegel.Auth") as a:
        a.Register(username="rosa", password=STRONG)
        a.Login(username="rosa", password=STRONG)
        t = threading.Thread(target=follow, daemon=True)
        t.start()
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        a.Login(username="rosa", password=STRONG)  # arrives while following
        t.join(15)
    assert len(got) == 2 and got[0]["seq"] < got[1]["seq"]


def test_verify_is_ok_and_deleted_accounts_keep_a_valid_chain(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        uid = a.Register(username="sven", password=STRONG)["user_id"]
        token = a.Login(username="sven", password=STRONG)["session"]["token"]
        a.DeleteAccount(token=token, password=STRONG)
        v = audit.Verify()
        assert v["ok"] is True and v["entries"] >= 3 and "problem" not in v
        mine = events(audit, filter={"user": uid})
        assert {e["type"] for e in mine} >= {"account.created", "login.succeeded", "account.deleted"}
        assert all("username" not in e for e in mine), "the deleted user's name must be blanked"


def _drop_audit_triggers(db):
    """What an attacker with write access to the file does first."""
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                              " AND tbl_name IN ('audit_event', 'audit_checkpoint')").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')


def _verify_tampered(d, db):
    """Commits the attacker's edits, restarts riegeld on the file and returns
    what Audit.Verify and `riegelctl audit verify` say."""
    db.commit()
    db.close()
    d.start()
    try:
        with d.client().open("io.riegel.Audit") as audit:
            v = audit.Verify()
        return v, d.ctl("audit", "verify", check=False)
    finally:
        assert d.stop() == 0


@pytest.mark.sqlite_file
def test_edited_entry_is_detected(root):
    d = Daemon(root).start()
    with d.client().open("io.riegel.Auth") as a:
        a.Register(username="tina", password=STRONG)
        error_of(a.Login, username="tina", password="Wrong-Wrong-99", client={"ip": "203.0.113.9"})
        a.Login(username="tina", password=STRONG)
    assert d.stop() == 0
    db = sqlite3.connect(d.state / "riegel.sqlite")
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("DELETE FROM audit_event WHERE seq = 2")  # the triggers refuse
    # An attacker with the file drops the triggers and rewrites history.
    _drop_audit_triggers(db)
    db.execute("UPDATE audit_event SET client_ip = '198.51.100.1' WHERE seq = 2")
    v, _ = _verify_tampered(d, db)
    assert v["ok"] is False and v["first_bad_seq"] == 2 and v["problem"]


def _canonical(row) -> bytes:
    """The chain encoding of one audit_event row (docs/at-rest-formats.md, AuditChain)."""
    def integer(v):
        return struct.pack(">q", v)

    def string(v):
        b = v.encode()
        return struct.pack(">I", len(b)) + b

    def optional(v, enc):
        return b"\0" if v is None else b"\1" + enc(v)

    out = b"riegel-audit-v1" + integer(row["seq"]) + struct.pack(">d", row["time"])
    out += string(row["type"]) + string(row["outcome"])
    out += optional(row["user_id"], string) + optional(row["reason"], string)
    out += optional(row["peer_uid"], integer) + optional(row["peer_pid"], integer)
    out += optional(row["client_ip"], string) + optional(row["user_agent"], string)
    details = sorted(json.loads(row["details"]).items(), key=lambda kv: kv[0].encode())
    out += integer(len(details))
    for k, v in details:
        out += string(k) + string(v)
    return out


@pytest.mark.sqlite_file
def test_deleted_checkpoints_and_a_rehashed_chain_are_detected(root):
    """Issue 11 item 4: with write access to the file, an attacker drops the
    triggers, deletes every checkpoint, edits an entry and recomputes the
    unkeyed SHA-256 chain. Verify used to answer ok; a checkpoint is due every
    100 entries, so it must name the first missing one."""
    d = Daemon(root).start()
    c = d.client()
    with c.open("io.riegel.Auth") as a:
        a.Register(username="tina", password=STRONG)
        token = a.Login(username="tina", password=STRONG)["session"]["token"]
        for n in range(110):  # each decision is one audit entry
            a.AuthorizeAccess(token=token, resource_class="standard", resource_id=f"doc-{n}")
    with c.open("io.riegel.Audit") as audit:
        before = audit.Verify()
    assert before["ok"] is True and before["entries"] > 100, before
    assert d.stop() == 0
    db = sqlite3.connect(d.state / "riegel.sqlite")
    db.row_factory = sqlite3.Row
    assert db.execute("SELECT count(*) FROM audit_checkpoint WHERE seq = 100").fetchone()[0] == 1
    _drop_audit_triggers(db)
    db.execute("DELETE FROM audit_checkpoint")
    db.execute("UPDATE audit_event SET client_ip = '198.51.100.1' WHERE seq = 2")
    previous = bytes(32)
    for row in db.execute("SELECT * FROM audit_event ORDER BY seq").fetchall():
        digest = hashlib.sha256(previous + _canonical(row)).digest()
        if row["seq"] == 1:
            assert digest == bytes(row["hash"]), "the test's chain encoding must match riegeld's"
        db.execute("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE seq = ?", (previous, digest, row["seq"]))
        previous = digest
    v, ctl = _verify_tampered(d, db)
    assert v["ok"] is False and v["first_bad_seq"] == 100, v
    assert "missing" in v["problem"], v
    assert ctl.returncode == 1 and "BROKEN at seq 100" in ctl.stdout, ctl


def test_verify_reports_the_unsealed_tail_and_a_stop_seals_it(root):
    """Entries after the last checkpoint are reported as unsealed (the file
    alone cannot vouch for them); a clean stop seals them."""
    d = Daemon(root).start()
    with d.client().open("io.riegel.Auth") as a:
        a.Register(username="uwe", password=STRONG)
        a.Login(username="uwe", password=STRONG)
    with d.client().open("io.riegel.Audit") as audit:
        v = audit.Verify()
    assert v["ok"] is True and v["unsealed"] == v["entries"] > 0, v
    assert d.stop() == 0
    d.start()
    try:
        with d.client().open("io.riegel.Audit") as audit:
            v = audit.Verify()
        assert v["ok"] is True and v["unsealed"] == 0, v
    finally:
        assert d.stop() == 0


def test_audit_trail_holds_no_secret(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        uid = a.Register(username="uwe", password=STRONG, email="uwe.secret@example.org")["user_id"]
        error_of(a.Login, username="uwe", password="Wrong-Secret-77")
        token = a.Login(username="uwe", password=STRONG)["session"]["token"]
        reset = a.BeginPasswordReset(username="uwe")["reset_token"]
        code = a.IssueActivationCode(user_id=uid, subject="s")["code"]
        a.ChangePassword(token=token, current_password=STRONG, new_password="Neues-Passwort-42")
        dump = repr(events(audit))
    assert "login.failed" in dump
    for secret in (STRONG, "Wrong-Secret-77", "Neues-Passwort-42", token, reset, code, "uwe.secret"):
        assert secret not in dump, f"{secret!r} is in the audit trail"
