"""Admins rotate and retire data keys (issue 12): io.riegel.Admin.ListKeys,
RotateKey (streamed re-wrap progress), RetireKey, through the PyPI varlink
client and riegelctl against a real riegeld; a kill -9 in the middle of a
re-wrap; the daemon's own scheduled rotation."""
import pytest
import json
import os
import signal
import sqlite3
import time

from riegel_harness import Daemon, admin, audit_events, auth, error_of
from test_sms import enrol, last_code, login_with_code, outbox

STRONG = "Kl4vier-Sonate-Mond"
SLOW = '[keys]\nrewrap_batch_size = 1\nrewrap_pause = "0.5s"\n'
PURPOSES = {"password", "pii", "otp", "audit"}


def keys_of(d):
    with admin(d) as adm:
        return adm.ListKeys()


def active(d, purpose):
    return next(k for k in keys_of(d)["keys"] if k["purpose"] == purpose and k["state"] == "active")


def rewrap(d, purpose):
    return next((r for r in keys_of(d)["rewraps"] if r["purpose"] == purpose), None)


def wait_rewrap(d, purpose, state="finished", timeout=60.0, at_least=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = rewrap(d, purpose)
        if r and (r["state"] == state if at_least is None else r["processed"] >= at_least):
            return r
        time.sleep(0.1)
    raise AssertionError(f"re-wrap of {purpose} not {state or at_least} in {timeout}s: {rewrap(d, purpose)}")


def register_users(d, n, prefix="user"):
    with auth(d) as a:
        for i in range(n):
            a.Register(username=f"{prefix}{i}", password=STRONG, email=f"{prefix}{i}@example.org")


def everyone_is_found(d, n, prefix="user", login=True):
    """Each user's e-mail finds them (the pii index), and, with login, their password opens (password key)."""
    with auth(d) as a:
        for i in range(n):
            assert a.RecoverUsername(email=f"{prefix.upper()}{i}@Example.org")["usernames"] == [f"{prefix}{i}"], i
            if login:
                a.Login(username=f"{prefix}{i}", password=STRONG)


def wrapped_bytes(d, key_id):
    db = sqlite3.connect(f"file:{d.state / 'riegel.sqlite'}?mode=ro", uri=True)
    try:
        (blob,) = db.execute("SELECT wrapped FROM key WHERE id = ?", (int(key_id.removeprefix("key-")),)).fetchone()
        return bytes(blob)
    finally:
        db.close()


def test_list_keys_shows_every_purpose_and_counts_the_rows_that_use_each(daemon):
    register_users(daemon, 3)
    reply = keys_of(daemon)
    keys = reply["keys"]
    assert {k["purpose"] for k in keys} == PURPOSES and all(k["state"] == "active" for k in keys)
    assert len({k["master_key_id"] for k in keys}) == 1 and len(keys[0]["master_key_id"]) == 16
    by_purpose = {k["purpose"]: k for k in keys}
    assert by_purpose["password"]["in_use"] == 3 and by_purpose["pii"]["in_use"] == 3
    assert by_purpose["otp"]["in_use"] == 0
    assert reply["rewraps"] == []


def test_pii_rotation_streams_progress_and_no_user_is_ever_not_found(root):
    d = Daemon(root, extra_config=SLOW).start()
    try:
        register_users(d, 5)
        with auth(d) as a:
            uid = enrol(a, d, "sofia")
        old = active(d, "pii")["key_id"]
        replies, checked_mid_way = [], 0
        with admin(d) as adm:
            for reply in adm.RotateKey(purpose="pii", _more=True):
                replies.append(reply)
                # Mid-rewrap: some rows under the old key, some under the new.
                if 0 < reply["progress"]["processed"] < reply["progress"]["total"] and checked_mid_way < 2:
                    everyone_is_found(d, 5, login=False)
                    checked_mid_way += 1
        assert checked_mid_way == 2, replies
        first, last = replies[0], replies[-1]
        assert first["progress"]["state"] == "running" and first["progress"]["total"] == 6  # 5 e-mails + 1 phone
        assert last["progress"]["state"] == "finished" and last["progress"]["processed"] == 6
        assert last["key_id"] != old and len({r["key_id"] for r in replies}) == 1
        assert [r["progress"]["processed"] for r in replies] == sorted(r["progress"]["processed"] for r in replies)
        everyone_is_found(d, 5)
        with auth(d) as a:  # the phone opens under the new key: the code goes to the same number
            login_with_code(a, d, "sofia")
            assert outbox(d)[-1]["to"] == "+4915123456789"
        in_use = {k["key_id"]: k["in_use"] for k in keys_of(d)["keys"]}
        assert in_use[old] == 0 and in_use[last["key_id"]] == 6
        assert uid
    finally:
        assert d.stop() == 0, d.log_text()


def test_password_otp_and_audit_rotations_finish_and_everything_still_verifies(daemon):
    register_users(daemon, 4)
    with daemon.client().open("io.riegel.Audit") as audit:
        assert audit.Verify()["ok"] is True
    old_audit = active(daemon, "audit")["key_id"]
    with admin(daemon) as adm:
        for purpose in ("password", "otp", "audit"):
            last = list(adm.RotateKey(purpose=purpose, _more=True))[-1]
            assert last["progress"]["state"] == "finished", last
    everyone_is_found(daemon, 4)
    in_use = {k["purpose"]: k["in_use"] for k in keys_of(daemon)["keys"] if k["state"] == "decrypt_only"}
    assert in_use == {"password": 0, "otp": 0, "audit": 0}
    with admin(daemon) as adm:  # checkpoints were re-sealed: the old audit key can go, and the trail still verifies
        adm.RetireKey(key_id=old_audit)
    with daemon.client().open("io.riegel.Audit") as audit:
        verified = audit.Verify()
        assert verified["ok"] is True and verified["entries"] > 4, verified


@pytest.mark.sqlite_file
def test_retire_refuses_unknown_active_and_used_keys_then_erases_the_key(root):
    d = Daemon(root, extra_config=SLOW).start()
    try:
        register_users(d, 4)
        old = active(d, "password")["key_id"]
        material = wrapped_bytes(d, old)
        assert len(material) == 61
        files = b"".join((d.state / n).read_bytes() for n in ("riegel.sqlite", "riegel.sqlite-wal")
                         if (d.state / n).exists())
        assert material in files, "control: the files hold the key before it is retired"
        with admin(d) as adm:
            new = adm.RotateKey(purpose="password")["key_id"]
            assert error_of(adm.RetireKey, key_id=new) == ("io.riegel.Admin.KeyActive", {})
            assert error_of(adm.RetireKey, key_id="key-999") == ("io.riegel.Admin.NoSuchKey", {})
            assert error_of(adm.RetireKey, key_id="7") == ("org.varlink.service.InvalidParameter", {"parameter": "key_id"})
            name, params = error_of(adm.RetireKey, key_id=old)
            assert name == "io.riegel.Admin.KeyInUse" and 0 < params["in_use"] <= 4
            assert wrapped_bytes(d, old) == material, "a refused retirement changes nothing"
            wait_rewrap(d, "password")
            adm.RetireKey(key_id=old)
            adm.RetireKey(key_id=old)  # again: nothing left to do
        assert {k["key_id"]: k["state"] for k in keys_of(d)["keys"]}[old] == "retired"
        assert wrapped_bytes(d, old) == b""
        for name in ("riegel.sqlite", "riegel.sqlite-wal"):
            path = d.state / name
            assert material not in (path.read_bytes() if path.exists() else b""), f"{name} still holds the retired key"
        everyone_is_found(d, 4)
        with auth(d) as a:  # an unknown user still costs a verification (the dummy hash moved to the new key)
            assert error_of(a.Login, username="nobody", password=STRONG)[0] == "io.riegel.Auth.InvalidCredentials"
        assert d.stop() == 0, d.log_text()
        d.start()  # a retired key is not needed to start
        everyone_is_found(d, 4)
    finally:
        assert d.stop() == 0, d.log_text()


def test_a_second_rotation_while_the_rewrap_runs_is_refused_and_bad_purposes_are_invalid(root):
    d = Daemon(root, extra_config=SLOW).start()
    try:
        register_users(d, 3)
        with admin(d) as adm:
            adm.RotateKey(purpose="pii")
            assert error_of(adm.RotateKey, purpose="pii") == ("io.riegel.Admin.RotationInProgress", {"purpose": "pii"})
            adm.RotateKey(purpose="password")  # another purpose is not blocked
            assert error_of(adm.RotateKey, purpose="email")[0] == "org.varlink.service.InvalidParameter"
        assert [k["purpose"] for k in keys_of(d)["keys"]].count("pii") == 2, "no third pii key"
    finally:
        assert d.stop() == 0, d.log_text()


def test_kill_9_during_a_rewrap_resumes_after_restart_and_loses_nothing(root):
    n = 12
    d = Daemon(root, extra_config='[keys]\nrewrap_batch_size = 1\nrewrap_pause = "0.5s"\n').start()
    register_users(d, n)
    with admin(d) as adm:
        new = adm.RotateKey(purpose="pii")["key_id"]
    for kill_after in (1, 4):  # two kills at different points of the job
        wait_rewrap(d, "pii", at_least=kill_after)
        assert d.stop(signal.SIGKILL) == -signal.SIGKILL
        d.start()
        r = rewrap(d, "pii")
        assert r["state"] == "running" and r["key_id"] == new and kill_after <= r["processed"] < n, r
        everyone_is_found(d, n, login=False)  # mid-job, after a crash
    d.write_config('[keys]\nrewrap_batch_size = 100\nrewrap_pause = "0.01s"\n')
    assert d.stop(signal.SIGKILL) == -signal.SIGKILL
    d.start()
    done = wait_rewrap(d, "pii")
    assert done["key_id"] == new and done["processed"] >= n
    assert {k["key_id"]: k["in_use"] for k in keys_of(d)["keys"]}[new] == n
    everyone_is_found(d, n)
    assert d.stop() == 0, d.log_text()


@pytest.mark.sqlite_file
def test_key_operations_are_audited_with_the_admins_uid_and_no_key_material(daemon):
    register_users(daemon, 2)
    old = active(daemon, "password")["key_id"]
    material = wrapped_bytes(daemon, old)
    with admin(daemon) as adm:
        new = list(adm.RotateKey(purpose="password", _more=True))[-1]["key_id"]
        adm.RetireKey(key_id=old)
    [rotated] = audit_events(daemon, "key.rotated")
    assert rotated["peer_uid"] == os.getuid() and rotated["outcome"] == "success"
    assert rotated["details"] == {"purpose": "password", "key_id": new, "previous_key_id": old,
                                  "trigger": "admin", "rows": "2"}
    [finished] = audit_events(daemon, "key.rewrap_finished")
    assert finished["details"] == {"purpose": "password", "key_id": new, "rows": "2"}
    [retired] = audit_events(daemon, "key.retired")
    assert retired["peer_uid"] == os.getuid() and retired["details"] == {"purpose": "password", "key_id": old}
    text = json.dumps(audit_events(daemon, "key.rotated", "key.rewrap_finished", "key.retired")) + daemon.log_text()
    assert material.hex() not in text and material.hex().upper() not in text


def test_the_daemon_rotates_on_schedule_and_audits_it(root):
    d = Daemon(root, extra_config='[keys]\nrotate_after = { otp = "2s" }\n').start()
    try:
        first = active(d, "otp")["key_id"]
        deadline = time.monotonic() + 20
        while active(d, "otp")["key_id"] == first:
            assert time.monotonic() < deadline, "no scheduled rotation within 20 s"
            time.sleep(0.2)
        assert active(d, "password")["key_id"] == "key-1", "purposes without a schedule stay"
        events = audit_events(d, "key.rotated")
        assert events and all(e["details"]["trigger"] == "schedule" and e["details"]["purpose"] == "otp" for e in events)
        assert "peer_uid" not in events[0]
    finally:
        assert d.stop() == 0, d.log_text()


def test_the_per_number_sms_cap_survives_a_pii_rotation(root):
    d = Daemon(root, extra_config='[sms]\nresend_cooldown = "1s"\ncap_per_phone = 2\n').start()
    try:
        with auth(d) as a:
            enrol(a, d, "sofia")  # the enrolment budget's send
            login_with_code(a, d, "sofia")  # the login budget's first send
            a.Login(username="sofia", password=STRONG)  # and second
            assert error_of(a.Login, username="sofia", password=STRONG)[0] == "io.riegel.Auth.TooManyAttempts"
        with admin(d) as adm:
            assert list(adm.RotateKey(purpose="pii", _more=True))[-1]["progress"]["state"] == "finished"
        with auth(d) as a:
            assert error_of(a.Login, username="sofia", password=STRONG)[0] == "io.riegel.Auth.TooManyAttempts", \
                "the rotation reset the per-number cap"
        assert len(outbox(d)) == 3
    finally:
        assert d.stop() == 0, d.log_text()


def test_riegelctl_keys_list_rotate_and_retire(daemon):
    register_users(daemon, 2)
    table = daemon.ctl("keys", "list").stdout.splitlines()
    assert table[0].split() == ["KEY", "PURPOSE", "STATE", "IN", "USE", "CREATED", "MASTER", "KEY"]
    assert sorted(line.split()[1] for line in table[1:5]) == sorted(PURPOSES)
    listed = json.loads(daemon.ctl("keys", "list", "--json").stdout)
    assert {k["purpose"] for k in listed["keys"]} == PURPOSES
    old = next(k["key_id"] for k in listed["keys"] if k["purpose"] == "pii")

    rotated = daemon.ctl("keys", "rotate", "pii")
    lines = rotated.stdout.splitlines()
    assert lines[-1].startswith("pii -> key-5 [") and lines[-1].endswith("2/2 finished"), rotated.stdout
    quick = json.loads(daemon.ctl("keys", "rotate", "otp", "--no-wait", "--json").stdout)
    assert quick["key_id"] == "key-6" and quick["progress"]["purpose"] == "otp"

    bad = daemon.ctl("keys", "rotate", "email", check=False)
    assert bad.returncode == 1 and "org.varlink.service.InvalidParameter" in bad.stderr
    refused = daemon.ctl("keys", "retire", "key-5", check=False)
    assert refused.returncode == 1 and "io.riegel.Admin.KeyActive" in refused.stderr
    assert daemon.ctl("keys", "retire", old).stdout.strip() == f"retired {old}"
    after = {k["key_id"]: k["state"] for k in json.loads(daemon.ctl("keys", "list", "--json").stdout)["keys"]}
    assert after[old] == "retired" and after["key-5"] == "active"
    assert "RE-WRAP" in daemon.ctl("keys", "list").stdout


def test_riegelctl_keys_rotate_draws_a_progress_bar_on_a_terminal(root):
    import pty
    import subprocess

    from riegel_harness import RIEGELCTL
    d = Daemon(root, extra_config=SLOW).start()
    try:
        register_users(d, 3)
        controller, terminal = pty.openpty()
        proc = subprocess.Popen([str(RIEGELCTL), "keys", "rotate", "password", "--socket", str(d.sock)],
                                stdin=terminal, stdout=terminal, stderr=terminal)
        os.close(terminal)
        out = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the terminal's last writer closed
                break
            if not chunk:
                break
            out += chunk
        os.close(controller)
        assert proc.wait(timeout=60) == 0, out
        text = out.decode()
        frames = [f for f in text.replace("\r\n", "\n").split("\r") if f.strip()]
        assert len(frames) >= 2, f"one line redrawn in place, not a line per update: {text!r}"
        assert frames[0].startswith("password -> ") and "running" in frames[0]
        assert text.rstrip().endswith("3/3 finished")
    finally:
        assert d.stop() == 0, d.log_text()
