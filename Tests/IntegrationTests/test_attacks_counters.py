"""Attacks on riegel's counters and on credentials changing under a login (issue 11,
items 2, 6, 9 and smaller points), each driven over the socket with the PyPI varlink
client against a real riegeld.

Concurrency comes from many threads, each with its own connection (its own
varlink.Client), released together by a barrier. Codes are read where the phone
would get them: the outbox gateway's JSON lines in the state directory.
"""
import json
import re
import threading
import time

import varlink

from riegel_harness import Daemon, admin, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
NEW = "Wolken-Zug-Fahrrad-42"
WRONG = "Falsch-Geraten-0815"
PHONE = "+49 151 23456789"

# Delays out of the way (they would refuse most concurrent guesses before the
# hash and hide whether the lock counts them); room in the hashing queue for
# every guess at once.
NO_DELAYS = "[throttle]\nfailures_before_delay = 1000\nlockout_failures = {lock}\n"
ROOMY_POOL = "[password]\nhash_queue_limit = 400\n"


def started(root, extra):
    return Daemon(root, extra_config=extra).start()


def stopped(d):
    rc = d.stop()
    d.notify.close()
    assert rc == 0, d.log_text()


def outbox(d):
    path = d.state / "sms-outbox.jsonl"
    return [json.loads(l) for l in path.read_text().splitlines()] if path.exists() else []


def last_code(d):
    runs = set(re.findall(r"(?<!\d)\d{6}(?!\d)", outbox(d)[-1]["text"]))
    assert len(runs) == 1
    return runs.pop()


def wrong(code):
    return "".join(str((int(c) + 1) % 10) for c in code)


def at_once(d, n, call):
    """Runs call(auth interface) in n threads, each on its own connection,
    released together; returns the error names (or "ok") in any order."""
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def run():
        with d.client() as client, client.open("io.riegel.Auth") as a:
            barrier.wait(30)
            try:
                call(a)
                outcome = "ok"
            except varlink.VarlinkError as e:
                outcome = e.error().rsplit(".", 1)[-1]
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == n, f"only {len(results)} of {n} calls answered"
    return results


# Item 2: lost updates of the login throttle.

def test_fifty_concurrent_wrong_passwords_are_all_counted_and_lock_the_account(root):
    """Old main read the throttle state, awaited the hash, and wrote back its
    stale copy plus one failure: 50 guesses at once were all checked, about one
    was stored, and the right password still logged in. Now each guess is
    counted before its hash: exactly as many are checked as the lockout allows
    (40), the rest are refused before hashing, and the account is locked, as
    40 sequential failures lock it."""
    d = started(root, NO_DELAYS.format(lock=40) + ROOMY_POOL)
    try:
        with auth(d) as a:
            a.Register(username="ziel", password=STRONG)
        results = at_once(d, 50, lambda a: a.Login(username="ziel", password=WRONG))
        assert results.count("InvalidCredentials") == 40, results
        assert results.count("AccountLocked") == 10, results
        with auth(d) as a:
            assert error_of(a.Login, username="ziel", password=STRONG)[0] == "io.riegel.Auth.AccountLocked"
        with admin(d) as adm:
            assert "locked_until" in adm.GetAccount(username="ziel")["account"]
    finally:
        stopped(d)


def test_batches_of_concurrent_guesses_cannot_outrun_the_lockout(root):
    """The issue's numbers: four batches of ten concurrent wrong passwords
    (40 guesses) against a lockout at 20 recorded 4 failures on old main and
    the right password then logged in. Now the 20th counted guess locks."""
    d = started(root, NO_DELAYS.format(lock=20) + ROOMY_POOL)
    try:
        with auth(d) as a:
            a.Register(username="ziel", password=STRONG)
        checked = 0
        for _ in range(4):
            results = at_once(d, 10, lambda a: a.Login(username="ziel", password=WRONG))
            assert set(results) <= {"InvalidCredentials", "AccountLocked"}, results
            checked += results.count("InvalidCredentials")
        assert checked == 20, f"{checked} guesses were checked; the lockout allows 20"
        with auth(d) as a:
            assert error_of(a.Login, username="ziel", password=STRONG)[0] == "io.riegel.Auth.AccountLocked"
    finally:
        stopped(d)


