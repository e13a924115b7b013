"""riegeld on the PostgreSQL back end (issue 17): a real PostgreSQL 15 started
for these tests (scripts/pg-scratch), one riegeld or two sharing it, driven
with the PyPI varlink client.

What runs on PostgreSQL so far: accounts, sessions, devices, SMS and other
factors, throttles, reset tokens, activation codes, wrapped keys with their
rotation, re-wrap and retirement, and the audit chain; Backup is SQLite-only
and refused.
Each instance's session table is a cache of PostgreSQL that other instances'
revocations reach through LISTEN/NOTIFY (pg-8-session-changes)."""
import json
import os
import subprocess
import threading
import time

import pytest
import varlink

from postgres_harness import ScratchPostgres
from riegel_harness import RIEGELCTL, Daemon, error_of
from test_factors import code_at, settle
from test_sms import enrol, login_with_code

STRONG = "Kl4vier-Sonate-Mond"
WRONG = "Falsch-Geraten-0815"


@pytest.fixture(scope="module")
def postgres():
    server = ScratchPostgres()
    yield server
    server.stop()


def on_postgres(root, postgres, database, name="a", extra=""):
    """A riegeld of its own (state directory, socket) on `database`; the master
    key file is shared, as instances of one deployment share the credential."""
    instance_root = root / name
    instance_root.mkdir()
    d = Daemon(instance_root, extra_config=postgres.storage_config(database) + extra)
    return d


def stopped(d):
    rc = d.stop()
    d.notify.close()
    assert rc == 0, d.log_text()


def test_register_login_check_logout_and_verify_on_postgresql(root, postgres):
    database = postgres.create_database()
    d = on_postgres(root, postgres, database).start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            a.Register(username="paula", password=STRONG)
            s = a.Login(username="paula", password=STRONG, client={"ip": "192.0.2.5", "user_agent": "it"})["session"]
            info = a.CheckSession(token=s["token"])["info"]
            assert info["username"] == "paula"
            a.Logout(token=s["token"])
            assert error_of(a.CheckSession, token=s["token"])[0] == "io.riegel.Auth.SessionExpired"
        with d.client().open("io.riegel.Audit") as audit:
            verdict = audit.Verify()
            assert verdict["ok"] is True, verdict
            assert verdict["entries"] >= 3  # register, login, logout
        # The rows are in PostgreSQL, not in a SQLite file.
        assert postgres.psql('SELECT count(*) FROM "user"', database) == "1"
        assert not (d.state / "riegel.sqlite").exists()
        # Digests at rest, never the token.
        assert s["token"] not in postgres.psql("SELECT encode(token_digest, 'escape') FROM session", database)
    finally:
        stopped(d)


def two_instances(root, postgres, extra=""):
    """Two riegelds, A and B, on one new database."""
    database = postgres.create_database()
    a = on_postgres(root, postgres, database, "a", extra).start()
    # B uses A's development master key: one deployment, one master key.
    b = on_postgres(root, postgres, database, "b", extra)
    b.state.mkdir(mode=0o700)
    (b.state / "master.key").write_bytes((a.state / "master.key").read_bytes())
    (b.state / "master.key").chmod(0o600)
    try:
        b.start()
    except BaseException:
        stopped(a)
        raise
    return database, a, b


def fails_within(auth, token, seconds=1.0):
    """Checks `token` until it fails; returns (error, parameters, seconds taken).
    Fails the test if it still answers after `seconds`."""
    started = time.monotonic()
    while True:
        try:
            auth.CheckSession(token=token, touch=False)
        except varlink.VarlinkError as e:
            return e.error(), e.parameters(), time.monotonic() - started
        elapsed = time.monotonic() - started
        assert elapsed < seconds, f"the token still answered after {elapsed:.2f} s"
        time.sleep(0.01)


def login(auth, username):
    return auth.Login(username=username, password=STRONG, client={"ip": "192.0.2.7", "user_agent": "it"})["session"]["token"]


