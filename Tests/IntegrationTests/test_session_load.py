"""Start-up does not wait for the stored sessions (issue 18): riegeld says
READY=1 first and loads the session table in the background, and until it is
loaded a session not yet in memory is still found, and a revoked or expired
one still refused (security rule 6)."""
import base64
import hashlib
import secrets
import sqlite3
import time

from riegel_harness import Daemon, admin, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
SESSION_CONFIG = '[session]\nidle_timeout = "1d"\nabsolute_timeout = "2d"\nmax_per_user = 10000\n'


def token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def insert(db, user_id, count, created, revoked=False):
    tokens = [token() for _ in range(count)]
    db.executemany(
        "INSERT INTO session (id, user_id, token_digest, assurance, method, created_at, authenticated_at,"
        " second_factor_at, last_activity_at, client_ip, user_agent, revoked_at, revoke_reason)"
        " VALUES (?, ?, ?, 'password', 'password', ?, ?, NULL, ?, NULL, NULL, ?, ?)",
        [("s_" + secrets.token_hex(16), user_id, hashlib.sha256(t.encode()).digest(), created, created, created,
          created if revoked else None, "logout" if revoked else None) for t in tokens])
    return tokens


def sessions_check(d) -> str:
    with admin(d) as a:
        return next(c["detail"] for c in a.Status()["checks"] if c["name"] == "sessions")


def test_stored_sessions_are_found_and_judged_before_the_table_is_loaded(root):
    d = Daemon(root, extra_config=SESSION_CONFIG).start()
    with auth(d) as a:
        a.Register(username="sam", password=STRONG)
        own = a.Login(username="sam", password=STRONG)["session"]
    assert d.stop() == 0
    db = sqlite3.connect(str(d.state / "riegel.sqlite"))
    (user_id,) = db.execute("SELECT id FROM user WHERE username = 'sam'").fetchone()
    now = time.time()
    with db:
        live = insert(db, user_id, 60_000, now)
        revoked = insert(db, user_id, 10, now, revoked=True)
        idle = insert(db, user_id, 10, now - 47 * 3600)  # past the 1 d idle timeout
    db.close()

    d.start()
    try:
        # Right after READY=1, before the last page (60 000 rows take seconds in a debug build).
        loading = sessions_check(d)
        with auth(d) as a:
            for t in (live[-1], live[0], own["token"]):
                assert a.CheckSession(token=t, touch=False)["info"]["username"] == "sam"
            assert error_of(a.CheckSession, token=revoked[0])[1] == {"reason": "revoked"}
            assert error_of(a.CheckSession, token=idle[0])[0] == "io.riegel.Auth.InvalidToken"
            assert error_of(a.CheckSession, token=token())[0] == "io.riegel.Auth.InvalidToken"
            # A logout of a session not loaded yet holds, whatever page comes later.
            a.Logout(token=live[-2])
            assert error_of(a.CheckSession, token=live[-2])[1] == {"reason": "revoked"}
        assert loading == "loading in the background", loading
        deadline = time.monotonic() + 120
        while sessions_check(d) == "loading in the background":
            assert time.monotonic() < deadline, "the session table never finished loading"
            time.sleep(0.2)
        # The loader counts what its pages added: not the few the checks above fetched first.
        detail = sessions_check(d)
        loaded = int(detail.split()[0])
        assert 59_990 <= loaded <= 60_001 and "live sessions loaded in" in detail, detail
        with auth(d) as a:
            assert error_of(a.CheckSession, token=live[-2])[1] == {"reason": "revoked"}
            assert error_of(a.CheckSession, token=revoked[1])[1] == {"reason": "revoked"}
            assert a.CheckSession(token=live[12345], touch=False)["info"]["username"] == "sam"
    finally:
        assert d.stop() == 0, d.log_text()