def test_fifty_concurrent_wrong_current_passwords_in_change_password_are_all_counted(root):
    """requirePassword (ChangePassword, DeleteAccount, EnrollPhone, ...) had
    the same read-await-write: a stolen session could test 50 passwords at once
    for one recorded failure. Now they count like logins and lock the account."""
    d = started(root, NO_DELAYS.format(lock=40) + ROOMY_POOL)
    try:
        with auth(d) as a:
            a.Register(username="ziel", password=STRONG)
            token = a.Login(username="ziel", password=STRONG)["session"]["token"]
        results = at_once(d, 50, lambda a: a.ChangePassword(token=token, current_password=WRONG,
                                                            new_password=NEW))
        assert results.count("InvalidCredentials") == 40, results
        assert results.count("AccountLocked") == 10, results
        with auth(d) as a:
            assert error_of(a.Login, username="ziel", password=STRONG)[0] == "io.riegel.Auth.AccountLocked"
    finally:
        stopped(d)


# Item 6: a login in flight outlives a lock, a reset or a change.

SLOW = "[password]\nmemory_kib = 262144\niterations = 4\nhash_workers = 2\n"
FAST = "[password]\nmemory_kib = 1024\niterations = 1\nhash_workers = 2\n"


def login_in_flight(d, password, delay_fraction=0.3):
    """Starts a Login in a thread; returns (thread, result holder, seconds a login takes)."""
    with auth(d) as a:
        began = time.monotonic()
        a.Logout(token=a.Login(username="ziel", password=password)["session"]["token"])
        took = time.monotonic() - began
    t, holder = login_thread(d, password)
    time.sleep(took * delay_fraction)
    assert t.is_alive(), f"the login ({took:.2f} s) finished before the change could come in"
    return t, holder, took


def login_thread(d, password):
    """A started thread logging in as ziel; its session or error lands in the holder."""
    holder = {}

    def run():
        with auth(d) as a:
            try:
                holder["session"] = a.Login(username="ziel", password=password)["session"]
            except varlink.VarlinkError as e:
                holder["error"] = e.error()

    t = threading.Thread(target=run)
    t.start()
    return t, holder


def test_admin_lock_during_a_login_in_flight_gives_no_session(root):
    """Old main read the account before the (slow) hash and opened the session
    after it: an admin lock that came in between ended the sessions it found,
    and the in-flight login then opened a fresh one."""
    d = started(root, SLOW)
    try:
        with auth(d) as a:
            a.Register(username="ziel", password=STRONG)
        t, holder, _ = login_in_flight(d, STRONG)
        with admin(d) as adm:
            adm.LockAccount(username="ziel", reason="fraud suspected")
        t.join(60)
        assert holder.get("error") == "io.riegel.Auth.AccountLocked", holder
        with admin(d) as adm:
            assert adm.GetAccount(username="ziel")["account"]["sessions"] == 0
    finally:
        stopped(d)


def test_password_reset_during_a_login_with_the_old_password_gives_no_session(root):
    """A login with the old password is in flight (a slow stored hash) when the
    reset completes: old main opened its session after the reset had ended every
    session, and its rehash even wrote the old password's hash back over the
    new one. Now the login is refused and the new password stays."""
    d = started(root, SLOW)
    try:
        with auth(d) as a:
            a.Register(username="ziel", password=STRONG)
        # New hashes fast from here on, the stored one stays slow to verify.
        d.stop()
        d.write_config(FAST)
        d.start()
        with auth(d) as a:
            token = a.BeginPasswordReset(username="ziel")["reset_token"]
        t, holder = login_thread(d, STRONG)
        time.sleep(0.2)
        with auth(d) as a:
            assert a.CompletePasswordReset(reset_token=token, new_password=NEW) == {}
        assert t.is_alive(), "the login finished before the reset: the stored hash is not slow enough"
        t.join(60)
        assert holder.get("error") == "io.riegel.Auth.InvalidCredentials", holder
        with auth(d) as a:
            assert error_of(a.Login, username="ziel", password=STRONG)[0] == "io.riegel.Auth.InvalidCredentials"
            assert "session" in a.Login(username="ziel", password=NEW)
    finally:
        stopped(d)


# Item 9: a login challenge outlives a reset, a change or a lock.

def sms_daemon(root, extra=""):
    return started(root, '[sms]\nresend_cooldown = "1s"\n' + extra)


def enrolled(d, a):
    reply = a.Register(username="ziel", password=STRONG, phone=PHONE)
    a.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=last_code(d))