def test_a_session_ended_on_one_instance_fails_on_the_other_within_a_second(root, postgres):
    database, a, b = two_instances(root, postgres)
    try:
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b:
            auth_a.Register(username="max", password=STRONG)
            first, second = (auth_a.Login(username="max", password=STRONG,
                                          client={"ip": "192.0.2.7", "user_agent": "it"})["session"]["token"]
                             for _ in range(2))
            # B holds both in memory now...
            for token in (first, second):
                assert auth_b.CheckSession(token=token)["info"]["username"] == "max"
            # ...and a logout on A ends the first there too, within a second.
            auth_a.Logout(token=first)
            assert fails_within(auth_b, first)[:2] == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
            # The other way round: B ends every other session of the user; A refuses the first.
            third = auth_b.Login(username="max", password=STRONG,
                                 client={"ip": "192.0.2.7", "user_agent": "it"})["session"]["token"]
            assert auth_b.LogoutOtherSessions(token=third)["ended"] == 1
            assert fails_within(auth_a, second)[:2] == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
            assert auth_a.CheckSession(token=third)["info"]["username"] == "max"
    finally:
        stopped(a)
        stopped(b)


def test_a_session_ended_on_one_instance_fails_on_the_other_at_once(root, postgres):
    """With shared_cache_staleness below the feed's 100 ms poll, memory is never
    current: every check reads the row, and a session ended on one instance
    fails on the other at once (the read-through mode, for deployments that
    pay a database read per check for it)."""
    database, a, b = two_instances(root, postgres, '[session]\nshared_cache_staleness = "0.01s"\n')
    try:
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b:
            auth_a.Register(username="max", password=STRONG)
            first, second = login(auth_a, "max"), login(auth_a, "max")
            for token in (first, second):
                assert auth_b.CheckSession(token=token)["info"]["username"] == "max"
            auth_a.Logout(token=first)
            assert error_of(auth_b.CheckSession, token=first) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
            third = login(auth_b, "max")
            assert auth_b.LogoutOtherSessions(token=third)["ended"] == 1
            assert error_of(auth_a.CheckSession, token=second) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
            assert auth_a.CheckSession(token=third)["info"]["username"] == "max"
    finally:
        stopped(a)
        stopped(b)


def test_riegeld_on_postgresql_stops_cleanly_whatever_the_change_feed_is_doing(root, postgres):
    """A stop cancels the change feed mid-read or mid-wait; its LISTEN
    connection is closed either way (a CI run once stopped with postgres-nio's
    "PostgresConnection deinitialized before being closed" trap). Twelve
    starts and stops with the feed polling every 100 ms, at varied moments."""
    database = postgres.create_database()
    d = on_postgres(root, postgres, database, "s", '[session]\nshared_cache_staleness = "0.01s"\n')
    for i in range(12):
        d.start()
        time.sleep(0.03 * i)
        rc = d.stop()
        assert rc == 0 and "Assertion failed" not in d.log_text(), d.log_text()
    d.notify.close()


def test_logout_admin_revoke_and_password_change_on_a_fail_on_b_within_a_second(root, postgres):
    database, a, b = two_instances(root, postgres)
    try:
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b, \
                a.client().open("io.riegel.Admin") as admin_a:
            for name in ("max", "eva", "ida"):
                auth_a.Register(username=name, password=STRONG)
            tokens = {name: [login(auth_a, name) for _ in range(2)] for name in ("max", "eva", "ida")}
            for pair in tokens.values():
                for token in pair:  # B holds them all in memory
                    assert auth_b.CheckSession(token=token)["info"]["username"]
            taken = []
            auth_a.Logout(token=tokens["max"][0])
            error, params, seconds = fails_within(auth_b, tokens["max"][0])
            assert (error, params) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
            taken.append(seconds)
            assert admin_a.RevokeSessions(username="eva")["ended"] == 2
            for token in tokens["eva"]:
                error, params, seconds = fails_within(auth_b, token)
                assert (error, params) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
                taken.append(seconds)
            auth_a.ChangePassword(token=tokens["ida"][0], current_password=STRONG, new_password=STRONG + "-2")
            error, params, seconds = fails_within(auth_b, tokens["ida"][1])
            assert (error, params) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
            taken.append(seconds)
            # What was not ended still answers on B.
            assert auth_b.CheckSession(token=tokens["max"][1])["info"]["username"] == "max"
            assert auth_b.CheckSession(token=tokens["ida"][0])["info"]["username"] == "ida"
            assert max(taken) < 1.0, taken
    finally:
        stopped(a)
        stopped(b)


