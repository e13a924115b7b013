"""riegeld under systemd's protocols: sd_notify, socket activation, reload, stop."""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import varlink

from riegel_harness import RIEGELD, Daemon, raw_call, raw_connect


def test_ready_is_sent_once_the_socket_serves(daemon):
    lines = daemon.notify.lines()
    assert "READY=1" in lines
    assert any(l.startswith("STATUS=") for l in lines)
    # READY means served: a call works right away.
    info = daemon.client().open("org.varlink.service").GetInfo()
    assert info["product"] == "riegeld"


def test_sigterm_sends_stopping_and_exits_zero(root):
    d = Daemon(root).start()
    rc = d.stop(signal.SIGTERM)
    assert rc == 0, d.log_text()
    d.notify.wait_for("STOPPING=1", timeout=5)
    assert not d.sock.exists() or not _connectable(d.sock)


def test_sigint_also_stops_gracefully(root):
    d = Daemon(root).start()
    assert d.stop(signal.SIGINT) == 0, d.log_text()


def test_sighup_reloads_with_reloading_then_ready(daemon):
    daemon.notify.messages.clear()
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.notify.wait_for("RELOADING=1", timeout=10)
    daemon.notify.wait_for("READY=1", timeout=10)
    lines = daemon.notify.lines()
    assert lines.index("RELOADING=1") < lines.index("READY=1")
    assert any(l.startswith("MONOTONIC_USEC=") for l in lines)
    # Still serving after the reload.
    assert daemon.client().open("org.varlink.service").GetInfo()["product"] == "riegeld"


def test_sighup_with_broken_config_keeps_running_on_the_old_one(daemon):
    daemon.config.write_text(daemon.config.read_text() + "\n[nonsense]\nx = 1\n")
    daemon.notify.messages.clear()
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.notify.wait_for("READY=1", timeout=10)
    assert any("reload failed" in l for l in daemon.notify.lines() if l.startswith("STATUS="))
    assert daemon.proc.poll() is None
    assert daemon.client().open("org.varlink.service").GetInfo()["product"] == "riegeld"


def test_watchdog_pings_at_half_the_interval(root):
    d = Daemon(root)
    d.start(env={"WATCHDOG_USEC": "1000000"})  # 1 s -> a ping every 0.5 s
    try:
        d.notify.messages.clear()
        t0 = time.monotonic()
        d.notify.wait_for("WATCHDOG=1", timeout=5)
        d.notify.messages.clear()
        d.notify.wait_for("WATCHDOG=1", timeout=5)
        d.notify.messages.clear()
        d.notify.wait_for("WATCHDOG=1", timeout=5)
        # Three pings in well under the 1 s watchdog each, i.e. not one per interval.
        assert time.monotonic() - t0 < 2.5
    finally:
        assert d.stop() == 0


def test_socket_activation_serves_the_inherited_socket(root):
    """systemd-socket-activate binds the socket and hands it over as fd 3 named varlink."""
    d = Daemon(root)
    activated = root / "activated.sock"
    prefix = [shutil.which("systemd-socket-activate") or "/usr/bin/systemd-socket-activate",
              "-l", str(activated), "--fdname=varlink",
              "-E", f"NOTIFY_SOCKET={d.notify.path}"]
    d.start(argv_prefix=prefix, wait_ready=False)
    try:
        # systemd-socket-activate starts riegeld on the first connection.
        deadline = time.monotonic() + 10
        while not activated.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        c = varlink.Client(address=f"unix:{activated}")
        info = c.open("org.varlink.service").GetInfo()
        assert info["product"] == "riegeld"
        d.notify.wait_for("READY=1")
        # It must not have bound its own socket_path.
        assert not d.sock.exists(), "riegeld bound socket_path although it was socket-activated"
    finally:
        assert d.stop() == 0, d.log_text()


def test_socket_path_is_created_with_mode_from_config(daemon):
    mode = os.stat(daemon.sock).st_mode & 0o777
    assert mode == 0o666


def test_refuses_to_start_on_world_writable_state_directory(root):
    d = Daemon(root)
    d.state.mkdir(mode=0o700)
    os.chmod(d.state, 0o777)
    d.start(wait_ready=False)
    rc = d.proc.wait(30)
    d.proc = None
    assert rc != 0
    log = d.log_text()
    assert str(d.state) in log and "chmod" in log, log
    assert "READY=1" not in d.notify.lines()


def test_state_survives_restart_and_database_is_intact(root):
    d = Daemon(root).start()
    assert d.stop() == 0
    d.start()
    assert d.stop() == 0
    db = d.state / "riegel.sqlite"
    assert db.exists()
    out = subprocess.run(["sqlite3", str(db), "PRAGMA integrity_check"], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out


def test_crash_leaves_database_intact(root):
    d = Daemon(root).start()
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    d.proc = None
    db = d.state / "riegel.sqlite"
    out = subprocess.run(["sqlite3", str(db), "PRAGMA integrity_check"], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out
    d.start()  # and it comes back
    assert d.stop() == 0


def _connectable(path) -> bool:
    try:
        raw_connect(path).close()
        return True
    except OSError:
        return False