def test_login_challenge_begun_before_a_password_reset_cannot_be_completed_after_it(root):
    """The thief knows the old password and gets the victim to read out (or
    intercepts) the code later: on old main a challenge begun with the old
    password still opened a session after the victim had reset it."""
    d = sms_daemon(root)
    try:
        with auth(d) as a:
            enrolled(d, a)
            stale = a.Login(username="ziel", password=STRONG)["challenge"]["challenge_id"]
            stale_code = last_code(d)
            token = a.BeginPasswordReset(username="ziel")["reset_token"]
            reset = a.CompletePasswordReset(reset_token=token, new_password=NEW)["challenge"]
            assert a.VerifyChallenge(challenge_id=reset["challenge_id"], code=last_code(d)) == {}
            assert error_of(a.VerifyChallenge, challenge_id=stale, code=stale_code)[0] == \
                "io.riegel.Auth.ChallengeExpired"
    finally:
        stopped(d)


def test_login_challenge_begun_before_a_password_change_cannot_be_completed_after_it(root):
    d = sms_daemon(root)
    try:
        with auth(d) as a:
            enrolled(d, a)
            c = a.Login(username="ziel", password=STRONG)["challenge"]
            session = a.VerifyChallenge(challenge_id=c["challenge_id"], code=last_code(d))["session"]
            stale = a.Login(username="ziel", password=STRONG)["challenge"]["challenge_id"]
            stale_code = last_code(d)
            a.ChangePassword(token=session["token"], current_password=STRONG, new_password=NEW)
            assert error_of(a.VerifyChallenge, challenge_id=stale, code=stale_code)[0] == \
                "io.riegel.Auth.ChallengeExpired"
    finally:
        stopped(d)


def test_login_challenge_begun_before_an_admin_lock_cannot_be_completed_after_unlock(root):
    d = sms_daemon(root)
    try:
        with auth(d) as a, admin(d) as adm:
            enrolled(d, a)
            stale = a.Login(username="ziel", password=STRONG)["challenge"]["challenge_id"]
            stale_code = last_code(d)
            adm.LockAccount(username="ziel", reason="fraud suspected")
            adm.UnlockAccount(username="ziel")
            assert error_of(a.VerifyChallenge, challenge_id=stale, code=stale_code)[0] == \
                "io.riegel.Auth.ChallengeExpired"
    finally:
        stopped(d)


# Smaller points.

def test_turning_on_two_factor_ends_sessions_opened_with_the_password_alone(root):
    """A thief who logged in with the password before the owner turned the
    second factor on kept that session on old main."""
    d = sms_daemon(root)
    try:
        with auth(d) as a:
            reply = a.Register(username="ziel", password=STRONG, phone=PHONE)
            thief = a.Login(username="ziel", password=STRONG)["session"]["token"]
            a.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=last_code(d))
            assert error_of(a.CheckSession, token=thief) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
    finally:
        stopped(d)


def test_reset_token_mailed_before_a_password_change_is_dead_after_it(root):
    """A reset link in a mailbox the attacker reads outlived ChangePassword on old
    main: the attacker could set a password of their own right after the change."""
    d = started(root, "")
    try:
        with auth(d) as a:
            a.Register(username="ziel", password=STRONG)
            token = a.BeginPasswordReset(username="ziel")["reset_token"]
            session = a.Login(username="ziel", password=STRONG)["session"]["token"]
            a.ChangePassword(token=session, current_password=STRONG, new_password=NEW)
            assert error_of(a.CompletePasswordReset, reset_token=token, new_password="Dieb-Hat-Es-Jetzt-99")[0] == \
                "io.riegel.Auth.InvalidToken"
            assert "session" in a.Login(username="ziel", password=NEW)
    finally:
        stopped(d)


def test_sms_guesses_after_the_lock_ends_stay_within_the_hourly_budget(root):
    """Old main cleared the wrong codes when the lock started: after a 30-minute
    lock the attacker had the whole budget again within the same hour (20 per
    hour, not 10). Here: 3 per hour, a 2-second lock; after it ends the 4th wrong
    code of the hour is still refused."""
    d = sms_daemon(root, 'failure_limit = 3\nfailure_window = "1h"\nfailure_lockout = "2s"\n')
    try:
        with auth(d) as a:
            enrolled(d, a)
            c = a.Login(username="ziel", password=STRONG)["challenge"]["challenge_id"]
            code = last_code(d)
            for left in [4, 3, 2]:
                assert error_of(a.VerifyChallenge, challenge_id=c, code=wrong(code)) == \
                    ("io.riegel.Auth.InvalidCode", {"attempts_left": left})
            assert error_of(a.VerifyChallenge, challenge_id=c, code=wrong(code))[0] == "io.riegel.Auth.TooManyAttempts"
            time.sleep(2.5)
            name, params = error_of(a.VerifyChallenge, challenge_id=c, code=wrong(code))
            assert name == "io.riegel.Auth.TooManyAttempts" and params["retry_after"] > 3000, (name, params)
    finally:
        stopped(d)