def test_renewals_on_a_enrolment_and_step_up_fail_the_old_token_on_b_within_a_second(root, postgres):
    """Confirming an app and stepping up renew the token on A; B, which held
    the old one in memory, refuses it within a second and accepts the new."""
    database, a, b = two_instances(root, postgres)
    try:
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b:
            auth_a.Register(username="tara", password=STRONG)
            first = login(auth_a, "tara")
            assert auth_b.CheckSession(token=first)["info"]["username"] == "tara"
            e = auth_a.EnrollFactor(token=first, password=STRONG, kind="totp", label="Phone")
            settle()
            second = auth_a.ConfirmFactor(token=first, factor_id=e["factor_id"],
                                          code=code_at(e["secret"], -1))["session"]["token"]
            assert fails_within(auth_b, first)[0] == "io.riegel.Auth.InvalidToken"
            assert auth_b.CheckSession(token=second)["info"]["username"] == "tara"
            c = auth_a.BeginStepUp(token=second, factor="totp")["challenge"]
            third = auth_a.VerifyChallenge(challenge_id=c["challenge_id"], code=code_at(e["secret"]))["session"]["token"]
            assert fails_within(auth_b, second)[0] == "io.riegel.Auth.InvalidToken"
            assert auth_b.CheckSession(token=third)["info"]["username"] == "tara"
    finally:
        stopped(a)
        stopped(b)


def kill_listeners(postgres, database, expected=2):
    """Terminates every riegeld's change-feed connection (`pg_terminate_backend`) once `expected`
    of them are up (a feed's connection shows its LISTEN or catch-up query; on a loaded machine
    an instance's first catch-up may come a little after its first answer); returns how many."""
    feeds = ("FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
             "AND (query LIKE '%pg_current_snapshot%' OR query LIKE 'LISTEN%')")
    deadline = time.monotonic() + 10
    while int(postgres.psql(f"SELECT count(*) {feeds}", database)) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return int(postgres.psql(f"SELECT count(pg_terminate_backend(pid)) {feeds}", database))


def test_a_killed_listener_reconnects_and_catches_up(root, postgres):
    database, a, b = two_instances(root, postgres)
    try:
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b:
            auth_a.Register(username="max", password=STRONG)
            token = login(auth_a, "max")
            assert auth_b.CheckSession(token=token)["info"]["username"] == "max"
            assert kill_listeners(postgres, database) == 2  # A's and B's
            auth_a.Logout(token=token)  # while B's listener is away
            assert fails_within(auth_b, token, seconds=3.0)[:2] == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
        assert "session change feed: connection lost; reconnecting" in b.log_text()
    finally:
        stopped(a)
        stopped(b)


def test_postgresql_down_hits_answer_from_memory_then_fail_closed_and_recover(root, postgres):
    """PostgreSQL stopped under two instances: B answers a token it holds from
    memory (a hit reads nothing), then, past shared_cache_staleness, every
    check fails with StorageUnavailable, as do writes; when PostgreSQL is back
    both recover without a restart and nothing acknowledged is lost."""
    database, a, b = two_instances(root, postgres, '[session]\nshared_cache_staleness = "4s"\n')
    try:
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b:
            auth_a.Register(username="max", password=STRONG)
            tokens = [login(auth_a, "max") for _ in range(2)]
            for token in tokens:
                assert auth_b.CheckSession(token=token)["info"]["username"] == "max"
            postgres.halt()
            halted = time.monotonic()
            try:
                # A hit: answered from memory with the server gone.
                assert auth_b.CheckSession(token=tokens[0])["info"]["username"] == "max"
                assert time.monotonic() - halted < 3.0, "the hit came too late to prove anything"
                # A write fails at once with the typed error.
                assert error_of(auth_a.Login, username="max", password=STRONG,
                                client={"ip": "192.0.2.7", "user_agent": "it"})[0] == "io.riegel.Auth.StorageUnavailable"
                error, _, _ = fails_within(auth_b, tokens[0], seconds=4.0 + 3.0)
                assert error == "io.riegel.Auth.StorageUnavailable"
                assert time.monotonic() - halted >= 3.0, "failed closed before the staleness bound"
            finally:
                postgres.resume()
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert auth_b.CheckSession(token=tokens[0])["info"]["username"] == "max"
                    break
                except varlink.VarlinkError as e:
                    assert e.error() == "io.riegel.Auth.StorageUnavailable"
                    assert time.monotonic() < deadline, "B did not recover"
                    time.sleep(0.2)
            # Nothing acknowledged was lost, and revocations flow again.
            assert auth_a.CheckSession(token=tokens[1])["info"]["username"] == "max"
            auth_a.Logout(token=tokens[1])
            deadline = time.monotonic() + 10
            while True:  # B's feed may still be reconnecting
                try:
                    auth_b.CheckSession(token=tokens[1], touch=False)
                except varlink.VarlinkError as e:
                    assert (e.error(), e.parameters()) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
                    break
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert login(auth_b, "max")
        assert a.proc.poll() is None and b.proc.poll() is None, "no restart"
    finally:
        stopped(a)
        stopped(b)


