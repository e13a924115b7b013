"""Issue 11, items 5, 7 and 10: the attacks, replayed through the PyPI varlink
client against a real riegeld. Each test is named after the attack it stops;
each fails on the code before the fix (see the commit messages).

- 5: unauthenticated sign-ups using up the shared SMS caps and locking
  enrolled users out of login;
- 7: imported argon2id hashes with a huge cost (a slow, memory-hungry check
  on every login attempt);
- 10: user enumeration by the timing of a login and by `Register`
  answering `UsernameTaken`.
"""
import base64
import json
import os
import statistics
import time

import bcrypt
import pytest
from argon2 import PasswordHasher
from passlib.hash import pbkdf2_sha256

from riegel_harness import Daemon, admin, audit_events, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
TOO_MANY = "io.riegel.Auth.TooManyAttempts"


def outbox(d):
    path = d.state / "sms-outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def phone(i):
    """A distinct valid German mobile number per i (E.164, +49 151 ...)."""
    return f"+49151{20000000 + i:08d}"


@pytest.fixture
def daemon_factory(root):
    started = []

    def make(extra=""):
        d = Daemon(root, extra_config=extra).start()
        started.append(d)
        return d

    yield make
    for d in started:
        if d.proc is not None:
            assert d.stop() == 0, d.log_text()
        d.notify.close()


# --- item 5: sign-ups and the SMS caps -------------------------------------------------------------


def test_signup_flood_cannot_lock_an_enrolled_user_out_of_login(daemon_factory):
    """Default caps. The attacker registers with a phone from ever new addresses
    and numbers until riegeld refuses; the enrolled user must still get a login code."""
    d = daemon_factory()
    with auth(d) as a:
        reply = a.Register(username="sofia", password=STRONG, phone=phone(0))
        code = outbox(d)[-1]["text"]
        digits = [w for w in code.replace(".", " ").split() if w.isdigit() and len(w) == 6][0]
        a.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=digits)

        refused_at = None
        for i in range(1, 260):  # before the fix the shared country cap (200/h) was the limit
            try:
                a.Register(username=f"flood{i}", password=STRONG, phone=phone(i),
                           client={"ip": f"10.{i // 200}.{i % 200}.7"})
            except Exception as e:  # varlink.VarlinkError
                assert e.error() == TOO_MANY, e
                refused_at = i
                break
        assert refused_at is not None, "the sign-up flood was never capped"
        # The enrolled user's login still gets its code (login budget untouched).
        challenge = a.Login(username="sofia", password=STRONG)["challenge"]
        assert challenge["purpose"] == "login"
    capped = audit_events(d, "sms.capped")
    assert capped and all(e["details"]["budget"] == "enrolment" for e in capped)
    assert capped[0]["reason"] == "country"
    assert not any("4915" in json.dumps(e) for e in capped), "no phone number in the audit trail"


def test_signup_flood_from_one_client_address_is_capped_and_audited(daemon_factory):
    """Sign-ups with a phone from one address (one IPv6 /64 counts as one):
    the eleventh is refused, leaves no account, and is audited with the budget."""
    d = daemon_factory()
    with auth(d) as a:
        for i in range(10):
            a.Register(username=f"pump{i}", password=STRONG, phone=phone(100 + i),
                       client={"ip": f"2001:db8:7:1::{i + 1:x}"})
        name, params = error_of(a.Register, username="pump10", password=STRONG, phone=phone(110),
                                client={"ip": "2001:db8:7:1:ffff::42"})
        assert name == TOO_MANY and params["retry_after"] > 3000
        # Nothing half-made: the name is free, and another address may still sign up.
        a.Register(username="pump10", password=STRONG)
        a.Register(username="other", password=STRONG, phone=phone(111), client={"ip": "2001:db8:7:2::1"})
    assert len(outbox(d)) == 11
    [capped] = audit_events(d, "sms.capped")
    assert capped["reason"] == "client" and capped["details"]["budget"] == "enrolment"
    assert capped["details"]["purpose"] == "enroll_phone"


def test_signup_flood_without_client_address_shares_one_cap(daemon_factory):
    """A portal that passes no ClientInfo.ip gets one bucket for all sign-ups with a phone (fails safe)."""
    d = daemon_factory()
    with auth(d) as a:
        for i in range(10):
            a.Register(username=f"anon{i}", password=STRONG, phone=phone(200 + i))
        assert error_of(a.Register, username="anon10", password=STRONG, phone=phone(210))[0] == TOO_MANY
        a.Register(username="anon11", password=STRONG, phone=phone(211), client={"ip": "192.0.2.1"})


# --- item 7: argon2id cost caps -------------------------------------------------------------------


def phc(m, t, p):
    salt = base64.b64encode(os.urandom(16)).decode().rstrip("=")
    digest = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    return f"$argon2id$v=19$m={m},t={t},p={p}${salt}${digest}"


@pytest.mark.parametrize("m,t,p", [(4194304, 64, 64), (1048576, 1, 1), (65536, 11, 1), (65536, 1, 9),
                                   (262144, 5, 1)])
def test_import_of_argon2id_hash_with_huge_cost_is_refused(daemon_factory, m, t, p):
    d = daemon_factory()
    with admin(d) as adm:
        name, params = error_of(adm.ImportAccount, username="heavy", password_hash=phc(m, t, p))
        assert name == "io.riegel.Admin.InvalidPasswordHash"
        assert "above the cap" in params["reason"] and "$argon2id$" not in json.dumps(params)
        # Refused means nothing made: the name is still free.
        adm.ImportAccount(username="heavy", password_hash=phc(65536, 3, 4))


