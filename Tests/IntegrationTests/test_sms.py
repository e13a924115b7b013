"""The SMS second factor through the PyPI varlink client against a real riegeld (issue 5).

Codes are read where a user's phone would get them: the outbox gateway's JSON
lines in the state directory (the outbox contract, docs/security-rules.md)."""
import json
import os
import re
import signal
import sqlite3
import threading
import time

import pytest
import varlink

from riegel_harness import Daemon, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
PHONE = "+49 151 23456789"
E164 = "+4915123456789"


def outbox(d):
    path = d.state / "sms-outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def last_code(d):
    """The code of the newest outbox message: its only run of 6 digits."""
    messages = outbox(d)
    assert messages, "no SMS in the outbox"
    runs = set(re.findall(r"(?<!\d)\d{6}(?!\d)", messages[-1]["text"]))
    assert len(runs) == 1, messages[-1]["text"]
    return runs.pop()


def wrong(code):
    return "".join(str((int(c) + 1) % 10) for c in code)


def sms_daemon(root, extra=""):
    return Daemon(root, extra_config=extra).start()


@pytest.fixture
def sms(root):
    d = Daemon(root, extra_config='[sms]\nresend_cooldown = "1s"\n').start()
    yield d
    if d.proc is not None:
        assert d.stop() == 0, d.log_text()
    d.notify.close()


def enrol(a, d, name="sofia"):
    reply = a.Register(username=name, password=STRONG, phone=PHONE)
    a.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=last_code(d))
    return reply["user_id"]


def login_with_code(a, d, name="sofia", password=STRONG, **kw):
    challenge = a.Login(username=name, password=password, **kw)["challenge"]
    return a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=last_code(d), **kw)["session"]


def test_enrol_at_registration_then_every_login_needs_the_code(sms):
    with auth(sms) as a:
        reply = a.Register(username="sofia", password=STRONG, phone=PHONE, client={"language": "en"})
        c = reply["challenge"]
        assert c["purpose"] == "enroll_phone" and c["masked_phone"] == "+49 *** *** **89"
        assert c["attempts_left"] == 5
        [message] = outbox(sms)
        assert message["to"] == E164 and "verification code" in message["text"]
        assert set(message) == {"time", "to", "text"}
        # Before the code: password login works without a second factor.
        assert "session" in a.Login(username="sofia", password=STRONG)
        assert a.VerifyChallenge(challenge_id=c["challenge_id"], code=last_code(sms)) == \
            {"phone_enrolment": {"masked_phone": "+49 *** *** **89", "replaced": False, "session_kept": False}}
        login = a.Login(username="sofia", password=STRONG)
        assert set(login) == {"challenge"} and login["challenge"]["purpose"] == "login"
        session = a.VerifyChallenge(challenge_id=login["challenge"]["challenge_id"], code=last_code(sms),
                                    client={"ip": "192.0.2.5"})["session"]
        assert session["info"]["assurance"] == "second_factor"
        assert session["info"]["second_factor_at"]
        assert a.CheckSession(token=session["token"])["info"]["session_id"] == session["info"]["session_id"]


def test_wrong_codes_count_down_and_the_fifth_ends_the_challenge(sms):
    with auth(sms) as a:
        enrol(a, sms)
        c = a.Login(username="sofia", password=STRONG)["challenge"]
        right = last_code(sms)
        for left in [4, 3, 2, 1, 0]:
            assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=wrong(right)) == \
                ("io.riegel.Auth.InvalidCode", {"attempts_left": left})
        assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=right)[0] == "io.riegel.Auth.InvalidCode"
        assert error_of(a.VerifyChallenge, challenge_id="c_unknown", code=right)[0] == "io.riegel.Auth.ChallengeExpired"


def test_resend_waits_for_the_cooldown_and_replaces_the_code(sms):
    with auth(sms) as a:
        enrol(a, sms)
        c = a.Login(username="sofia", password=STRONG)["challenge"]
        old = last_code(sms)
        name, params = error_of(a.ResendChallenge, challenge_id=c["challenge_id"])
        assert name == "io.riegel.Auth.ResendTooSoon" and params["retry_after"] >= 1
        time.sleep(1.1)
        again = a.ResendChallenge(challenge_id=c["challenge_id"])["challenge"]
        assert again["challenge_id"] == c["challenge_id"]
        new = last_code(sms)
        assert len(outbox(sms)) == 3
        if new != old:
            assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=old)[0] == "io.riegel.Auth.InvalidCode"
        assert "session" in a.VerifyChallenge(challenge_id=c["challenge_id"], code=new)


