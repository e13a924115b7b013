"""Crash consistency (issue 14, section 1): riegeld is killed with SIGKILL at
random moments while clients register, log in with and without SMS codes,
trust browsers, log out, revoke sessions and rotate keys, many of them at once
and several on one account. After every restart:

- every change a reply acknowledged is there (accounts, second factors,
  sessions, trusted browsers, pending challenges, rotated keys);
- a change whose reply never came is wholly there or wholly absent (a
  registration that is there has its `account.created` audit entry);
- `PRAGMA integrity_check` is ok (on a copy, so riegeld itself recovers the WAL);
- `io.riegel.Audit.Verify` passes;
- no session whose end was acknowledged is alive.

RIEGEL_CRASH_KILLS sets the number of kills (default 20, what CI runs);
RIEGEL_CRASH_SEED replays a run (the seed is printed). docs/reliability.md
records a run of 200 kills.
"""
from __future__ import annotations

import json
import os
import traceback
import random
import re
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import varlink

from riegel_harness import Daemon, admin

KILLS = int(os.environ.get("RIEGEL_CRASH_KILLS", "20"))
SEED = int(os.environ.get("RIEGEL_CRASH_SEED", str(random.randrange(1 << 30))))
PASSWORD = "Kr4sch-Test-Wolke"
# Cheap hashes (the floor the config accepts) so a cycle is load, not argon2;
# caps and per-user limits high enough that no refusal hides a lost write.
CONFIG = """
[session]
idle_timeout = "12h"
absolute_timeout = "24h"
max_per_user = 10000
[password]
memory_kib = 64
iterations = 1
[device]
max_per_user = 1000
[sms]
resend_cooldown = "1s"
cap_per_phone = 1000000
cap_per_user = 1000000
cap_per_country = 100000000
cap_global = 100000000
enrol_cap_per_phone = 1000000
enrol_cap_per_country = 100000000
enrol_cap_global = 100000000
enrol_cap_per_client = 1000000
failure_limit = 1000
[throttle]
failures_before_delay = 1000
lockout_failures = 1000
"""
# Answers that refuse a call without changing anything (load, a rotation in progress).
REFUSALS = {"io.riegel.Auth.TooManyAttempts", "io.riegel.Auth.Overloaded",
            "io.riegel.Admin.RotationInProgress"}
PURPOSES = ["password", "pii", "otp", "audit"]


class Killed(Exception):
    """The daemon went away under a call: its outcome is unknown."""


@dataclass
class User:
    name: str
    phone: str | None = None          # E.164, set once Register with a phone was acknowledged
    second_factor: bool = False       # acknowledged enrolment
    enrolling: bool = False           # an enrolment whose outcome is unknown
    device_token: str | None = None   # acknowledged trusted-browser token
    busy: bool = False                # a worker is using it (one SMS flow per user at a time)
    checked: bool = False