def test_stored_argon2id_hash_over_the_caps_fails_closed_without_running(daemon_factory):
    """A hash made under a config with t=12 (allowed then: the caps admit the
    configured parameters) is over the caps once the config says t=1: login
    with the right password fails as a wrong password and is audited."""
    d = daemon_factory("[password]\nmemory_kib = 8192\niterations = 12\n")
    with admin(d) as adm:
        hashed = PasswordHasher(time_cost=12, memory_cost=8192, parallelism=1).hash(STRONG)
        adm.ImportAccount(username="old", password_hash=hashed)
    assert d.stop() == 0
    d.write_config("[password]\nmemory_kib = 8192\niterations = 1\n")
    d.start()
    with auth(d) as a:
        assert error_of(a.Login, username="old", password=STRONG)[0] == "io.riegel.Auth.InvalidCredentials"
    [refused] = audit_events(d, "password.hash_refused")
    assert refused["reason"] == "cost_above_limit" and refused["username"] == "old"
    [failed] = audit_events(d, "login.failed")
    assert failed["reason"] == "wrong_password"


# --- item 10: enumeration by timing and by Register -----------------------------------------------


def timed(call):
    start = time.perf_counter()
    try:
        call()
    except Exception:
        pass
    return time.perf_counter() - start


def test_known_user_with_cheap_legacy_hash_answers_as_slowly_as_an_unknown_user(daemon_factory):
    """Before the fix a known user with a cheap imported hash (pbkdf2, 1000
    rounds) answered a wrong password in ~1/10 of an unknown user's time.
    Medians of interleaved wrong-password logins, with a generous ratio
    against the in-run anchor (unknown users), not a fixed time."""
    d = daemon_factory()
    users = [f"legacy{i}" for i in range(8)]
    with admin(d) as adm:
        for u in users:
            adm.ImportAccount(username=u, password_hash=pbkdf2_sha256.using(rounds=1000).hash(STRONG))
    known, unknown = [], []
    with auth(d) as a:
        for round_ in range(3):  # 3 failures per account stay below the throttle's delay (5)
            for i, u in enumerate(users):
                unknown.append(timed(lambda: a.Login(username=f"ghost{round_}x{i}", password="Wrong-Wrong-99")))
                known.append(timed(lambda: a.Login(username=u, password="Wrong-Wrong-99")))
    k, n = statistics.median(known), statistics.median(unknown)
    print(f"median wrong-password login: known legacy {k * 1000:.1f} ms, unknown {n * 1000:.1f} ms")
    assert k >= 0.6 * n, f"known legacy user answers in {k * 1000:.1f} ms, unknown in {n * 1000:.1f} ms"


def test_unknown_user_answers_as_slowly_as_a_known_user_with_a_dearer_imported_hash(daemon_factory):
    """The issue's case: a known user with an imported bcrypt hash, dearer than
    the configured argon2id, answered far later than an unknown name (one cheap
    dummy hash), so the delay named existing users. Unknown names are now
    verified against sampled stored hashes: here every stored hash is bcrypt,
    so unknown names must cost what the known users cost. Medians of
    interleaved logins, with a generous ratio, not a fixed time."""
    d = daemon_factory()
    users = [f"dear{i}" for i in range(3)]
    with admin(d) as adm:
        for u in users:
            adm.ImportAccount(username=u, password_hash=bcrypt.hashpw(STRONG.encode(), bcrypt.gensalt(11)).decode())
    known, unknown = [], []
    with auth(d) as a:
        for round_ in range(3):  # 3 failures per account stay below the throttle's delay (5)
            for i, u in enumerate(users):
                known.append(timed(lambda: a.Login(username=u, password="Wrong-Wrong-99")))
                unknown.append(timed(lambda: a.Login(username=f"ghost{round_}x{i}", password="Wrong-Wrong-99")))
    k, n = statistics.median(known), statistics.median(unknown)
    print(f"median wrong-password login: known bcrypt-11 {k * 1000:.1f} ms, unknown {n * 1000:.1f} ms")
    assert n >= 0.7 * k, f"unknown names answer in {n * 1000:.1f} ms, a known bcrypt user in {k * 1000:.1f} ms"


def test_username_probe_by_register_is_rate_limited_per_client_address(daemon_factory):
    """UsernameTaken names an existing user; probing names by Register from
    one address is throttled like failed logins, audited, and the throttle
    answers free and taken names alike."""
    d = daemon_factory()
    prober = {"ip": "203.0.113.9"}
    with auth(d) as a:
        a.Register(username="alice", password=STRONG)
        answers = []
        for _ in range(10):
            name, _params = error_of(a.Register, username="alice", password=STRONG, client=prober)
            answers.append(name)
            if name == TOO_MANY:
                break
        assert answers[-1] == TOO_MANY, answers
        assert set(answers[:-1]) == {"io.riegel.Auth.UsernameTaken"} and len(answers) <= 7
        # No oracle while throttled: a free name gets the same answer.
        assert error_of(a.Register, username="brandnew", password=STRONG, client=prober)[0] == TOO_MANY
        # Other addresses are not affected.
        assert error_of(a.Register, username="alice", password=STRONG,
                        client={"ip": "198.51.100.3"})[0] == "io.riegel.Auth.UsernameTaken"
    reasons = [e["reason"] for e in audit_events(d, "register.refused")]
    assert reasons.count("username_taken") == len(answers) and reasons.count("throttled") == 2
    assert audit_events(d, "throttle.engaged")
