"""riegel installed from its .deb into a Debian 12 system with systemd as PID 1
(systemd-nspawn), checked from inside: socket activation, readiness, reload,
watchdog, sandbox, roles with real users, journal, stop, crash recovery,
reinstall, backup and restore, remove and purge.

The checks run in file order on one booted container: each builds on the state
the one before left (a failure early makes later ones fail too; read the first).
Without root, mmdebstrap or nspawn they fail, never skip.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from deb_fixture import package_path
from nspawn_harness import Container, NspawnUnavailable, cached_root, deb_depends

PASSWORD = "Kl4vier-Sonate-Mond"
ACCOUNT_CREATED = "ab03d094a38ed4c5b78d01ccacbf6110"     # systemd/riegel.catalog
PERMISSION_DENIED = "096c75d77ebb2cc9a4123bc09fc9b0da"
BACKED_UP = "4fcefd788fab11032492dd2a3bc5016b"           # database.backed_up


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    deb = package_path(tmp_path_factory)
    try:
        root = cached_root(deb_depends(deb))
        c = Container(root, f"riegel-test-{os.getpid()}")
        c.boot()
    except NspawnUnavailable as e:
        pytest.fail(f"cannot run riegel under systemd as PID 1 on this machine: {e}")
    shutil.copy(deb, c.merged / "root" / deb.name)
    c.deb = f"/root/{deb.name}"
    yield c
    journal = Path(tempfile.gettempdir()) / f"{c.name}-journal.txt"
    c.stop(keep_journal_in=journal)
    print(f"the container's journal: {journal}")


def cursor(c: Container) -> str:
    """The journal's current end. journalctl 252 with --after-cursor and a -u match
    once skipped the first matching entry: read after a cursor only for lines that
    follow other lines of the same job (or count over the whole journal)."""
    out = c.run("journalctl", "-q", "-n", "0", "--show-cursor").stdout
    return re.search(r"-- cursor: (\S+)", out)[1]


def main_pid(c: Container) -> int:
    return int(c.show("riegeld.service", "MainPID")["MainPID"])


def ctl(c: Container, user: str, *args: str) -> subprocess.CompletedProcess:
    return c.run("riegelctl", *args, user=user, check=False)


def register(c: Container, user: str, name: str) -> subprocess.CompletedProcess:
    return ctl(c, user, "call", "io.riegel.Auth.Register", json.dumps({"username": name, "password": PASSWORD}))


def usernames(c: Container) -> set[str]:
    out = ctl(c, "root", "users", "list", "--all", "--json")
    assert out.returncode == 0, out.stderr
    return {json.loads(line)["username"] for line in out.stdout.splitlines() if line.strip()}


def test_apt_installs_the_deb_on_debian_without_swift(box):
    assert box.run("sh", "-c", "command -v swift || ls -d /opt/swift /usr/share/swift", check=False).returncode != 0
    cp = box.run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", box.deb, timeout=300)
    # dpkg passes the maintainer scripts' stderr to apt's stdout.
    assert "made the master key, encrypted with systemd-creds" in cp.stdout, cp.stdout + cp.stderr
    ldd = box.run("ldd", "/usr/sbin/riegeld", "/usr/bin/riegelctl").stdout
    assert "not found" not in ldd and "/opt/" not in ldd, ldd
    assert box.run("riegeld", "--version").stdout.strip() == box.deb.split("_")[1]
    assert box.run("riegeld", "--check-config", "--config", "/etc/riegel/riegel.toml").returncode == 0
    for group in ("riegel", "riegel-clients", "riegel-portal", "riegel-admin", "riegel-audit"):
        box.run("getent", "group", group)
    assert box.run("getent", "passwd", "riegel").stdout.split(":")[6].strip() in ("/usr/sbin/nologin", "/sbin/nologin")
    assert box.run("stat", "-c", "%a %U %G", "/etc/riegel").stdout.split() == ["750", "root", "riegel"]


def test_master_key_is_an_encrypted_credential_made_once(box):
    key = "/etc/credstore.encrypted/riegel-master-key"
    assert box.run("stat", "-c", "%a %U %s", key).stdout.split()[:2] == ["600", "root"]
    assert box.run("test", "-e", "/etc/riegel/master.key", check=False).returncode == 1
    # Encrypted: 32 random bytes would be 32 bytes; systemd-creds output is base64 with a header.
    assert int(box.run("stat", "-c", "%s", key).stdout) > 100
    # systemd 252 shows LoadCredential* as [unprintable]: read the unit with its drop-ins.
    unit = box.run("systemctl", "cat", "riegeld.service").stdout
    dropin = unit[unit.index("50-riegel-master-key.conf"):]
    assert "LoadCredential=\n" in dropin and f"LoadCredentialEncrypted=riegel-master-key:{key}" in dropin, unit
    # /etc/riegel/master.key does not exist, so a riegeld that starts (next check) got the
    # key by systemd decrypting this credential.


def test_socket_listens_and_the_first_call_starts_the_service(box):
    assert box.run("systemctl", "is-enabled", "riegeld.socket").stdout.strip() == "enabled"
    assert box.run("systemctl", "is-active", "riegeld.socket").stdout.strip() == "active"
    assert box.run("systemctl", "is-active", "riegeld.service", check=False).stdout.strip() == "inactive"
    assert box.run("stat", "-c", "%F %a %U %G", "/run/riegel/riegel.sock").stdout.split() == \
        ["socket", "660", "root", "riegel-clients"]
    status = ctl(box, "root", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "systemd credential riegel-master-key" in status.stdout, status.stdout
    assert box.run("systemctl", "is-active", "riegeld.service").stdout.strip() == "active"


def test_service_is_active_after_ready(box):
    props = box.show("riegeld.service", "ActiveState", "SubState", "StatusText", "NRestarts", "Type")
    assert (props["ActiveState"], props["SubState"], props["Type"]) == ("active", "running", "notify"), props
    assert props["StatusText"].startswith("serving"), props
    assert props["NRestarts"] == "0", props
    # The unit's directories match what sysusers/tmpfiles made: systemd has nothing to complain about.
    assert "mode is different" not in box.journal("-u", "riegeld.service", "-o", "cat")


def test_reload_goes_reloading_then_ready(box):
    box.run("systemd-analyze", "log-level", "debug")
    try:
        since = cursor(box)
        before = main_pid(box)
        box.run("systemctl", "reload", "riegeld.service")
        log = box.wait_for("READY=1 after RELOADING=1 in the journal", lambda: (
            lambda text: text if re.search(r"RELOADING=1.*\n(.*\n)*.*READY=1", text) else None)(
                box.journal("--after-cursor", since, "-u", "riegeld.service", "-o", "cat")), timeout=20)
        assert "Got notification message" in log
        assert main_pid(box) == before
        box.wait_for("active again", lambda: box.show("riegeld.service", "ActiveState")["ActiveState"] == "active")
        assert "config reloaded" in box.journal("--after-cursor", since, "-u", "riegeld.service", "-o", "cat")
    finally:
        box.run("systemd-analyze", "log-level", "info")


def test_watchdog_keeps_it_alive_and_restarts_a_hung_daemon(box):
    box.run("mkdir", "-p", "/etc/systemd/system/riegeld.service.d")
    # 8 s, not less: a debug build on a busy 2-core CI host missed a 1.5 s ping with 3 s.
    box.sh("printf '[Service]\\nWatchdogSec=8s\\nTimeoutAbortSec=5s\\n' "
           "> /etc/systemd/system/riegeld.service.d/90-test-watchdog.conf")
    box.run("systemctl", "daemon-reload")
    box.run("systemctl", "restart", "riegeld.service")
    assert box.show("riegeld.service", "WatchdogUSec")["WatchdogUSec"] == "8s"
    pid = main_pid(box)
    restarts = int(box.show("riegeld.service", "NRestarts")["NRestarts"])
    time.sleep(20)   # well past WatchdogSec: the pings keep it alive
    assert main_pid(box) == pid and int(box.show("riegeld.service", "NRestarts")["NRestarts"]) == restarts
    def watchdog_timeouts():
        # Counted over the unit's whole journal: an --after-cursor read missed this line once.
        return box.journal("-u", "riegeld.service", "-o", "cat").count("Watchdog timeout")
    timeouts = watchdog_timeouts()
    box.run("kill", "-STOP", str(pid))
    box.wait_for("a new riegeld after the watchdog fired", lambda: main_pid(box) not in (0, pid)
                 and box.show("riegeld.service", "ActiveState")["ActiveState"] == "active", timeout=40)
    assert int(box.show("riegeld.service", "NRestarts")["NRestarts"]) == restarts + 1
    assert watchdog_timeouts() == timeouts + 1
    assert "Failed with result 'watchdog'" in box.journal("-u", "riegeld.service", "-o", "cat")
    assert ctl(box, "root", "status").returncode == 0
    box.run("rm", "/etc/systemd/system/riegeld.service.d/90-test-watchdog.conf")
    box.run("systemctl", "daemon-reload")


def test_sandbox_holds(box):
    pid = str(main_pid(box))
    status = box.run("cat", f"/proc/{pid}/status").stdout
    assert re.search(r"^NoNewPrivs:\s+1$", status, re.M) and re.search(r"^Seccomp:\s+2$", status, re.M), status
    assert re.search(r"^CapEff:\s+0+$", status, re.M) and re.search(r"^CapBnd:\s+0+$", status, re.M), status
    # In riegeld's own mount namespace and as its user, only the state directory is writable.
    as_riegeld = ["nsenter", "-t", pid, "-m", "--", "setpriv", "--reuid=riegel", "--regid=riegel", "--clear-groups"]
    box.run(*as_riegeld, "sh", "-c", "echo x > /var/lib/riegel/.sandbox-probe && rm /var/lib/riegel/.sandbox-probe")
    for path in ("/etc/riegel/probe", "/usr/probe", "/var/tmp/../probe", "/root/probe", "/home/probe",
                 "/run/riegel/probe"):
        cp = box.run(*as_riegeld, "sh", "-c", f"echo x > {path}", check=False)
        assert cp.returncode != 0, f"riegeld's user could write {path}"
    # Even root in that namespace finds the system read-only (ProtectSystem=strict).
    cp = box.run("nsenter", "-t", pid, "-m", "--", "sh", "-c", "echo x > /etc/probe", check=False)
    assert cp.returncode != 0 and "Read-only file system" in cp.stderr, cp.stderr
    sec = box.run("systemd-analyze", "security", "riegeld.service").stdout
    level = float(re.search(r"Overall exposure level for riegeld.service: ([0-9.]+)", sec)[1])
    assert level <= 1.5, sec


def thread_stat_fields(box, pid: int, field: int) -> dict[str, list[str]]:
    """Thread names of `pid` grouped by one field of their stat (`man 5 proc`:
    19 is nice, 41 the scheduling policy; the fields after the name's closing
    parenthesis start at field 3)."""
    out = box.sh(f"for t in /proc/{pid}/task/*; do printf '%s ' \"$(cat $t/comm)\"; "
                 f"sed 's/.*) //' $t/stat | cut -d' ' -f{field - 2}; done").stdout
    grouped: dict[str, list[str]] = {}
    for line in out.splitlines():
        name, _, value = line.rpartition(" ")
        grouped.setdefault(value, []).append(name)
    return grouped


def test_hashing_threads_run_nicer_than_the_event_loops_under_the_units_syscall_filter(box):
    """[password] hash_nice (10): each riegel-hash thread lowers its own priority,
    which the unit's SystemCallFilter must let through (setpriority is in @resources).
    With hash_idle = true they enter SCHED_IDLE instead (sched_setscheduler, also
    let back through), and the event loops stay in SCHED_OTHER."""
    assert ctl(box, "root", "status").returncode == 0  # socket activation starts riegeld if it is not running
    nice = thread_stat_fields(box, main_pid(box), 19)
    hashing = [n for names in nice.values() for n in names if n.startswith("riegel-hash")]
    assert hashing and set(nice) == {"0", "10"} and set(nice["10"]) == set(hashing), nice
    assert "riegeld" in nice["0"], nice  # the main thread, like the event loops, keeps its priority

    box.run("sed", "-i", "s/^hash_idle = false$/hash_idle = true/", "/etc/riegel/riegel.toml")
    try:
        box.run("systemctl", "restart", "riegeld.service")
        policy = thread_stat_fields(box, main_pid(box), 41)
        # 5 is SCHED_IDLE, 0 SCHED_OTHER.
        assert set(policy) == {"0", "5"} and set(policy["5"]) == set(hashing), policy
        assert "riegeld" in policy["0"], policy
    finally:
        box.run("sed", "-i", "s/^hash_idle = true$/hash_idle = false/", "/etc/riegel/riegel.toml")
        box.run("systemctl", "restart", "riegeld.service")


def test_roles_follow_real_users_and_groups(box):
    box.sh("useradd -M -G riegel-clients,riegel-portal portal1; useradd -M -G riegel-clients,riegel-admin admin1;"
           "useradd -M -G riegel-clients,riegel-audit audit1; useradd -M stranger1")
    ok = register(box, "portal1", "erika")
    assert ok.returncode == 0 and "user_id" in ok.stdout, ok.stdout + ok.stderr
    for user, args in [("portal1", ("keys", "list")), ("portal1", ("audit", "verify")),
                       ("admin1", ("call", "io.riegel.Auth.Register",
                                   json.dumps({"username": "mallory", "password": PASSWORD}))),
                       ("audit1", ("keys", "list"))]:
        cp = ctl(box, user, *args)
        assert cp.returncode == 1 and "PermissionDenied" in cp.stderr, (user, args, cp.stdout, cp.stderr)
    for user, args in [("admin1", ("keys", "list")), ("admin1", ("users", "show", "erika")),
                       ("audit1", ("audit", "verify"))]:
        cp = ctl(box, user, *args)
        assert cp.returncode == 0, (user, args, cp.stdout, cp.stderr)
    # Not in riegel-clients: the socket's mode keeps it out.
    cp = ctl(box, "stranger1", "status")
    assert cp.returncode == 69 and "cannot connect" in cp.stderr, cp.stderr


def test_audit_events_reach_the_journal_with_message_id(box):
    portal_uid = box.run("id", "-u", "portal1").stdout.strip()
    admin_uid = box.run("id", "-u", "admin1").stdout.strip()
    entries = [json.loads(line) for line in
               box.journal(f"MESSAGE_ID={ACCOUNT_CREATED}", "-o", "json").splitlines() if line.strip()]
    created = [e for e in entries if e.get("PEER_UID") == portal_uid]
    assert created, entries
    e = created[0]
    assert e["_SYSTEMD_UNIT"] == "riegeld.service" and e.get("USER_ID") and e.get("AUDIT_SEQ"), e
    denied = [json.loads(line) for line in
              box.journal(f"MESSAGE_ID={PERMISSION_DENIED}", "-o", "json").splitlines() if line.strip()]
    assert any(d.get("PEER_UID") == admin_uid for d in denied), denied
    # The catalog was installed and indexed: journalctl -x explains the event.
    explained = box.journal("-x", f"MESSAGE_ID={ACCOUNT_CREATED}", "-n", "1")
    assert "An account was created" in explained, explained


def test_kill_9_restarts_with_every_acknowledged_write(box):
    loop = ("i=0; : > /tmp/acked; while [ $i -lt 300 ] && [ ! -e /tmp/stop-loop ]; do i=$((i+1)); "
            f"if riegelctl call io.riegel.Auth.Register '{{\"username\":\"dur'$i'\",\"password\":\"{PASSWORD}\"}}' "
            ">/dev/null 2>>/tmp/loop-errors; then echo dur$i >> /tmp/acked; fi; done")
    box.run("rm", "-f", "/tmp/stop-loop", "/tmp/loop-errors")
    writer = subprocess.Popen(["nsenter", "-t", str(box.pid1), "-a", "runuser", "-u", "portal1", "--",
                               "sh", "-c", loop], env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def acked():
            return [n for n in box.run("cat", "/tmp/acked", check=False).stdout.split() if n]
        box.wait_for("10 acknowledged registrations", lambda: len(acked()) >= 10, timeout=60)
        pid = main_pid(box)
        # Counted from here: a `systemctl restart` by an earlier test starts the count again.
        restarts = int(box.show("riegeld.service", "NRestarts")["NRestarts"])
        box.run("kill", "-9", str(pid))
        before_kill = len(acked())
        box.wait_for("a restarted riegeld", lambda: main_pid(box) not in (0, pid)
                     and box.show("riegeld.service", "ActiveState")["ActiveState"] == "active", timeout=30)
        box.wait_for("writes acknowledged after the restart", lambda: len(acked()) >= before_kill + 10, timeout=60)
    finally:
        box.run("touch", "/tmp/stop-loop")
        writer.wait(timeout=60)
    names = acked()
    stored = usernames(box)
    assert set(names) <= stored, sorted(set(names) - stored)
    props = box.show("riegeld.service", "NRestarts", "Result")
    assert int(props["NRestarts"]) == restarts + 1, props  # Restart=on-failure, not a manual start
    killed = box.journal("-u", "riegeld.service", "-o", "cat")
    assert "status=9/KILL" in killed, killed[-2000:]
    assert ctl(box, "audit1", "audit", "verify").returncode == 0


def test_reinstall_keeps_the_master_key_and_the_accounts(box):
    key = "/etc/credstore.encrypted/riegel-master-key"
    digest = box.run("sha256sum", key).stdout
    cp = box.run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--reinstall", box.deb,
                 timeout=300)
    assert "made the master key" not in cp.stdout + cp.stderr, cp.stdout
    assert box.run("sha256sum", key).stdout == digest
    box.wait_for("riegeld active after the upgrade's try-restart",
                 lambda: box.show("riegeld.service", "ActiveState")["ActiveState"] == "active")
    login = ctl(box, "portal1", "call", "io.riegel.Auth.Login", json.dumps({"username": "erika", "password": PASSWORD}))
    assert login.returncode == 0 and "token" in login.stdout, login.stdout + login.stderr


def test_backup_while_running_and_restore_as_the_operations_guide_says(box):
    # An admin (not root) backs up through the socket; riegeld stages the copy
    # inside its sandbox (StateDirectory) and riegelctl writes the file.
    box.run("install", "-d", "-o", "admin1", "-m", "0700", "/srv/backups")
    out = ctl(box, "admin1", "backup", "/srv/backups/riegel.sqlite")
    assert out.returncode == 0 and "backup written to" in out.stdout, out.stdout + out.stderr
    assert box.run("stat", "-c", "%a %U", "/srv/backups/riegel.sqlite").stdout.split() == ["600", "admin1"]
    assert box.run("sh", "-c", "ls /var/lib/riegel | grep -c '^backup-' || true").stdout.strip() == "0"
    admin_uid = box.run("id", "-u", "admin1").stdout.strip()
    events = [json.loads(line) for line in box.journal(f"MESSAGE_ID={BACKED_UP}", "-o", "json").splitlines()
              if line.strip()]
    assert [(e.get("OUTCOME"), e.get("PEER_UID")) for e in events] == [("success", admin_uid)], events
    assert register(box, "portal1", "after-backup").returncode == 0
    # Restore (docs/operations.md, "Restore").
    box.sh("systemctl stop riegeld.socket riegeld.service && cd /var/lib/riegel && "
           "mkdir -p /var/lib/riegel-before-restore && mv riegel.sqlite* /var/lib/riegel-before-restore/ && "
           "install -o riegel -g riegel -m 0600 /srv/backups/riegel.sqlite riegel.sqlite && "
           "systemctl start riegeld.socket")
    names = usernames(box)
    assert "erika" in names and "after-backup" not in names, sorted(names)
    login = ctl(box, "portal1", "call", "io.riegel.Auth.Login", json.dumps({"username": "erika", "password": PASSWORD}))
    assert login.returncode == 0 and "token" in login.stdout, login.stdout + login.stderr
    assert ctl(box, "audit1", "audit", "verify").returncode == 0


def test_stop_is_clean(box):
    box.run("systemd-analyze", "log-level", "debug")
    try:
        since = cursor(box)
        box.run("systemctl", "stop", "riegeld.service")
        props = box.show("riegeld.service", "ActiveState", "Result", "ExecMainCode", "ExecMainStatus")
        assert props == {"ActiveState": "inactive", "Result": "success", "ExecMainCode": "1",
                         "ExecMainStatus": "0"}, props
        log = box.journal("--after-cursor", since, "-u", "riegeld.service", "-o", "cat")
        assert "STOPPING=1" in log, log
        assert "SIGKILL" not in log and "timed out" not in log, log
    finally:
        box.run("systemd-analyze", "log-level", "info")
    assert box.run("systemctl", "is-active", "riegeld.socket").stdout.strip() == "active"


def test_remove_keeps_state_users_and_key(box):
    box.run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "remove", "-y", "-q", "riegel", timeout=300)
    for gone in ("/usr/lib/systemd/system/riegeld.service", "/usr/lib/systemd/system/riegeld.socket",
                 "/usr/sbin/riegeld", "/usr/bin/riegelctl"):
        assert box.run("test", "-e", gone, check=False).returncode == 1, gone
    assert box.run("systemctl", "is-active", "riegeld.socket", check=False).stdout.strip() != "active"
    for kept in ("/var/lib/riegel/riegel.sqlite", "/etc/credstore.encrypted/riegel-master-key",
                 "/etc/riegel/riegel.toml"):
        box.run("test", "-e", kept)
    box.run("getent", "passwd", "riegel")


def test_purge_removes_units_users_key_and_state(box):
    box.run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "purge", "-y", "-q", "riegel", timeout=300)
    for gone in ("/var/lib/riegel", "/etc/riegel", "/etc/credstore.encrypted/riegel-master-key",
                 "/etc/systemd/system/riegeld.service.d", "/etc/systemd/system/sockets.target.wants/riegeld.socket"):
        assert box.run("test", "-e", gone, check=False).returncode == 1, gone
    assert box.run("getent", "passwd", "riegel", check=False).returncode == 2
    for group in ("riegel", "riegel-clients", "riegel-portal", "riegel-admin", "riegel-audit"):
        assert box.run("getent", "group", group, check=False).returncode == 2, group
    assert box.run("dpkg-query", "-W", "-f=${Status}", "riegel", check=False).stdout.strip() in ("", "unknown ok not-installed")


def test_without_systemd_creds_the_master_key_is_a_plain_root_only_file(box):
    box.run("mv", "/usr/bin/systemd-creds", "/usr/bin/systemd-creds.off")
    try:
        cp = box.run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", box.deb, timeout=300)
    finally:
        box.run("mv", "/usr/bin/systemd-creds.off", "/usr/bin/systemd-creds")
    assert "made the master key as a root-only file: /etc/riegel/master.key" in cp.stdout, cp.stdout + cp.stderr
    assert box.run("stat", "-c", "%a %U %s", "/etc/riegel/master.key").stdout.split() == ["600", "root", "32"]
    assert box.run("test", "-e", "/etc/credstore.encrypted/riegel-master-key", check=False).returncode == 1
    assert "50-riegel-master-key.conf" not in box.run("systemctl", "cat", "riegeld.service").stdout
    status = ctl(box, "root", "status")
    assert status.returncode == 0 and "systemd credential riegel-master-key" in status.stdout, status.stdout