def test_two_instances_share_sessions_counters_and_one_audit_chain(root, postgres):
    extra = "[throttle]\nfailures_before_delay = 1000\nlockout_failures = 40\n[password]\nhash_queue_limit = 400\n"
    database, a, b = two_instances(root, postgres, extra)
    try:
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b:
            auth_a.Register(username="max", password=STRONG)
            s = auth_a.Login(username="max", password=STRONG, client={"ip": "192.0.2.7", "user_agent": "it"})["session"]
            # A token issued by A is accepted by B (a miss loads it from PostgreSQL).
            assert auth_b.CheckSession(token=s["token"])["info"]["username"] == "max"

        # 40 wrong passwords at once, over both instances: all 40 count, so the
        # account (lockout at 40) is locked for the right password too.
        barrier = threading.Barrier(40)
        outcomes, lock = [], threading.Lock()

        def guess(instance):
            with instance.client() as client, client.open("io.riegel.Auth") as auth:
                barrier.wait(30)
                try:
                    auth.Login(username="max", password=WRONG, client={"ip": "192.0.2.8", "user_agent": "it"})
                    outcome = "ok"
                except varlink.VarlinkError as e:
                    outcome = e.error().rsplit(".", 1)[-1]
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=guess, args=((a, b)[i % 2],)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert len(outcomes) == 40
        assert "ok" not in outcomes
        with b.client().open("io.riegel.Auth") as auth_b:
            assert error_of(auth_b.Login, username="max", password=STRONG,
                            client={"ip": "192.0.2.9", "user_agent": "it"})[0] == "io.riegel.Auth.AccountLocked"

        # Both appended to one chain: it verifies from either instance, numbered without gaps.
        for instance in (a, b):
            with instance.client().open("io.riegel.Audit") as audit:
                verdict = audit.Verify()
                assert verdict["ok"] is True, verdict
        seqs = postgres.psql("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM audit_event", database).split(",")
        assert [int(x) for x in seqs] == list(range(1, len(seqs) + 1))
        assert postgres.psql("SELECT count(*) FROM audit_event WHERE type = 'login.failed' AND reason = 'wrong_password'",
                             database) == "40"
    finally:
        stopped(a)
        stopped(b)


def keys_of(instance):
    with instance.client().open("io.riegel.Admin") as adm:
        return adm.ListKeys()["keys"]


