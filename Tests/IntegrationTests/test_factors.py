"""Authenticator apps (TOTP) and recovery codes through the PyPI varlink
client against a real riegeld (issue 16).

App codes come from the PyPI `pyotp` package and Debian's `oathtool`, as a
user's authenticator app would make them; SMS codes are read from the outbox
gateway, where a user's phone would get them. Each test uses at most three
steps' codes (the one before, now, the one after: the accepted window), and
starts a sequence away from a step boundary so the window cannot move under it."""
import base64
import os
import re
import subprocess
import threading
import time
import urllib.parse

import pyotp
import pytest

from riegel_harness import RIEGELCTL, Daemon, audit_events, auth, error_of
from test_sms import E164, PHONE, STRONG, last_code, outbox, wrong


@pytest.fixture
def fd(root):
    d = Daemon(root, extra_config='[factors]\ntotp_issuer = "Nordversicherung"\n').start()
    yield d
    if d.proc is not None:
        assert d.stop() == 0, d.log_text()
    d.notify.close()


def settle():
    """Waits out the last seconds of a 30 s step, so the codes a test makes
    next are judged in the step they were made for."""
    left = 30 - time.time() % 30
    if left < 6:
        time.sleep(left + 0.2)


def code_at(secret, offset_steps=0):
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def oathtool(secret, offset_steps=0):
    when = int(time.time()) + 30 * offset_steps
    cp = subprocess.run(["oathtool", "--totp", "-b", "-N", f"@{when}", secret], capture_output=True, text=True,
                        check=True)
    return cp.stdout.strip()


def password_session(a, name="tara"):
    a.Register(username=name, password=STRONG)
    return a.Login(username=name, password=STRONG)["session"]


def with_app(a, name="tara", label="Phone"):
    """Registers `name` and confirms an app with the previous step's code;
    returns (renewed session, secret, factor_id)."""
    session = password_session(a, name)
    e = a.EnrollFactor(token=session["token"], password=STRONG, kind="totp", label=label)
    settle()
    renewed = a.ConfirmFactor(token=session["token"], factor_id=e["factor_id"],
                              code=code_at(e["secret"], -1))["session"]
    return renewed, e["secret"], e["factor_id"]


def test_enrolment_gives_an_otpauth_uri_that_pyotp_reads_and_its_code_turns_the_app_on(fd):
    with auth(fd) as a:
        session = password_session(a)
        e = a.EnrollFactor(token=session["token"], password=STRONG, kind="totp", label="Phone")
        assert set(e) == {"factor_id", "secret", "uri"}
        parsed = pyotp.parse_uri(e["uri"])
        assert parsed.secret == e["secret"] and parsed.issuer == "Nordversicherung" and parsed.name == "tara"
        assert parsed.digits == 6 and parsed.interval == 30
        assert urllib.parse.urlparse(e["uri"]).path == "/Nordversicherung:tara"
        assert a.ListFactors(token=session["token"]) == {"factors": []}, "not before the first code"
        assert "session" in a.Login(username="tara", password=STRONG), "the app is not a factor yet"
        settle()
        reply = a.ConfirmFactor(token=session["token"], factor_id=e["factor_id"], code=pyotp.TOTP(e["secret"]).now())
        renewed = reply["session"]
        assert renewed["info"]["assurance"] == "second_factor" and renewed["token"] != session["token"]
        assert error_of(a.CheckSession, token=session["token"])[0] == "io.riegel.Auth.InvalidToken", \
            "the renewed session's old token stops working"
        [factor] = a.ListFactors(token=renewed["token"])["factors"]
        assert factor["kind"] == "totp" and factor["label"] == "Phone" and factor["factor_id"] == e["factor_id"]
        assert "created_at" in factor and "last_used_at" in factor and "secret" not in factor
    [enabled] = audit_events(fd, "second_factor.enabled")
    assert enabled["details"]["factor"] == "totp"


def test_login_with_a_pyotp_code_then_an_oathtool_code_and_a_replay_is_refused(fd):
    with auth(fd) as a:
        _, secret, _ = with_app(a)
        c = a.Login(username="tara", password=STRONG)["challenge"]
        assert c["factor"] == "totp" and c["factors"] == ["totp"] and c["purpose"] == "login"
        assert "masked_phone" not in c and outbox(fd) == []
        code = pyotp.TOTP(secret).now()
        session = a.VerifyChallenge(challenge_id=c["challenge_id"], code=code)["session"]
        assert session["info"]["assurance"] == "second_factor"
        c2 = a.Login(username="tara", password=STRONG)["challenge"]
        assert error_of(a.VerifyChallenge, challenge_id=c2["challenge_id"], code=code) == \
            ("io.riegel.Auth.CodeAlreadyUsed", {})
        # oathtool's code for the next step (one step of skew) is accepted.
        nxt = oathtool(secret, 1)
        assert nxt == code_at(secret, 1), "oathtool and pyotp agree"
        assert "session" in a.VerifyChallenge(challenge_id=c2["challenge_id"], code=nxt)
        assert error_of(a.ResendChallenge, challenge_id=c2["challenge_id"])[0] == \
            "io.riegel.Auth.ChallengeNotResendable"


