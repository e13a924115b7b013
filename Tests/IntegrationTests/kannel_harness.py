"""Kannel on loopback for the integration tests: a real SMS gateway for riegeld.

The same setup as Tests/RiegelSMSTests/KannelHarness.swift (and PLATFORM.md):
bearerbox with a fake SMSC (`fakesmsc` from kannel-extras, which prints every
message it receives) and smsbox's sendsms HTTP interface, all on free ports
in a temporary directory. Tests read what was delivered on the fake SMSC's side.

Kannel binds 0.0.0.0; on these machines (no outside network) that is accepted,
and only loopback traffic flows.

Every child runs in its own process group and gets SIGKILL if the test process
dies (an atexit hook also stops any Kannel left running); `stop()` ends them
(SIGTERM, then SIGKILL), reaps them, and checks that no process of their
groups and no listener on Kannel's ports is left.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
BINARIES = [BEARERBOX, SMSBOX, FAKESMSC]

USERNAME = "riegel"
PASSWORD = "kannel-test-pw"
ADMIN_PASSWORD = "admin-test-pw"


class KannelProblem(Exception):
    """Kannel is missing, did not come up, or did not go away."""


@dataclass(frozen=True)
class SMS:
    """One message as the fake SMSC received it."""

    to: str
    text: str


def missing_binaries() -> list[str]:
    return [b for b in BINARIES if not os.access(b, os.X_OK)]


def require_installed():
    """Raises KannelProblem naming what to install when a Kannel binary is missing."""
    missing = missing_binaries()
    if missing:
        raise KannelProblem(
            f"Kannel is missing ({', '.join(missing)}); install the Debian packages kannel and "
            "kannel-extras: apt-get install kannel kannel-extras (scripts/setup --test does)")


def free_ports(count: int) -> list[int]:
    """`count` distinct ports that were free on 127.0.0.1 a moment ago."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_answers(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child before exec: SIGKILL when the test process dies (PR_SET_PDEATHSIG)."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Child:
    """A Kannel program with its output in files; always stopped by `stop()`."""

    def __init__(self, argv: list[str], label: str, directory: Path):
        self.label = label
        self.stdout_path = directory / f"{label}.out"
        self.stderr_path = directory / f"{label}.err"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, cwd=directory, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         start_new_session=True, preexec_fn=_die_with_parent)
        self.pgid = self.proc.pid  # a session leader leads its own process group

    def alive(self) -> bool:
        """Whether the program still runs. Does not reap it: until `stop()` does, its pid and
        process group id stay ours, so signalling the group can never hit a stranger."""
        if self.proc.returncode is not None:
            return False
        try:
            return os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def exit_status(self) -> str:
        """How a program that is no longer alive ended (it stays unreaped)."""
        r = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if r is None:
            return "running"
        return f"exit status {r.si_status}" if r.si_code == os.CLD_EXITED else f"signal {r.si_status}"

    def stderr_tail(self, lines: int = 15) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 3.0):
        """SIGTERM to the group, up to `grace` seconds, then SIGKILL to what is left; reaps the child."""
        if self.proc.returncode is None:  # not reaped: the group id is still ours
            self._signal_group(signal.SIGTERM)
            wait_until(lambda: not self.alive(), grace, interval=0.02)
            self._signal_group(signal.SIGKILL)  # stragglers in the group, and the leader if it ignored SIGTERM
        self.proc.wait(5)

    def group_is_empty(self) -> bool:
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return True
        return False

    def _signal_group(self, sig: int):
        try:
            os.killpg(self.pgid, sig)
        except ProcessLookupError:
            pass


def wait_until(condition, timeout: float, interval: float = 0.05) -> bool:
    """Polls `condition` until it holds (True) or `timeout` seconds passed (False)."""
    end = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(interval)