@dataclass
class Ledger:
    """What the replies acknowledged, and what is in flight at the kill."""
    users: dict[str, User] = field(default_factory=dict)
    maybe_users: dict[str, str | None] = field(default_factory=dict)   # name -> phone, Register unanswered
    sessions: dict[str, str] = field(default_factory=dict)            # token -> username, alive
    unchecked_sessions: set[str] = field(default_factory=set)
    ended: dict[str, str] = field(default_factory=dict)               # token -> username, end acknowledged
    unchecked_ended: set[str] = field(default_factory=set)
    uncertain_sessions: set[str] = field(default_factory=set)
    pending: list[tuple[str, str, str]] = field(default_factory=list)  # (username, challenge_id, code)
    revoking: dict[str, float] = field(default_factory=dict)          # username -> start of a revocation in flight
    revoked_at: dict[str, float] = field(default_factory=dict)        # username -> end of the last answered revocation
    keys: dict[str, str] = field(default_factory=dict)                # purpose -> last acknowledged key_id
    rotating: set[str] = field(default_factory=set)                   # purposes with a rotation unanswered
    counts: dict[str, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = 0

    def count(self, what: str, n: int = 1):
        self.counts[what] = self.counts.get(what, 0) + n

    def new_name(self, rng: random.Random) -> str:
        with self.lock:
            self.serial += 1
            return f"crash{self.serial}x{rng.randrange(1000)}"

    def add_session(self, token: str, name: str, started: float | None = None):
        """A session whose login was answered. If a revocation of the user
        ran while the login did (its reply may come after the revocation's
        though the login committed before), the session may be ended or not."""
        with self.lock:
            self.count("sessions")
            if started is not None and (name in self.revoking or self.revoked_at.get(name, -1) > started):
                self.uncertain_sessions.add(token)
                return
            self.sessions[token] = name
            self.unchecked_sessions.add(token)


def outbox_code(d: Daemon, e164: str, after: int) -> str:
    """The code of the newest SMS to `e164` among the outbox lines after line `after`."""
    path = d.state / "sms-outbox.jsonl"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        for line in reversed(lines[after:]):
            try:
                message = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            if message.get("to") == e164:
                [code] = set(re.findall(r"(?<!\d)\d{6}(?!\d)", message["text"]))
                return code
        time.sleep(0.02)
    raise AssertionError(f"no SMS to {e164} in the outbox")


def outbox_lines(d: Daemon) -> int:
    path = d.state / "sms-outbox.jsonl"
    return len(path.read_text(errors="replace").splitlines()) if path.exists() else 0


class Workload:
    """Worker threads calling riegeld until it is killed."""

    def __init__(self, d: Daemon, ledger: Ledger, rng: random.Random, phones: list[int]):
        self.d = d
        self.ledger = ledger
        self.rng = rng
        self.phones = phones
        self.killed = threading.Event()
        self.user_lock = threading.Lock()

    # --- calls -----------------------------------------------------------

    def call(self, iface, method: str, accept: frozenset = frozenset(), **params):
        """One call; a refusal (or an error in `accept`) comes back as its
        error name, a kill raises Killed."""
        try:
            return getattr(iface, method)(**params)
        except varlink.VarlinkError as e:
            if e.error() in REFUSALS or e.error() in accept:
                return e.error()
            if self.killed.is_set():
                raise Killed()
            self.ledger.unexpected.append(f"{method}: {e.error()} {e.parameters()}")
            raise Killed()
        except Exception as e:  # the socket went away
            if self.killed.is_set():
                raise Killed()
            self.ledger.unexpected.append(f"{method}: {type(e).__name__}: {e}")
            raise Killed()

    def pick_user(self, want_2fa: bool | None) -> User | None:
        with self.user_lock:
            pool = [u for u in self.ledger.users.values() if not u.busy and not u.enrolling
                    and (want_2fa is None or u.second_factor == want_2fa)]
            if not pool:
                return None
            u = self.rng.choice(pool)
            u.busy = True
            return u

    def release(self, u: User):
        with self.user_lock:
            u.busy = False

    def new_phone(self) -> str:
        with self.user_lock:
            self.phones[0] += 1
            return f"+49151{self.phones[0]:08d}"

    # --- operations --------------------------------------------------------

    def register_plain(self, a, _adm):
        name = self.ledger.new_name(self.rng)
        self.ledger.maybe_users[name] = None
        reply = self.call(a, "Register", username=name, password=PASSWORD)
        if isinstance(reply, str):
            self.ledger.maybe_users.pop(name)
            return
        with self.user_lock:
            self.ledger.maybe_users.pop(name)
            self.ledger.users[name] = User(name)
        self.ledger.count("registered")

    def register_with_phone(self, a, _adm):
        name = self.ledger.new_name(self.rng)
        phone = self.new_phone()
        self.ledger.maybe_users[name] = phone
        seen = outbox_lines(self.d)
        reply = self.call(a, "Register", username=name, password=PASSWORD, phone=phone)
        if isinstance(reply, str):
            self.ledger.maybe_users.pop(name)
            return
        u = User(name, phone=phone, enrolling=True, busy=True)
        with self.user_lock:
            self.ledger.maybe_users.pop(name)
            self.ledger.users[name] = u
        self.ledger.count("registered")
        code = outbox_code(self.d, phone, seen)
        challenge = reply["challenge"]["challenge_id"]
        if self.rng.random() < 0.2:  # leave it pending: it must survive the crash
            with self.ledger.lock:
                self.ledger.pending.append((name, challenge, code))
            return
        verified = self.call(a, "VerifyChallenge", challenge_id=challenge, code=code)
        with self.user_lock:
            u.enrolling, u.busy = False, False
            if isinstance(verified, str):
                return
            assert verified["phone_enrolment"]["replaced"] is False, verified
            u.second_factor = True
        self.ledger.count("enrolled")

    def login_plain(self, a, _adm):
        u = self.pick_user(False)
        if u is None:
            return self.register_plain(a, _adm)
        try:
            started = time.monotonic()
            reply = self.call(a, "Login", username=u.name, password=PASSWORD)
            if isinstance(reply, str):
                return
            self.ledger.add_session(reply["session"]["token"], u.name, started)
        finally:
            self.release(u)

    def login_sms(self, a, _adm):
        u = self.pick_user(True)
        if u is None:
            return self.register_with_phone(a, _adm)
        keep = False  # busy until the check after the restart
        try:
            seen = outbox_lines(self.d)
            if u.device_token and self.rng.random() < 0.5:
                token = u.device_token
                started = time.monotonic()
                try:
                    reply = self.call(a, "Login", username=u.name, password=PASSWORD, device_token=token)
                except Killed:
                    u.device_token = None  # rotated or not: unknown, and a replay would revoke it
                    keep = True
                    raise
                if isinstance(reply, str):
                    return
                assert "session" in reply and reply.get("device_token"), reply
                u.device_token = reply["device_token"]
                self.ledger.add_session(reply["session"]["token"], u.name, started)
                self.ledger.count("device_logins")
                return
            reply = self.call(a, "Login", username=u.name, password=PASSWORD)
            if isinstance(reply, str):
                return
            challenge = reply["challenge"]["challenge_id"]
            code = outbox_code(self.d, u.phone, seen)
            if self.rng.random() < 0.15:
                with self.ledger.lock:
                    self.ledger.pending.append((u.name, challenge, code))
                keep = True
                return
            remember = self.rng.random() < 0.4
            started = time.monotonic()
            verified = self.call(a, "VerifyChallenge", challenge_id=challenge, code=code,
                                 remember_device=remember, device_label="Kiosk")
            if isinstance(verified, str):
                return
            self.ledger.add_session(verified["session"]["token"], u.name, started)
            if remember:
                u.device_token = verified["device_token"]
                self.ledger.count("devices_trusted")
            self.ledger.count("sms_logins")
        finally:
            if not keep:
                self.release(u)

    def logout(self, a, _adm):
        with self.ledger.lock:
            if not self.ledger.sessions:
                return
            token = self.rng.choice(list(self.ledger.sessions))
            name = self.ledger.sessions.pop(token)
            self.ledger.unchecked_sessions.discard(token)
            self.ledger.uncertain_sessions.add(token)
        # Ended meanwhile by a revocation of its user: ended all the same.
        self.call(a, "Logout", accept=frozenset({"io.riegel.Auth.SessionExpired"}), token=token)
        with self.ledger.lock:
            self.ledger.uncertain_sessions.discard(token)
            self.ledger.ended[token] = name
            self.ledger.unchecked_ended.add(token)
            self.ledger.count("logouts")

    def revoke_sessions(self, _a, adm):
        with self.ledger.lock:
            names = sorted(set(self.ledger.sessions.values()))
            if not names:
                return
            name = self.rng.choice(names)
            # Sessions acknowledged before the call are ended by it; the
            # outcome of those opened meanwhile is not knowable, so the
            # ledger stops watching them.
            if name in self.ledger.revoking:
                return
            self.ledger.revoking[name] = time.monotonic()
            before = [t for t, n in self.ledger.sessions.items() if n == name]
            for t in before:
                self.ledger.sessions.pop(t)
                self.ledger.unchecked_sessions.discard(t)
                self.ledger.uncertain_sessions.add(t)
        ended = self.call(adm, "RevokeSessions", username=name)
        with self.ledger.lock:
            del self.ledger.revoking[name]
            self.ledger.revoked_at[name] = time.monotonic()
            for t in before:
                self.ledger.uncertain_sessions.discard(t)
                self.ledger.ended[t] = name
                self.ledger.unchecked_ended.add(t)
            for t, n in list(self.ledger.sessions.items()):
                if n == name:  # opened while the revocation ran: either way
                    self.ledger.sessions.pop(t)
                    self.ledger.unchecked_sessions.discard(t)
                    self.ledger.uncertain_sessions.add(t)
            assert ended["ended"] >= len(before), (ended, len(before))
            self.ledger.count("revocations")

    def rotate_key(self, _a, adm):
        purpose = self.rng.choice(PURPOSES)
        with self.ledger.lock:
            if purpose in self.ledger.rotating:
                return
            self.ledger.rotating.add(purpose)
        reply = self.call(adm, "RotateKey", purpose=purpose)
        with self.ledger.lock:
            self.ledger.rotating.discard(purpose)
            if isinstance(reply, str):
                return
            self.ledger.keys[purpose] = reply["key_id"]
            self.ledger.count("rotations")

    def same_account_burst(self, a, _adm):
        """Eight logins to one account at once, each on its own connection."""
        u = self.pick_user(False)
        if u is None:
            return self.register_plain(a, _adm)
        try:
            def one():
                try:
                    started = time.monotonic()
                    with self.d.client().open("io.riegel.Auth") as b:
                        reply = self.call(b, "Login", username=u.name, password=PASSWORD)
                    if not isinstance(reply, str):
                        self.ledger.add_session(reply["session"]["token"], u.name, started)
                        self.ledger.count("burst_logins")
                except (Killed, OSError):
                    pass
                except Exception:
                    self.ledger.unexpected.append(traceback.format_exc())
            threads = [threading.Thread(target=one) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            self.release(u)

    OPERATIONS = [(register_plain, 2), (register_with_phone, 2), (login_plain, 3), (login_sms, 4),
                  (logout, 2), (revoke_sessions, 1), (rotate_key, 1), (same_account_burst, 1)]

    def worker(self, seed: int):
        rng = random.Random(seed)
        ops = [op for op, weight in self.OPERATIONS for _ in range(weight)]
        try:
            with self.d.client().open("io.riegel.Auth") as a, self.d.client().open("io.riegel.Admin") as adm:
                while not self.killed.is_set():
                    rng.choice(ops)(self, a, adm)
        except Killed:
            pass
        except (OSError, varlink.VarlinkError) as e:
            if not self.killed.is_set():
                self.ledger.unexpected.append(f"worker: {type(e).__name__}: {e}")
        except Exception:
            self.ledger.unexpected.append(traceback.format_exc())

    def run(self, workers: int, seconds: float):
        threads = [threading.Thread(target=self.worker, args=(self.rng.randrange(1 << 30),)) for _ in range(workers)]
        for t in threads:
            t.start()
        time.sleep(seconds)
        self.killed.set()
        self.d.proc.send_signal(signal.SIGKILL)
        self.d.proc.wait()
        for t in threads:
            t.join(30)
            assert not t.is_alive(), "a worker hangs after the kill"
        self.d.stop()  # reaps and closes the log


# --- checks after a restart -------------------------------------------------

def integrity_check_of_a_copy(d: Daemon):
    """`PRAGMA integrity_check` on a copy of the file and its WAL as the kill
    left them: the original stays for riegeld to recover."""
    tmp = Path(tempfile.mkdtemp(prefix="riegel-crash-copy-"))
    try:
        for suffix in ("", "-wal"):
            src = d.state / f"riegel.sqlite{suffix}"
            if src.exists():
                shutil.copyfile(src, tmp / f"riegel.sqlite{suffix}")
        con = sqlite3.connect(tmp / "riegel.sqlite")
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sample(rng: random.Random, items, unchecked: set, k: int) -> list:
    """Everything not yet checked, and k of the rest."""
    items = list(items)
    rest = [i for i in items if i not in unchecked]
    return [i for i in items if i in unchecked] + rng.sample(rest, min(k, len(rest)))


def check_after_restart(d: Daemon, ledger: Ledger, rng: random.Random, everything: bool = False):
    k = 10 ** 9 if everything else 40
    with d.client().open("io.riegel.Audit") as audit:
        v = audit.Verify()
        assert v["ok"] is True, f"Audit.Verify after a crash: {v}"
    with d.client().open("io.riegel.Auth") as a, d.client().open("io.riegel.Admin") as adm:
        # Acknowledged sessions are alive, acknowledged ends stay ended.
        for token in sample(rng, ledger.sessions, ledger.unchecked_sessions, k):
            info = a.CheckSession(token=token, touch=False)["info"]
            assert info["username"] == ledger.sessions[token]
        ledger.unchecked_sessions.clear()
        for token in sample(rng, ledger.ended, ledger.unchecked_ended, k):
            try:
                a.CheckSession(token=token, touch=False)
                raise AssertionError(f"a session of {ledger.ended[token]} whose end was acknowledged is alive")
            except varlink.VarlinkError as e:
                assert e.error() == "io.riegel.Auth.SessionExpired", e
        ledger.unchecked_ended.clear()
        # Sessions whose end was in flight: alive or ended, nothing else.
        for token in ledger.uncertain_sessions:
            try:
                a.CheckSession(token=token, touch=False)
            except varlink.VarlinkError as e:
                assert e.error() == "io.riegel.Auth.SessionExpired", e
        ledger.uncertain_sessions.clear()
        ledger.revoking.clear()

        # Challenges acknowledged before the kill still take their code.
        for name, challenge, code in ledger.pending:
            reply = a.VerifyChallenge(challenge_id=challenge, code=code)
            u = ledger.users.get(name)
            if "session" in reply and reply["session"]:
                ledger.add_session(reply["session"]["token"], name)
            if reply.get("phone_enrolment") and u is not None:
                u.second_factor, u.enrolling = True, False
            if u is not None:
                u.busy = False
            ledger.count("pending_challenges_completed")
        ledger.pending.clear()

        # Registrations in flight: the account is wholly there (it logs in) or absent.
        for name, phone in list(ledger.maybe_users.items()):
            try:
                account = adm.GetAccount(username=name)["account"]
            except varlink.VarlinkError as e:
                assert e.error() == "io.riegel.Admin.NoSuchAccount", e
                ledger.count("unanswered_register_absent")
                continue
            reply = a.Login(username=name, password=PASSWORD)
            assert ("session" in reply) != ("challenge" in reply), reply
            assert account["second_factor"] == ("challenge" in reply), (account, reply)
            # The account and its audit entry commit together: never one without the other.
            with d.client().open("io.riegel.Audit") as audit:
                created = [r["event"] for r in audit.Query(
                    _more=True, filter={"user": account["user_id"], "types": ["account.created"]}) if "event" in r]
            assert len(created) == 1, f"{name} exists after the kill without its account.created entry: {created}"
            ledger.users[name] = User(name, phone=phone,
                                      second_factor=account["second_factor"], checked=True)
            if "session" in reply:
                ledger.add_session(reply["session"]["token"], name)
            ledger.count("unanswered_register_present")
        ledger.maybe_users.clear()

        # Acknowledged accounts exist with their second factor as acknowledged;
        # an enrolment in flight either finished or left the password alone.
        users = list(ledger.users.values())
        unchecked = {u.name for u in users if not u.checked or u.enrolling}
        for name in sample(rng, [u.name for u in users], unchecked, k):
            u = ledger.users[name]
            account = adm.GetAccount(username=name)["account"]
            if u.enrolling:
                u.second_factor, u.enrolling = account["second_factor"], False
            assert account["second_factor"] == u.second_factor, (name, account, u)
            u.checked, u.busy = True, False
        # A few logins with the password, to see the hash and the key ring work.
        for u in rng.sample(users, min(3 if not everything else len(users), len(users))):
            if u.busy:
                continue
            reply = a.Login(username=u.name, password=PASSWORD)
            assert ("challenge" in reply) == u.second_factor, (u, reply)
            if "session" in reply:
                ledger.add_session(reply["session"]["token"], u.name)

        # Acknowledged trusted browsers skip the code (their token rotates).
        trusted = [u for u in users if u.device_token]
        for u in rng.sample(trusted, min(3 if not everything else len(trusted), len(trusted))):
            reply = a.Login(username=u.name, password=PASSWORD, device_token=u.device_token)
            assert "session" in reply and reply.get("device_token"), (u.name, reply)
            u.device_token = reply["device_token"]
            ledger.add_session(reply["session"]["token"], u.name)

        # Keys: one active per purpose; an acknowledged rotation's key is there,
        # and active unless a later rotation of that purpose was in flight.
        listing = adm.ListKeys()
        for purpose in PURPOSES:
            active = [k["key_id"] for k in listing["keys"] if k["purpose"] == purpose and k["state"] == "active"]
            assert len(active) == 1, (purpose, listing)
            known = {k["key_id"] for k in listing["keys"] if k["purpose"] == purpose}
            if purpose in ledger.keys:
                assert ledger.keys[purpose] in known, (purpose, ledger.keys[purpose], listing)
                if purpose not in ledger.rotating:
                    assert active == [ledger.keys[purpose]], (purpose, ledger.keys[purpose], listing)
            if purpose in ledger.rotating:
                ledger.keys[purpose] = active[0]
        for r in listing["rewraps"]:
            assert r["state"] != "failed", r
        ledger.rotating.clear()
    for u in ledger.users.values():
        u.busy = False


def test_sigkill_at_random_moments_loses_no_acknowledged_change(root):
    print(f"crash consistency: {KILLS} kills, RIEGEL_CRASH_SEED={SEED}")
    rng = random.Random(SEED)
    ledger = Ledger()
    d = Daemon(root, extra_config=CONFIG).start()
    phones = [rng.randrange(10 ** 7)]
    started = time.monotonic()
    try:
        for kill in range(KILLS):
            Workload(d, ledger, rng, phones).run(workers=6, seconds=rng.uniform(0.1, 1.5))
            integrity_check_of_a_copy(d)
            d.start()
            assert not ledger.unexpected, ledger.unexpected
            check_after_restart(d, ledger, rng)
            ledger.count("kills")
        # Wait for the re-wraps the kills interrupted, then check everything once more.
        deadline = time.monotonic() + 60
        while any(r["state"] == "running" for r in _rewraps(d)):
            assert time.monotonic() < deadline, _rewraps(d)
            time.sleep(0.2)
        check_after_restart(d, ledger, rng, everything=True)
        assert d.stop() == 0, d.log_text()
        d.start()
        check_after_restart(d, ledger, rng, everything=True)
        assert d.stop() == 0
    finally:
        if d.proc is not None:
            d.stop(signal.SIGKILL)
        d.notify.close()
    elapsed = time.monotonic() - started
    print(f"crash consistency: {elapsed:.0f} s, {json.dumps(dict(sorted(ledger.counts.items())))}")
    # The workload did what it claims: enough of each kind of change to mean something.
    c = ledger.counts
    assert c["kills"] == KILLS
    assert c.get("registered", 0) >= KILLS and c.get("sessions", 0) >= 2 * KILLS, c
    for what in ("enrolled", "sms_logins", "logouts", "revocations", "rotations", "burst_logins"):
        assert c.get(what, 0) > 0, (what, c)


def _rewraps(d: Daemon):
    with admin(d) as adm:
        return adm.ListKeys()["rewraps"]
