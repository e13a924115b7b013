"""Administrators look up, lock, unlock and sign out accounts (io.riegel.Admin)."""
import varlink

from riegel_harness import Daemon, error_of

STRONG = "Kl4vier-Sonate-Mond"


def test_get_account_shows_sessions_and_last_login(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Admin") as admin:
        uid = a.Register(username="Hanna", password=STRONG)["user_id"]
        a.Login(username="hanna", password=STRONG)
        acct = admin.GetAccount(username="HANNA")["account"]
        assert acct["user_id"] == uid and acct["username"] == "Hanna"
        assert acct["sessions"] == 1 and "last_login_at" in acct and "locked_until" not in acct
        assert error_of(admin.GetAccount, username="nobody")[0] == "io.riegel.Admin.NoSuchAccount"


def test_lock_ends_sessions_and_refuses_login_until_unlocked(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Admin") as admin:
        a.Register(username="bert", password=STRONG)
        token = a.Login(username="bert", password=STRONG)["session"]["token"]
        admin.LockAccount(username="bert", reason="fraud suspected")
        assert error_of(a.CheckSession, token=token) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
        name, params = error_of(a.Login, username="bert", password=STRONG)
        assert name == "io.riegel.Auth.AccountLocked" and params["until"].startswith("9999-")
        # A wrong password still says nothing about the lock.
        assert error_of(a.Login, username="bert", password="nope-nope-nope")[0] == "io.riegel.Auth.InvalidCredentials"
        assert "locked_until" in admin.GetAccount(username="bert")["account"]
        admin.UnlockAccount(username="bert")
        a.Login(username="bert", password=STRONG)


def test_unlock_lifts_a_throttle_lockout(root):
    d = Daemon(root, extra_config="[throttle]\nfailures_before_delay = 2\n").start()
    try:
        c = d.client()
        with c.open("io.riegel.Auth") as a, c.open("io.riegel.Admin") as admin:
            a.Register(username="cora", password=STRONG)
            for _ in range(2):
                error_of(a.Login, username="cora", password="nope-nope-nope")
            assert error_of(a.Login, username="cora", password=STRONG)[0] == "io.riegel.Auth.TooManyAttempts"
            admin.UnlockAccount(username="cora")
            a.Login(username="cora", password=STRONG)
    finally:
        assert d.stop() == 0


def test_lock_with_a_bad_time_is_invalid_parameter(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Admin") as admin:
        a.Register(username="dora", password=STRONG)
        assert error_of(admin.LockAccount, username="dora", reason="x", until="tomorrow") == \
            ("org.varlink.service.InvalidParameter", {"parameter": "until"})
        a.Login(username="dora", password=STRONG)  # nothing changed


def test_revoke_sessions_counts_what_it_ended(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Admin") as admin:
        a.Register(username="emil", password=STRONG)
        tokens = [a.Login(username="emil", password=STRONG)["session"]["token"] for _ in range(3)]
        assert admin.RevokeSessions(username="emil")["ended"] == 3
        for t in tokens:
            assert error_of(a.CheckSession, token=t)[1] == {"reason": "revoked"}