def http_get(url: str, timeout: float = 1.0) -> tuple[int, str] | None:
    """(status, body) of a GET; None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (OSError, ValueError):
        return None


_running: list["Kannel"] = []


@atexit.register
def _stop_forgotten():
    """A safety net: stops any Kannel a test started and did not stop."""
    for k in list(_running):
        k.stop(check=False)


class Kannel:
    """bearerbox + fakesmsc + smsbox in a temporary directory on free loopback ports."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="riegel-kannel-"))
        self.admin_port, self.box_port, self.smsc_port, self.sendsms_port = free_ports(4)
        self.children: list[Child] = []
        self.password_file = self.directory / "kannel-password"
        self.password_file.write_text(PASSWORD + "\n")
        os.chmod(self.password_file, 0o600)

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    @property
    def ports(self) -> list[int]:
        return [self.admin_port, self.box_port, self.smsc_port, self.sendsms_port]

    @property
    def config_path(self) -> Path:
        return self.directory / "kannel.conf"

    def write_config(self):
        d = self.directory
        self.config_path.write_text(f"""group = core
admin-port = {self.admin_port}
admin-password = {ADMIN_PASSWORD}
smsbox-port = {self.box_port}
box-allow-ip = 127.0.0.1
log-file = "{d / 'bearerbox.log'}"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.box_port}
sendsms-port = {self.sendsms_port}
global-sender = 12345
log-file = "{d / 'smsbox.log'}"
log-level = 1

group = sendsms-user
username = {USERNAME}
password = {PASSWORD}

group = sms-service
keyword = default
text = "nop"
""")

    @classmethod
    def start(cls) -> "Kannel":
        """Writes kannel.conf, starts bearerbox, fakesmsc and smsbox, and waits until a message can flow."""
        require_installed()
        k = cls()
        _running.append(k)
        try:
            k.write_config()
            k._launch()
        except BaseException:
            k.stop(check=False)
            raise
        return k

    def _launch(self):
        d = self.directory
        bearerbox = self._spawn([BEARERBOX, "-v", "1", str(self.config_path)], "bearerbox")
        self._wait(lambda: self.status() is not None, 15,
                   f"bearerbox did not answer on its admin port {self.admin_port}; see {d / 'bearerbox.err'}")
        self._spawn([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "0", "-v", "0",
                     "999 123 text nop"], "fakesmsc")
        self._spawn([SMSBOX, "-v", "1", str(self.config_path)], "smsbox")

        def online():
            status = self.status()
            return status is not None and "smsbox:" in status and "(online" in status
        self._wait(online, 20,
                   "Kannel did not come up (fake SMSC online, smsbox connected) within 20 s; "
                   f"status: {self.status()}")
        self._wait(lambda: http_get(self.sendsms_url) is not None, 10,
                   f"smsbox's sendsms port {self.sendsms_port} does not answer")

    def _spawn(self, argv: list[str], label: str) -> Child:
        child = Child(argv, label, self.directory)
        self.children.append(child)
        return child

    def _wait(self, condition, timeout: float, message: str):
        """Waits for `condition`; fails early, with the dead child's last lines, when a child exits."""
        def check():
            dead = [c for c in self.children if not c.alive()]
            if dead:
                raise KannelProblem(f"{dead[0].label} ended ({dead[0].exit_status()}) while starting:\n"
                                    f"{dead[0].stderr_tail()}")
            return condition()
        if not wait_until(check, timeout):
            raise KannelProblem(message)

    def status(self) -> str | None:
        """bearerbox's status.txt, None while it does not answer."""
        got = http_get(f"http://127.0.0.1:{self.admin_port}/status.txt?password={ADMIN_PASSWORD}")
        return got[1] if got is not None and got[0] == 200 else None

    def received(self) -> list[SMS]:
        """What fakesmsc received, in order.

        fakesmsc prints `Got message N: <from to text TEXT>` per line of the
        fake-SMSC protocol; a text with a line break arrives as further `Got
        message` lines that do not start with `from to text`, which are joined
        back onto the message before them.
        """
        try:
            log = (self.directory / "fakesmsc.err").read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        messages: list[SMS] = []
        for line in log.split("\n"):
            marker = line.find("Got message ")
            if marker < 0:
                continue
            opening = line.find(": <", marker + len("Got message "))
            if opening < 0 or not line.endswith(">"):
                continue
            content = line[opening + 3:-1]
            parts = content.split(" ", 3)
            if len(parts) >= 3 and parts[2] == "text" and (parts[1].startswith("+") or parts[1].isdigit()):
                messages.append(SMS(to=parts[1], text=parts[3] if len(parts) == 4 else ""))
            elif messages:
                last = messages[-1]
                messages[-1] = SMS(to=last.to, text=last.text + "\n" + content)
            else:
                raise KannelProblem(f"cannot read fakesmsc's line {line!r}")
        return messages

    def wait_for_messages(self, count: int, timeout: float = 15.0) -> list[SMS]:
        """Waits until fakesmsc has received `count` messages (or `timeout` passed); returns them all."""
        wait_until(lambda: len(self.received()) >= count, timeout)
        # A multi-line text arrives as several lines: give its tail a moment.
        time.sleep(0.1)
        return self.received()

    def wait_for_message_to(self, to: str, after: int = 0, timeout: float = 15.0) -> SMS:
        """The first message to `to` among those received after the first `after`; fails after `timeout`."""
        def find():
            return next((m for m in self.received()[after:] if m.to == to), None)
        if not wait_until(lambda: find() is not None, timeout):
            raise AssertionError(f"no SMS to {to} reached the fake SMSC within {timeout}s; "
                                 f"it received {self.received()[after:]!r}")
        time.sleep(0.1)  # the tail of a multi-line text
        return find()

    def leftovers(self) -> list[str]:
        """What is still there after stop(): live process groups and listeners on Kannel's ports."""
        left = [f"process group of {c.label} (pgid {c.pgid})" for c in self.children if not c.group_is_empty()]
        left += [f"listener on port {p}" for p in self.ports if port_answers(p)]
        return left

    def stop(self, check: bool = True):
        """Stops smsbox, fakesmsc and bearerbox (SIGTERM, then SIGKILL after 3 s) and removes the directory.

        With `check`, raises KannelProblem if a process or a listener is left.
        """
        for child in reversed(self.children):
            child.stop()
        if self in _running:
            _running.remove(self)
        left = self.leftovers()
        shutil.rmtree(self.directory, ignore_errors=True)
        if check and left:
            raise KannelProblem(f"Kannel left {', '.join(left)} behind")