def test_an_oathtool_code_confirms_an_enrolment(fd):
    with auth(fd) as a:
        session = password_session(a)
        e = a.EnrollFactor(token=session["token"], password=STRONG, kind="totp")
        settle()
        renewed = a.ConfirmFactor(token=session["token"], factor_id=e["factor_id"], code=oathtool(e["secret"]))
        assert renewed["session"]["info"]["assurance"] == "second_factor"
        assert [f["label"] for f in a.ListFactors(token=renewed["session"]["token"])["factors"]] == \
            ["Authenticator app"]


def test_a_code_used_by_parallel_requests_opens_one_session(fd):
    with auth(fd) as a:
        _, secret, _ = with_app(a)
        challenges = [a.Login(username="tara", password=STRONG)["challenge"]["challenge_id"] for _ in range(6)]
    code = pyotp.TOTP(secret).now()
    results = []

    def attempt(cid):
        with auth(fd) as b:
            try:
                results.append(("ok", b.VerifyChallenge(challenge_id=cid, code=code)))
            except Exception as error:  # noqa: BLE001 - the error's name is the result
                results.append(("error", error.error() if hasattr(error, "error") else repr(error)))

    threads = [threading.Thread(target=attempt, args=(cid,)) for cid in challenges]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r[0] for r in results].count("ok") == 1, results
    assert {r[1] for r in results if r[0] == "error"} == {"io.riegel.Auth.CodeAlreadyUsed"}


def test_bad_input_is_a_typed_error_that_changes_nothing(fd):
    with auth(fd) as a:
        session, secret, factor_id = with_app(a)
        token = session["token"]
        c = a.Login(username="tara", password=STRONG)["challenge"]
        for bad in ["12345", "1234567", "12a456"]:
            assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=bad) == \
                ("io.riegel.Auth.MalformedCode", {"reason": "a code is 6 digits"})
        # A code from the wrong step (three steps ahead) is a wrong code: counted.
        assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=code_at(secret, 3)) == \
            ("io.riegel.Auth.InvalidCode", {"attempts_left": 4})
        assert error_of(a.ConfirmFactor, token=token, factor_id="f_" + "0" * 32, code=code_at(secret)) == \
            ("io.riegel.Auth.NoSuchFactor", {})
        assert error_of(a.ConfirmFactor, token=token, factor_id=factor_id, code=code_at(secret)) == \
            ("io.riegel.Auth.NoPendingEnrolment", {})
        assert error_of(a.EnrollFactor, token=token, password=STRONG, kind="totp", label="Phone") == \
            ("io.riegel.Auth.FactorLabelTaken", {})
        assert error_of(a.RemoveFactor, token=token, factor_id="f_nothing", password=STRONG) == \
            ("io.riegel.Auth.NoSuchFactor", {})
        assert error_of(a.BeginChallenge, challenge_id=c["challenge_id"], factor="sms") == \
            ("io.riegel.Auth.NoSuchFactor", {})
        assert [f["factor_id"] for f in a.ListFactors(token=token)["factors"]] == [factor_id], "nothing changed"
        # The challenge still works with the right code.
        assert "session" in a.VerifyChallenge(challenge_id=c["challenge_id"], code=code_at(secret))


def test_mixed_factors_the_portal_lets_the_user_choose_sms(fd):
    with auth(fd) as a:
        session, secret, _ = with_app(a)
        enrol = a.EnrollPhone(token=session["token"], phone=PHONE, password=STRONG)["challenge"]
        assert enrol["factor"] == "sms" and enrol["masked_phone"] == "+49 *** *** **89"
        assert "factors" not in enrol, "an enrolment offers no other factor"
        session = a.VerifyChallenge(challenge_id=enrol["challenge_id"], code=last_code(fd))["session"]
        assert [f["kind"] for f in a.ListFactors(token=session["token"])["factors"]] == ["sms", "totp"]
        c = a.Login(username="tara", password=STRONG)["challenge"]
        assert c["factor"] == "totp" and c["factors"] == ["totp", "sms"]
        sent = len(outbox(fd))
        by_sms = a.BeginChallenge(challenge_id=c["challenge_id"], factor="sms")["challenge"]
        assert by_sms["factor"] == "sms" and by_sms["masked_phone"] == "+49 *** *** **89"
        assert len(outbox(fd)) == sent + 1 and outbox(fd)[-1]["to"] == E164
        login = a.VerifyChallenge(challenge_id=by_sms["challenge_id"], code=last_code(fd))["session"]
        assert login["info"]["assurance"] == "second_factor"
        # The first challenge is still good for the app's code.
        assert "session" in a.VerifyChallenge(challenge_id=c["challenge_id"], code=code_at(secret))


