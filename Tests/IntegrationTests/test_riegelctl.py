"""riegelctl against a real riegeld: status, call, --json, --more, errors and exit codes."""
import json
import os
import pty
import subprocess
import threading
import time

from riegel_harness import RIEGELCTL


def test_status_shows_product_and_health(daemon):
    cp = daemon.ctl("status")
    assert "riegeld" in cp.stdout
    assert "health: healthy, serving" in cp.stdout
    assert "ok   database" in cp.stdout


def test_status_json_is_one_machine_readable_object(daemon):
    cp = daemon.ctl("status", "--json")
    lines = cp.stdout.strip().split("\n")
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert out["info"]["product"] == "riegeld"
    assert out["health"]["state"] == "serving"
    assert all(c["ok"] for c in out["health"]["checks"])


def test_call_prints_the_reply(daemon):
    cp = daemon.ctl("call", "org.varlink.service.GetInterfaceDescription", '{"interface": "io.riegel.Audit"}', "--json")
    assert "interface io.riegel.Audit" in json.loads(cp.stdout)["description"]


def test_call_error_exits_one_and_names_the_error(daemon):
    cp = daemon.ctl("call", "io.riegel.Nope.Method", check=False)
    assert cp.returncode == 1
    assert "error: org.varlink.service.InterfaceNotFound" in cp.stderr


def test_call_with_bad_json_is_a_usage_error(daemon):
    cp = daemon.ctl("call", "org.varlink.service.GetInfo", "{nope", check=False)
    assert cp.returncode not in (0, 1)
    assert "not valid JSON" in cp.stderr


def test_unreachable_socket_exits_69(root):
    import subprocess
    cp = subprocess.run([str(RIEGELCTL), "status", "--socket", str(root / "absent.sock")],
                        capture_output=True, text=True, timeout=30)
    assert cp.returncode == 69
    assert "Is riegeld running?" in cp.stderr


def test_completion_script_is_generated():
    import subprocess
    cp = subprocess.run([str(RIEGELCTL), "--generate-completion-script", "bash"], capture_output=True, text=True)
    assert cp.returncode == 0 and "riegelctl" in cp.stdout and "status" in cp.stdout