def eventually(predicate, seconds=4.0, what=""):
    """Polls `predicate` until it holds; one that raises AssertionError has not held yet."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if predicate():
                return
            problem = "false"
        except AssertionError as e:
            problem = str(e)
        assert time.monotonic() < deadline, f"not within {seconds} s: {what} ({problem})"
        time.sleep(0.05)


def test_keys_rotated_and_retired_through_one_instance_reach_the_other(root, postgres):
    """Key rotation, re-wrap and retirement on PostgreSQL, with a second
    instance that must adopt the new keys (its ring refreshes every 2 s, and at
    once for a value under a key it does not know) and never lose a value."""
    database, a, b = two_instances(root, postgres)
    try:
        with a.client().open("io.riegel.Auth") as auth_a:
            for i in range(4):
                auth_a.Register(username=f"kim{i}", password=STRONG, email=f"kim{i}@example.org")
        before = {k["purpose"]: k["key_id"] for k in keys_of(a) if k["state"] == "active"}
        with a.client().open("io.riegel.Admin") as adm:
            for purpose in ("password", "pii", "otp", "audit"):
                last = list(adm.RotateKey(purpose=purpose, _more=True))[-1]
                assert last["progress"]["state"] == "finished", last
        after = {k["purpose"]: k["key_id"] for k in keys_of(a) if k["state"] == "active"}
        assert all(after[p] != before[p] for p in before), (before, after)
        listed = {k["key_id"]: k for k in keys_of(a)}
        assert all(listed[before[p]]["in_use"] == 0 for p in before), "the re-wrap moved every row off the old keys"
        assert postgres.psql('SELECT string_agg(DISTINCT password_key_id::text, \',\') FROM "user"', database) \
            == after["password"].removeprefix("key-")

        # B's ring refreshes every 2 s: within that, B seals new data under A's new keys.
        new_key = after["password"].removeprefix("key-")
        registered = []

        def b_seals_under_the_new_key():
            with b.client().open("io.riegel.Auth") as auth_b:
                name = f"late{len(registered)}"
                auth_b.Register(username=name, password=STRONG, email=f"{name}@example.org")
                registered.append(name)
            return postgres.psql('SELECT password_key_id FROM "user" ORDER BY created_at DESC, id LIMIT 1',
                                 database) == new_key
        eventually(b_seals_under_the_new_key, what="B seals under A's new password key")
        assert {k["purpose"]: k["key_id"] for k in keys_of(b) if k["state"] == "active"} == after
        with b.client().open("io.riegel.Auth") as auth_b:
            for i in range(4):
                auth_b.Login(username=f"kim{i}", password=STRONG, client={"ip": "192.0.2.7", "user_agent": "it"})
                assert auth_b.RecoverUsername(email=f"KIM{i}@Example.org")["usernames"] == [f"kim{i}"]
        if len(registered) > 1:
            # B registered some under the old keys before it refreshed: the
            # old keys stay in use until a new re-wrap moves those rows.
            listed = {k["key_id"]: k for k in keys_of(a)}
            assert listed[before["password"]]["in_use"] == len(registered) - 1
            with a.client().open("io.riegel.Admin") as adm:
                list(adm.RotateKey(purpose="password", _more=True))
                list(adm.RotateKey(purpose="pii", _more=True))

        # Retired through A (RetireKey waits out the grace after the rotation), dropped by B.
        with a.client().open("io.riegel.Admin") as adm:
            for purpose, old in before.items():
                adm.RetireKey(key_id=old)
        for instance in (a, b):
            eventually(lambda: all(k["state"] == "retired" for k in keys_of(instance) if k["key_id"] in before.values()),
                       what="the old keys are retired on both")
        assert postgres.psql("SELECT count(*) FROM key WHERE state = 'retired' AND length(wrapped) = 0", database) == "4"
        for instance in (a, b):
            with instance.client().open("io.riegel.Auth") as auth:
                for name in [f"kim{i}" for i in range(4)] + registered:
                    auth.Login(username=name, password=STRONG, client={"ip": "192.0.2.8", "user_agent": "it"})
                    assert auth.RecoverUsername(email=f"{name}@example.org")["usernames"] == [name]
            with instance.client().open("io.riegel.Audit") as audit:
                verdict = audit.Verify()
                assert verdict["ok"] is True, verdict
    finally:
        stopped(a)
        stopped(b)


def test_riegelctl_storage_copy_moves_a_sqlite_store_to_postgresql_and_riegeld_goes_on_there(root, postgres):
    """`riegelctl storage copy --from sqlite:DIR --to postgresql:CONFIG`: every
    user logs in on PostgreSQL afterwards, a session issued on SQLite still
    answers, the keys (a rotated one too) and the audit chain came along, and a
    second copy into the now filled database is refused without a change."""
    (root / "old").mkdir()
    old = Daemon(root / "old").start()
    try:
        with old.client().open("io.riegel.Auth") as a:
            for i in range(5):
                a.Register(username=f"mover{i}", password=STRONG, email=f"mover{i}@example.org")
            token = login(a, "mover0")
            # A user with SMS as second factor: challenges and queued messages (an identity column) come along.
            enrol(a, old, name="texter")
            login_with_code(a, old, name="texter")
        with old.client().open("io.riegel.Admin") as adm:
            list(adm.RotateKey(purpose="pii", _more=True))
            keys_before = sorted((k["key_id"], k["purpose"], k["state"]) for k in adm.ListKeys()["keys"])
        with old.client().open("io.riegel.Audit") as audit:
            entries = audit.Verify()["entries"]
    finally:
        stopped(old)

    database = postgres.create_database()
    new = on_postgres(root, postgres, database, "new")
    new.write_config()
    ctl = [str(RIEGELCTL), "storage", "copy", "--from", f"sqlite:{old.state}", "--to", f"postgresql:{new.config}"]
    copied = subprocess.run(ctl + ["--json"], capture_output=True, text=True, timeout=120)
    assert copied.returncode == 0, copied.stderr
    report = json.loads(copied.stdout)
    assert report["rows"]["user"] == 6 and report["rows"]["session"] == 2, report
    assert report["rows"]["sms_outbox"] >= 2 and report["rows"]["sms_challenge"] >= 2, report
    assert report["audit_entries"] == entries, report
    assert postgres.psql('SELECT count(*) FROM "user"', database) == "6"

    # The master key is not in the database: riegeld on PostgreSQL starts with the same one.
    new.state.mkdir(mode=0o700)
    (new.state / "master.key").write_bytes((old.state / "master.key").read_bytes())
    (new.state / "master.key").chmod(0o600)
    new.start()
    try:
        with new.client().open("io.riegel.Auth") as a:
            assert a.CheckSession(token=token, touch=False)["info"]["username"] == "mover0"
            for i in range(5):
                login(a, f"mover{i}")
                assert a.RecoverUsername(email=f"mover{i}@example.org")["usernames"] == [f"mover{i}"]
            login_with_code(a, new, name="texter")  # the phone, sealed on SQLite, opens on PostgreSQL
        with new.client().open("io.riegel.Admin") as adm:
            assert sorted((k["key_id"], k["purpose"], k["state"]) for k in adm.ListKeys()["keys"]) == keys_before
        with new.client().open("io.riegel.Audit") as audit:
            verdict = audit.Verify()
            assert verdict["ok"] is True and verdict["entries"] > entries, verdict

        # Into a database that holds data: refused, and nothing changes.
        users = postgres.psql('SELECT count(*) FROM "user"', database)
        again = subprocess.run(ctl, capture_output=True, text=True, timeout=120)
        assert again.returncode == 1 and "not empty" in again.stderr and "nothing was copied" in again.stderr, again
        assert postgres.psql('SELECT count(*) FROM "user"', database) == users
    finally:
        stopped(new)

    # Bad input: a clear message and exit status, nothing read or written.
    for args, message in (([f"sqlite:{root}/nowhere", f"postgresql:{new.config}"], "no riegel.sqlite"),
                          ([f"{old.state}", f"postgresql:{new.config}"], "--from must be sqlite:PATH"),
                          ([f"sqlite:{old.state}", f"{old.config}"], "--to must be postgresql:CONFIG"),
                          ([f"sqlite:{old.state}", f"postgresql:{old.config}"], 'backend must be "postgresql"')):
        bad = subprocess.run([str(RIEGELCTL), "storage", "copy", "--from", args[0], "--to", args[1]],
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode != 0 and message in bad.stderr, (args, bad.stderr)


def test_the_change_feeds_last_catch_up_is_a_metric_that_stalls_while_the_server_is_down(root, postgres):
    from test_metrics import free_port, scrape, value
    port = free_port()
    d = on_postgres(root, postgres, postgres.create_database(), extra=f'[metrics]\nlisten = "127.0.0.1:{port}"\n').start()
    try:
        name = "riegel_session_changes_caught_up_timestamp_seconds"
        eventually(lambda: time.time() - value(scrape(port), name) < 2.0, what="the feed catches up every second")
        postgres.halt()
        try:
            time.sleep(3.0)
            lag = time.time() - value(scrape(port), name)
            assert lag >= 2.5, f"the feed cannot have caught up with the server down, yet lags only {lag:.2f} s"
        finally:
            postgres.resume()
        eventually(lambda: time.time() - value(scrape(port), name) < 2.0, seconds=30.0,
                   what="the feed catches up again once the server is back")
    finally:
        stopped(d)


def test_an_inline_password_is_refused_at_start(root, postgres):
    d = Daemon(root, extra_config=postgres.storage_config("riegel", 'password = "hunter2"\n'))
    d.start(wait_ready=False)
    rc = d.proc.wait(60)
    d.proc = None
    d.logfile.close()
    d.notify.close()
    assert rc != 0
    assert "never written in the config" in d.log_text()
    assert "hunter2" not in d.log_text()


def test_an_unreachable_server_refuses_start_with_a_clear_error(root):
    extra = ('[storage]\nbackend = "postgresql"\nsocket = "/nonexistent/pg/.s.PGSQL.5432"\n'
             'connect_timeout = "1s"\n')
    d = Daemon(root, extra_config=extra)
    d.start(wait_ready=False)
    rc = d.proc.wait(60)
    d.proc = None
    d.logfile.close()
    d.notify.close()
    assert rc != 0
    assert "unavailable" in d.log_text()


def make_certificates(directory, names=("ca", "other-ca")):
    """A CA and a server certificate it signs (for 127.0.0.1 and localhost), and a
    second, unrelated CA; the server's key is the server user's, mode 0600."""
    import pwd
    certs = directory / "certs"
    certs.mkdir()

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=certs)
    for ca in names:
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", f"/CN=riegel test {ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.pem")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr")
    (certs / "san.ext").write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.ext", "-out", "server.pem")
    (certs / "server.key").chmod(0o600)
    if os.getuid() == 0:  # the scratch server runs as nobody
        nobody = pwd.getpwnam("nobody")
        for path in (certs, certs / "server.key", certs / "server.pem"):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    return certs


def test_over_tcp_riegeld_requires_tls_and_verifies_the_server_against_its_ca(root):
    """A server with TLS on 127.0.0.1: riegeld connects with `tls_ca_file` naming
    the CA that signed the server's certificate, and its connections are TLS; it
    refuses to start against the system CA store or another CA, saying why."""
    from test_metrics import free_port
    port = free_port()
    server = ScratchPostgres(port=port, prepare=make_certificates,
                             options="-c listen_addresses=127.0.0.1 -c ssl=on "
                                     "-c ssl_cert_file={dir}/certs/server.pem -c ssl_key_file={dir}/certs/server.key")
    try:
        database = server.create_database()
        ca = root / "ca.pem"
        ca.write_bytes((server.dir / "certs" / "ca.pem").read_bytes())
        other = root / "other-ca.pem"
        other.write_bytes((server.dir / "certs" / "other-ca.pem").read_bytes())

        def tcp(name, extra):
            (root / name).mkdir()
            return Daemon(root / name, extra_config=(
                "[storage]\nbackend = \"postgresql\"\nhost = \"127.0.0.1\"\n"
                f"port = {port}\ndatabase = \"{database}\"\nuser = \"riegel\"\n{extra}"))

        d = tcp("good", f'tls_ca_file = "{ca}"\n').start()
        try:
            with d.client().open("io.riegel.Auth") as a:
                a.Register(username="tls", password=STRONG)
                login(a, "tls")
            ssl = server.psql("SELECT string_agg(DISTINCT s.ssl::text, ',') FROM pg_stat_ssl s "
                              "JOIN pg_stat_activity a USING (pid) WHERE a.client_addr IS NOT NULL")
            assert ssl == "true", f"riegeld's TCP connections must all be TLS, pg_stat_ssl says {ssl!r}"
        finally:
            stopped(d)

        for name, extra in (("system-store", ""), ("other-ca", f'tls_ca_file = "{other}"\n')):
            bad = tcp(name, extra)
            bad.start(wait_ready=False)
            rc = bad.proc.wait(60)
            bad.proc = None
            bad.notify.close()
            log = bad.log_text()
            assert rc != 0, f"{name}: riegeld started against a server it cannot verify"
            assert "certificate" in log.lower(), f"{name}: the refusal must say the certificate failed: {log}"
    finally:
        server.stop()