def test_step_up_with_the_app(fd):
    with auth(fd) as a:
        session, secret, _ = with_app(a)
        before = a.CheckSession(token=session["token"])["info"]["second_factor_at"]
        time.sleep(1.1)
        c = a.BeginStepUp(token=session["token"], factor="totp")["challenge"]
        assert c["purpose"] == "step_up" and c["factor"] == "totp"
        raised = a.VerifyChallenge(challenge_id=c["challenge_id"], code=code_at(secret))["session"]
        assert raised["info"]["session_id"] == session["info"]["session_id"]
        assert raised["info"]["second_factor_at"] > before
        assert a.AuthorizeAccess(token=raised["token"], resource_class="health_document",
                                 resource_id="doc-1") == {"granted": True}
        assert error_of(a.BeginStepUp, token=raised["token"], factor="sms") == ("io.riegel.Auth.NoSuchFactor", {})
        # Without a factor argument: the default (the app), as old clients call it.
        assert a.BeginStepUp(token=raised["token"])["challenge"]["factor"] == "totp"


def test_recovery_codes_log_in_once_each_and_a_new_set_replaces_the_old(fd):
    with auth(fd) as a:
        session, secret, _ = with_app(a)
        enrol = a.EnrollPhone(token=session["token"], phone=PHONE, password=STRONG)["challenge"]
        session = a.VerifyChallenge(challenge_id=enrol["challenge_id"], code=last_code(fd))["session"]
        reply = a.EnrollFactor(token=session["token"], password=STRONG, kind="recovery_code")
        codes = reply["recovery_codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
        [recovery] = [f for f in a.ListFactors(token=session["token"])["factors"] if f["kind"] == "recovery_code"]
        assert recovery["codes_left"] == 10
        c = a.Login(username="tara", password=STRONG, client={"language": "en"})["challenge"]
        assert c["factors"] == ["totp", "sms", "recovery_code"]
        by_code = a.BeginChallenge(challenge_id=c["challenge_id"], factor="recovery_code")["challenge"]
        sent = len(outbox(fd))
        login = a.VerifyChallenge(challenge_id=by_code["challenge_id"], code=codes[0].upper())["session"]
        assert login["info"]["assurance"] == "second_factor"
        time.sleep(1.5)  # the dispatcher sends the notice in its next pass
        notices = outbox(fd)[sent:]
        assert [n["to"] for n in notices] == [E164] and "recovery code was used" in notices[0]["text"]
        again = a.BeginChallenge(challenge_id=a.Login(username="tara", password=STRONG)["challenge"]["challenge_id"],
                                 factor="recovery_code")["challenge"]
        assert error_of(a.VerifyChallenge, challenge_id=again["challenge_id"], code=codes[0]) == \
            ("io.riegel.Auth.InvalidCode", {"attempts_left": 4})
        assert error_of(a.VerifyChallenge, challenge_id=again["challenge_id"], code="abc")[0] == \
            "io.riegel.Auth.MalformedCode"
        fresh = a.VerifyChallenge(challenge_id=again["challenge_id"], code=codes[1])["session"]
        [recovery] = [f for f in a.ListFactors(token=fresh["token"])["factors"] if f["kind"] == "recovery_code"]
        assert recovery["codes_left"] == 8
        new = a.EnrollFactor(token=fresh["token"], password=STRONG, kind="recovery_code")["recovery_codes"]
        third = a.BeginChallenge(challenge_id=a.Login(username="tara", password=STRONG)["challenge"]["challenge_id"],
                                 factor="recovery_code")["challenge"]
        assert error_of(a.VerifyChallenge, challenge_id=third["challenge_id"], code=codes[2])[0] == \
            "io.riegel.Auth.InvalidCode", "the old set stopped working"
        assert "session" in a.VerifyChallenge(challenge_id=third["challenge_id"], code=new[0])
    used = audit_events(fd, "factor.recovery_code_used")
    assert [e["details"]["codes_left"] for e in used] == ["9", "8", "9"]


def test_wrong_app_codes_lock_sms_codes_too(fd):
    with auth(fd) as a:
        session, secret, _ = with_app(a)
        enrol = a.EnrollPhone(token=session["token"], phone=PHONE, password=STRONG)["challenge"]
        a.VerifyChallenge(challenge_id=enrol["challenge_id"], code=last_code(fd))
        bad = code_at(secret, 5)
        c = a.Login(username="tara", password=STRONG)["challenge"]
        for left in [4, 3, 2, 1]:
            assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=bad) == \
                ("io.riegel.Auth.InvalidCode", {"attempts_left": left})
        # Each wrong app code was compared with three valid ones (one step of skew
        # either way) and counts three: 12 of the budget of 10, locked.
        assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=bad)[0] == \
            "io.riegel.Auth.TooManyAttempts"
        c = a.Login(username="tara", password=STRONG)["challenge"]
        by_sms = a.BeginChallenge(challenge_id=c["challenge_id"], factor="sms")["challenge"]
        assert error_of(a.VerifyChallenge, challenge_id=by_sms["challenge_id"], code=last_code(fd))[0] == \
            "io.riegel.Auth.TooManyAttempts"
    assert audit_events(fd, "second_factor.locked")