def test_wrong_codes_across_logins_lock_the_second_factor(root):
    d = sms_daemon(root, '[sms]\nfailure_limit = 3\nfailure_lockout = "30m"\n')
    try:
        with auth(d) as a:
            enrol(a, d)
            for _ in range(2):  # a new login must not reset the budget
                c = a.Login(username="sofia", password=STRONG)["challenge"]
                for _ in range(2):
                    try:
                        a.VerifyChallenge(challenge_id=c["challenge_id"], code=wrong(last_code(d)))
                    except varlink.VarlinkError:
                        pass
            c = a.Login(username="sofia", password=STRONG)["challenge"]
            name, params = error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=last_code(d))
            assert name == "io.riegel.Auth.TooManyAttempts" and params["retry_after"] > 1700
        events = d.ctl("audit", "query", "--type", "second_factor.locked", "--json").stdout
        assert "second_factor.locked" in events
    finally:
        d.stop()


def test_send_cap_per_user_refuses_with_too_many_attempts(root):
    d = sms_daemon(root, "[sms]\ncap_per_user = 2\n")
    try:
        with auth(d) as a:
            enrol(a, d)
            a.Login(username="sofia", password=STRONG)
            name, params = error_of(a.Login, username="sofia", password=STRONG)
            assert name == "io.riegel.Auth.TooManyAttempts" and params["retry_after"] > 3500
            assert len(outbox(d)) == 2
    finally:
        d.stop()


def test_bad_phone_numbers_are_invalid_and_create_nothing(sms):
    with auth(sms) as a:
        for bad, reason in [("+49 151 abc", "may only contain digits"), ("+1 202 555 0123", "country code +1 are not allowed"),
                            ("+49 900 1234567", "premium-rate"), ("0151 23456789", "needs a country code")]:
            name, params = error_of(a.Register, username="tom", password=STRONG, phone=bad)
            assert name == "io.riegel.Auth.InvalidPhoneNumber" and reason in params["reason"], params
            assert "151" not in params["reason"] and "202" not in params["reason"], "the reason never echoes the number"
        assert outbox(sms) == []
        a.Register(username="tom", password=STRONG)


def test_dead_gateway_is_sms_unavailable_and_creates_nothing(root):
    d = sms_daemon(root, '[sms]\ngateways = ["broken"]\nsend_deadline = "1s"\n'
                         '[sms.gateway.broken]\ntype = "command"\ncommand = ["/bin/false"]\n')
    try:
        with auth(d) as a:
            assert error_of(a.Register, username="tom", password=STRONG, phone=PHONE)[0] == "io.riegel.Auth.SmsUnavailable"
            a.Register(username="tom", password=STRONG)  # the name stayed free
    finally:
        d.stop()


def test_failover_moves_to_the_next_gateway(root):
    d = sms_daemon(root, '[sms]\ngateways = ["broken", "outbox"]\n'
                         '[sms.gateway.broken]\ntype = "command"\ncommand = ["/bin/false"]\n')
    try:
        with auth(d) as a:
            enrol(a, d)
            assert len(outbox(d)) == 1
            assert login_with_code(a, d)["info"]["assurance"] == "second_factor"
    finally:
        d.stop()


def test_enrol_later_step_up_and_disable(sms):
    with auth(sms) as a:
        a.Register(username="max", password=STRONG)
        token = a.Login(username="max", password=STRONG)["session"]["token"]
        assert error_of(a.BeginStepUp, token=token)[0] == "io.riegel.Auth.SecondFactorNotEnrolled"
        assert error_of(a.EnrollPhone, token=token, phone=PHONE, password="Falsch-Falsch-1")[0] == \
            "io.riegel.Auth.InvalidCredentials"
        c = a.EnrollPhone(token=token, phone=PHONE, password=STRONG)["challenge"]
        renewed = a.VerifyChallenge(challenge_id=c["challenge_id"], code=last_code(sms))["session"]
        assert renewed["token"] != token and renewed["info"]["assurance"] == "second_factor"
        assert error_of(a.CheckSession, token=token)[0] == "io.riegel.Auth.InvalidToken"
        token = renewed["token"]
        step = a.BeginStepUp(token=token)["challenge"]
        assert step["purpose"] == "step_up"
        stepped = a.VerifyChallenge(challenge_id=step["challenge_id"], code=last_code(sms))["session"]
        assert stepped["info"]["session_id"] == renewed["info"]["session_id"]
        assert error_of(a.CheckSession, token=token)[0] == "io.riegel.Auth.InvalidToken"
        other = login_with_code(a, sms, "max")
        a.DisableSecondFactor(token=stepped["token"], password=STRONG)
        assert a.CheckSession(token=stepped["token"])["info"]["assurance"] == "password"
        assert error_of(a.CheckSession, token=other["token"]) == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
        assert "session" in a.Login(username="max", password=STRONG)


