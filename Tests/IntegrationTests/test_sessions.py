"""Sessions through the PyPI client: expiry, touch=false, logout, listing, restart (issue 4)."""
import time

import varlink

from riegel_harness import Daemon, error_of

STRONG = "Kl4vier-Sonate-Mond"


def session_daemon(root, idle="2s", absolute="12h", flush="1s"):
    return Daemon(root, extra_config=(
        f'[session]\nidle_timeout = "{idle}"\nabsolute_timeout = "{absolute}"\nactivity_flush_interval = "{flush}"\n'
    )).start()


def login(a, name="sina"):
    try:
        a.Register(username=name, password=STRONG)
    except varlink.VarlinkError:
        pass
    return a.Login(username=name, password=STRONG, client={"ip": "192.0.2.5", "user_agent": "it"})["session"]


def test_idle_session_is_gone_and_touch_false_does_not_keep_it_alive(root):
    d = session_daemon(root, idle="2s", flush="1s")
    try:
        with d.client().open("io.riegel.Auth") as a:
            s = login(a)
            for _ in range(3):  # activity slides the window
                time.sleep(1.0)
                a.CheckSession(token=s["token"])
            time.sleep(1.0)
            a.CheckSession(token=s["token"], touch=False)  # a poll: valid, but no activity
            time.sleep(1.3)
            assert error_of(a.CheckSession, token=s["token"]) == ("io.riegel.Auth.SessionExpired", {"reason": "idle"})
    finally:
        assert d.stop() == 0


def test_absolute_lifetime_ends_an_active_session(root):
    d = session_daemon(root, idle="2s", absolute="3s", flush="1s")
    try:
        with d.client().open("io.riegel.Auth") as a:
            s = login(a)
            info = a.CheckSession(token=s["token"])["info"]
            assert info["idle_expires_at"] <= info["expires_at"]
            for _ in range(3):
                time.sleep(1.0)
                try:
                    a.CheckSession(token=s["token"])
                except varlink.VarlinkError:
                    break
            time.sleep(0.5)
            assert error_of(a.CheckSession, token=s["token"])[1] == {"reason": "absolute"}
    finally:
        assert d.stop() == 0


def test_logout_list_and_logout_others(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        s1, s2, s3 = login(a), login(a), login(a)
        listed = a.ListSessions(token=s1["token"])["sessions"]
        assert [x["session_id"] for x in listed] == [s["info"]["session_id"] for s in (s1, s2, s3)]
        assert a.LogoutOtherSessions(token=s1["token"])["ended"] == 2
        assert error_of(a.CheckSession, token=s2["token"])[1] == {"reason": "revoked"}
        assert len(a.ListSessions(token=s1["token"])["sessions"]) == 1
        a.Logout(token=s1["token"])
        assert error_of(a.CheckSession, token=s1["token"])[1] == {"reason": "revoked"}
        assert error_of(a.CheckSession, token="never-issued")[0] == "io.riegel.Auth.InvalidToken"


def test_sessions_and_their_activity_survive_a_restart(root):
    d = session_daemon(root, idle="6s", flush="5s")
    try:
        with d.client().open("io.riegel.Auth") as a:
            s = login(a)
            time.sleep(3.5)
            a.CheckSession(token=s["token"])  # activity in memory only (next flush in 1.5 s)...
        assert d.stop() == 0                   # ...flushed by the graceful stop
        d.start()
        time.sleep(3.0)  # 6.5 s after login, 3 s after the activity
        with d.client().open("io.riegel.Auth") as a:
            assert a.CheckSession(token=s["token"])["info"]["session_id"] == s["info"]["session_id"]
    finally:
        assert d.stop() == 0


def test_a_logged_out_token_still_answers_revoked_after_a_restart(root):
    d = Daemon(root).start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            s = login(a)
            a.Logout(token=s["token"])
        assert d.stop() == 0
        d.start()
        with d.client().open("io.riegel.Auth") as a:
            assert error_of(a.CheckSession, token=s["token"]) == \
                ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
    finally:
        assert d.stop() == 0


def test_session_cap_ends_the_oldest(root):
    d = Daemon(root, extra_config="[session]\nmax_per_user = 2\n").start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            first, second, third = login(a), login(a), login(a)
            assert error_of(a.CheckSession, token=first["token"])[1] == {"reason": "revoked"}
            a.CheckSession(token=second["token"])
            a.CheckSession(token=third["token"])
    finally:
        assert d.stop() == 0