def test_removing_the_last_factor_turns_the_second_factor_off_and_admin_reset_removes_all(fd):
    with auth(fd) as a:
        session, secret, factor_id = with_app(a)
        a.EnrollFactor(token=session["token"], password=STRONG, kind="recovery_code")
        other = a.VerifyChallenge(challenge_id=a.Login(username="tara", password=STRONG)["challenge"]["challenge_id"],
                                  code=code_at(secret))["session"]
        a.RemoveFactor(token=session["token"], factor_id=factor_id, password=STRONG)
        assert a.ListFactors(token=session["token"]) == {"factors": []}, "recovery codes went with the app"
        assert error_of(a.CheckSession, token=other["token"])[0] == "io.riegel.Auth.SessionExpired"
        assert a.CheckSession(token=session["token"])["info"]["assurance"] == "password"
        assert "session" in a.Login(username="tara", password=STRONG)
        # An app again, then the admin's reset.
        e = a.EnrollFactor(token=session["token"], password=STRONG, kind="totp", label="Tablet")
        renewed = a.ConfirmFactor(token=session["token"], factor_id=e["factor_id"], code=code_at(e["secret"], 1))
        fd.ctl("users", "reset-2fa", "tara", "--reason", "lost phone and tablet")
        assert error_of(a.CheckSession, token=renewed["session"]["token"])[0] == "io.riegel.Auth.SessionExpired"
        assert "session" in a.Login(username="tara", password=STRONG)


def test_riegelctl_prints_the_enrolment_uri_as_a_qr_code(fd):
    with auth(fd) as a:
        session = password_session(a)
        uri = a.EnrollFactor(token=session["token"], password=STRONG, kind="totp")["uri"]
    cp = subprocess.run([str(RIEGELCTL), "factors", "qr"], input=uri + "\n", capture_output=True, text=True,
                        check=True)
    lines = cp.stdout.splitlines()
    assert len(lines) > 20 and all("█" in line or "▀" in line or "▄" in line or line.strip() == "" for line in lines)
    assert uri not in cp.stdout and uri not in cp.stderr
    reference = subprocess.run(["qrencode", "-t", "UTF8", "-o", "-"], input=uri, capture_output=True, text=True,
                               check=True).stdout
    assert cp.stdout == reference, "the same symbol qrencode draws for the URI"
    bad = subprocess.run([str(RIEGELCTL), "factors", "qr"], input="https://example.org/\n", capture_output=True,
                         text=True)
    assert bad.returncode != 0 and "otpauth://totp/" in bad.stderr


def test_database_holds_no_app_secret_and_no_recovery_code(fd):
    with auth(fd) as a:
        session, secret, _ = with_app(a)
        codes = a.EnrollFactor(token=session["token"], password=STRONG, kind="recovery_code")["recovery_codes"]
        a.VerifyChallenge(challenge_id=a.Login(username="tara", password=STRONG)["challenge"]["challenge_id"],
                          code=code_at(secret))
    raw = b"".join((fd.state / name).read_bytes() for name in os.listdir(fd.state) if name.startswith("riegel.sqlite"))
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    assert len(key) == 20
    for needle in [key, secret.encode(), secret.lower().encode(), key.hex().encode()]:
        assert needle not in raw, "the app's secret is in the database in clear"
    for code in codes:
        assert code.encode() not in raw and code.replace("-", "").encode() not in raw
    assert b"otpauth" not in raw