def test_password_reset_with_second_factor_completes_after_the_code(sms):
    with auth(sms) as a:
        enrol(a, sms)
        reset = a.BeginPasswordReset(username="sofia")["reset_token"]
        c = a.CompletePasswordReset(reset_token=reset, new_password="Ganz-Neu-Und-Lang-7")["challenge"]
        assert c["purpose"] == "password_reset"
        a.VerifyChallenge(challenge_id=c["challenge_id"], code=last_code(sms))
        assert error_of(a.Login, username="sofia", password=STRONG)[0] == "io.riegel.Auth.InvalidCredentials"
        assert login_with_code(a, sms, password="Ganz-Neu-Und-Lang-7")["info"]["assurance"] == "second_factor"
        assert error_of(a.CompletePasswordReset, reset_token=reset, new_password="Noch-Ein-Neues-8")[0] == \
            "io.riegel.Auth.InvalidToken"


def test_sms_stats_show_sends_and_conversion_per_country(sms):
    with auth(sms) as a:
        enrol(a, sms)
        a.Login(username="sofia", password=STRONG)  # sent, never verified
    out = sms.ctl("sms", "stats").stdout
    row = next(line for line in out.splitlines() if line.startswith("+49"))
    assert row.split()[1:4] == ["2", "0", "50%"], out
    replies = json.loads(sms.ctl("sms", "stats", "--json").stdout)
    assert replies["last_day"]["countries"] == [
        {"country_code": "49", "sent": 2, "unsent": 0, "challenges": 2, "verified": 1}]


def test_admin_reset_of_the_second_factor(sms):
    with auth(sms) as a:
        enrol(a, sms)
        session = login_with_code(a, sms)
        sms.ctl("users", "reset-2fa", "sofia", "--reason", "lost phone")
        assert error_of(a.CheckSession, token=session["token"])[0] == "io.riegel.Auth.SessionExpired"
        assert "session" in a.Login(username="sofia", password=STRONG)


@pytest.mark.sqlite_file
def test_database_holds_no_code_and_no_phone_number(sms):
    with auth(sms) as a:
        enrol(a, sms)
        a.Login(username="sofia", password=STRONG)
        codes = [re.findall(r"(?<!\d)\d{6}(?!\d)", m["text"])[0] for m in outbox(sms)]
    raw = b"".join((sms.state / name).read_bytes() for name in os.listdir(sms.state)
                   if name.startswith("riegel.sqlite"))
    for secret in codes + [E164, E164[1:], "23456789"]:
        assert secret.encode() not in raw, f"{secret} found in the database files"
    db = sqlite3.connect(sms.state / "riegel.sqlite")
    assert db.execute("SELECT count(*) FROM sms_outbox WHERE payload IS NOT NULL").fetchone() == (0,), \
        "sent messages keep no payload"


@pytest.mark.sqlite_file
def test_a_code_queued_before_a_crash_is_sent_after_restart(root):
    mark = root / "gateway-started"
    d = sms_daemon(root, '[sms]\ngateways = ["slow"]\nsend_deadline = "60s"\n'
                         '[sms.gateway.slow]\ntype = "command"\ntimeout = "60s"\n'
                         f'command = ["/bin/sh", "-c", "touch {mark}; sleep 60"]\n')
    result = {}

    def register():
        try:
            with auth(d) as a:
                result["reply"] = a.Register(username="sofia", password=STRONG, phone=PHONE)
        except Exception as e:  # the connection dies with the daemon
            result["error"] = e

    t = threading.Thread(target=register)
    t.start()
    deadline = time.monotonic() + 20
    while not mark.exists():
        assert time.monotonic() < deadline, "the gateway never started"
        time.sleep(0.05)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    d.proc = None
    d.logfile.close()
    t.join(10)
    assert "reply" not in result
    d.write_config("")  # back to the outbox gateway
    d.start()
    try:
        deadline = time.monotonic() + 10
        while not outbox(d):
            assert time.monotonic() < deadline, "the queued message was not sent after the restart"
            time.sleep(0.1)
        time.sleep(1.5)
        assert len(outbox(d)) == 1, "sent once"
        db = sqlite3.connect(d.state / "riegel.sqlite")
        [(challenge_id,)] = db.execute("SELECT id FROM sms_challenge").fetchall()
        with auth(d) as a:
            a.VerifyChallenge(challenge_id=challenge_id, code=last_code(d))
            assert "challenge" in a.Login(username="sofia", password=STRONG)
    finally:
        d.stop()


def test_admin_stats_count_accounts_sessions_challenges_sms_and_failed_logins(sms):
    with auth(sms) as a:
        a.Register(username="max", password=STRONG)
        a.Register(username="sofia", password=STRONG, phone=PHONE)  # its enrolment challenge stays pending
        a.Login(username="max", password=STRONG)
        a.Login(username="max", password=STRONG)
        error_of(a.Login, username="max", password="Falsch-Falsch-1")
        error_of(a.Login, username="nobody", password=STRONG)
    with sms.client().open("io.riegel.Admin") as admin:
        assert admin.Stats() == {"accounts": 2, "sessions_active": 2, "challenges_pending": 1,
                                 "sms_sent_last_hour": 1, "logins_failed_last_hour": 2}
