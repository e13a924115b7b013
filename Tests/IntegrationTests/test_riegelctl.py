"""riegelctl against a real riegeld: status, call, --json, --more, errors and exit codes."""
import json

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