def test_users_show_lock_unlock_and_audit_query_verify(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        a.Register(username="ctl-user", password="Kl4vier-Sonate-Mond")
    shown = json.loads(daemon.ctl("users", "show", "CTL-USER", "--json").stdout)
    assert shown["account"]["username"] == "ctl-user"
    daemon.ctl("users", "lock", "ctl-user", "--reason", "test")
    assert "locked_until" in json.loads(daemon.ctl("users", "show", "ctl-user", "--json").stdout)["account"]
    daemon.ctl("users", "unlock", "ctl-user")
    out = daemon.ctl("audit", "query", "--user", "ctl-user").stdout.splitlines()
    assert [l.split()[2] for l in out] == ["account.created", "account.locked", "account.unlocked"]
    assert "audit trail ok" in daemon.ctl("audit", "verify").stdout
    limited = daemon.ctl("audit", "query", "--type", "account.locked", "--json").stdout.splitlines()
    assert len(limited) == 1 and json.loads(limited[0])["reason"] == "admin"
    cp = daemon.ctl("users", "show", "nobody-at-all", check=False)
    assert cp.returncode == 1 and "io.riegel.Admin.NoSuchAccount" in cp.stderr


def _seed(daemon, name="tab-user"):
    with daemon.client().open("io.riegel.Auth") as a:
        a.Register(username=name, password="Kl4vier-Sonate-Mond")
        for _ in range(2):
            try:
                a.Login(username=name, password="Wrong-Wrong-99", client={"ip": "192.0.2.7"})
            except Exception:
                pass
        a.Login(username=name, password="Kl4vier-Sonate-Mond")


def test_audit_query_filters_by_user_event_and_relative_time(daemon):
    _seed(daemon)
    rows = daemon.ctl("audit", "query", "--user", "tab-user", "--event", "login.failed", "--since", "1h").stdout
    rows = rows.splitlines()
    assert len(rows) == 2, rows
    time_, seq, event, outcome, user, peer, *details = rows[0].split()
    assert time_.endswith("Z") and int(seq) > 0 and event == "login.failed" and outcome == "failure"
    assert user == "tab-user" and peer.startswith(f"{os.getuid()}/")
    assert "reason=wrong_password" in details and "ip=192.0.2.7" in details
    # An until an hour ago excludes all of them; RFC 3339 works as well as relative times.
    assert daemon.ctl("audit", "query", "--event", "login.failed", "--until", "1h").stdout == ""
    both = daemon.ctl("audit", "query", "--type", "login.failed", "--event", "login.succeeded",
                      "--since", "2000-01-01T00:00:00Z", "--until", "2999-01-01T00:00:00+01:00").stdout.splitlines()
    assert [r.split()[2] for r in both] == ["login.failed", "login.failed", "login.succeeded"]
    assert len(daemon.ctl("audit", "query", "--since", "30m", "--limit", "1").stdout.splitlines()) == 1


def test_audit_query_json_is_one_event_per_line(daemon):
    _seed(daemon)
    lines = daemon.ctl("audit", "query", "--user", "tab-user", "--json").stdout.splitlines()
    got = [json.loads(l) for l in lines]
    assert [e["type"] for e in got] == ["account.created", "login.failed", "login.failed", "login.succeeded"]
    assert all(e["username"] == "tab-user" and len(e["hash"]) == 64 for e in got)


def test_audit_query_refuses_a_bad_time_or_an_unknown_event(daemon):
    cp = daemon.ctl("audit", "query", "--since", "yesterday", check=False)
    assert cp.returncode == 64 and '--since "yesterday" is not a time' in cp.stderr and "30m, 1h, 7d" in cp.stderr
    cp = daemon.ctl("audit", "query", "--until", "2026-11-25 08:00", check=False)
    assert cp.returncode == 64 and "--until" in cp.stderr
    cp = daemon.ctl("audit", "query", "--event", "login.fial", check=False)
    assert cp.returncode == 1 and "io.riegel.Audit.InvalidFilter" in cp.stderr
    assert 'unknown event type \\"login.fial\\"' in cp.stderr and "login.failed" in cp.stderr
    cp = daemon.ctl("audit", "tail", "--event", "nope", "--json", check=False)
    assert cp.returncode == 1 and json.loads(cp.stderr)["error"] == "io.riegel.Audit.InvalidFilter"


def test_audit_query_on_a_terminal_prints_a_header(daemon):
    _seed(daemon)
    main, sub = pty.openpty()
    try:
        proc = subprocess.Popen([str(RIEGELCTL), "audit", "query", "--user", "tab-user", "--socket", str(daemon.sock)],
                                stdout=sub, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(sub)
        assert proc.wait(30) == 0
        out = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(main)
    lines = out.decode().replace("\r\n", "\n").splitlines()
    assert lines[0].split() == ["TIME", "SEQ", "EVENT", "OUTCOME", "USER", "PEER", "DETAILS"], lines
    assert [l.split()[2] for l in lines[1:]] == ["account.created", "login.failed", "login.failed", "login.succeeded"]
    assert lines[1].index("account.created") == lines[0].index("EVENT"), "columns line up"


def test_audit_tail_prints_the_newest_and_follows(daemon):
    _seed(daemon)
    newest = daemon.ctl("audit", "tail", "-n", "2").stdout.splitlines()
    assert [l.split()[2] for l in newest] == ["login.failed", "login.succeeded"]
    proc = subprocess.Popen([str(RIEGELCTL), "audit", "tail", "-f", "-n", "0", "--json", "--event", "login.succeeded",
                             "--socket", str(daemon.sock)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # the follow is running
        with daemon.client().open("io.riegel.Auth") as a:
            a.Login(username="tab-user", password="Kl4vier-Sonate-Mond")
        line = _readline(proc.stdout, 15)
        event = json.loads(line)
        assert event["type"] == "login.succeeded" and event["username"] == "tab-user"
        assert proc.poll() is None, "tail -f keeps following"
    finally:
        proc.terminate()
        proc.wait(10)


def _readline(stream, timeout):
    got = []
    t = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    t.start()
    t.join(timeout)
    assert got and got[0], "no line within the timeout"
    return got[0]
