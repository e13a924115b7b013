"""AuthorizeAccess through the PyPI client: resource classes, typed errors and the audit trail (issue 7)."""
import json
import re
import signal
import time

import pytest

from riegel_harness import Daemon, error_of

STRONG = "Kl4vier-Sonate-Mond"
CLIENT = {"ip": "192.0.2.77", "user_agent": "access-it"}

EXTRA = (
    "[resource_class.newsletter]\n"
    "second_factor = false\n"
    "[resource_class.claims]\n"
    "second_factor = true\n"
)


PHONE = "+49 151 23456789"


@pytest.fixture
def access_daemon(root):
    d = Daemon(root, extra_config=EXTRA).start()
    yield d
    if d.proc is not None:
        rc = d.stop()
        assert rc == 0, f"riegeld exited {rc} on SIGTERM; log:\n{d.log_text()}"
    d.notify.close()


def password_session(a, name="hanna"):
    uid = a.Register(username=name, password=STRONG)["user_id"]
    return uid, a.Login(username=name, password=STRONG, client=CLIENT)["session"]


def access_events(audit):
    return [r["event"] for r in audit.Query(filter={"types": ["access.granted", "access.denied"]}, _more=True)
            if "event" in r]


def test_password_only_account_gets_standard_and_is_pointed_to_enrolment(access_daemon):
    c = access_daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        uid, s = password_session(a)
        token = s["token"]
        assert a.AuthorizeAccess(token=token, resource_class="standard", resource_id="doc-1", client=CLIENT) \
            == {"granted": True}
        assert error_of(a.AuthorizeAccess, token=token, resource_class="health_document", resource_id="befund-7",
                        client=CLIENT) == ("io.riegel.Auth.SecondFactorNotEnrolled", {})
        assert error_of(a.AuthorizeAccess, token=token, resource_class="x_ray", resource_id="r-1") \
            == ("io.riegel.Auth.UnknownResourceClass", {"resource_class": "x_ray"})
        # Classes from the config: one without a second factor is granted, one with it needs enrolment.
        assert a.AuthorizeAccess(token=token, resource_class="newsletter") == {"granted": True}
        assert error_of(a.AuthorizeAccess, token=token, resource_class="claims")[0] \
            == "io.riegel.Auth.SecondFactorNotEnrolled"

        got = access_events(audit)
        assert [(e["type"], e["outcome"], e["reason"], e["details"].get("resource_class"),
                 e["details"].get("resource_id")) for e in got] == [
            ("access.granted", "success", "password_suffices", "standard", "doc-1"),
            ("access.denied", "failure", "second_factor_not_enrolled", "health_document", "befund-7"),
            ("access.denied", "failure", "unknown_resource_class", "x_ray", "r-1"),
            ("access.granted", "success", "password_suffices", "newsletter", None),
            ("access.denied", "failure", "second_factor_not_enrolled", "claims", None),
        ]
        assert all(e["user_id"] == uid and e["username"] == "hanna" for e in got)
        assert all(e["details"]["session_id"] == s["info"]["session_id"] for e in got)
        assert got[0]["client_ip"] == "192.0.2.77" and got[0]["user_agent"] == "access-it"
        dumped = json.dumps([r for r in audit.Query(_more=True)])
        assert token not in dumped


@pytest.mark.parametrize("bad_id", ["", "x" * 257, "doc\n1", "doc\x00", "doc\u202efdp.exe", "a\u2028b"])
def test_bad_resource_id_is_a_typed_error_and_records_nothing(access_daemon, bad_id):
    c = access_daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        _, s = password_session(a)
        before = [e["seq"] for e in (r["event"] for r in audit.Query(_more=True) if "event" in r)]
        name, params = error_of(a.AuthorizeAccess, token=s["token"], resource_class="standard", resource_id=bad_id)
        assert name == "io.riegel.Auth.InvalidResourceID"
        assert params["reason"] and (bad_id == "" or bad_id not in params["reason"])
        after = [e["seq"] for e in (r["event"] for r in audit.Query(_more=True) if "event" in r)]
        assert after == before
        # The same call with a good id still works.
        assert a.AuthorizeAccess(token=s["token"], resource_class="standard", resource_id="doc-1")["granted"] is True


def test_session_errors_come_through(access_daemon):
    with access_daemon.client().open("io.riegel.Auth") as a:
        assert error_of(a.AuthorizeAccess, token="not-a-token", resource_class="standard")[0] \
            == "io.riegel.Auth.InvalidToken"
        _, s = password_session(a)
        a.Logout(token=s["token"])
        assert error_of(a.AuthorizeAccess, token=s["token"], resource_class="standard") \
            == ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})


def test_riegelctl_audit_query_shows_the_decisions(access_daemon):
    with access_daemon.client().open("io.riegel.Auth") as a:
        _, s = password_session(a, "ida")
        a.AuthorizeAccess(token=s["token"], resource_class="standard", resource_id="doc-9")
        error_of(a.AuthorizeAccess, token=s["token"], resource_class="health_document", resource_id="befund-9")
    denied = access_daemon.ctl("audit", "query", "--type", "access.denied", "--json").stdout.splitlines()
    assert len(denied) == 1
    event = json.loads(denied[0])
    assert event["reason"] == "second_factor_not_enrolled"
    assert event["details"]["resource_class"] == "health_document"
    assert event["details"]["resource_id"] == "befund-9"
    text = access_daemon.ctl("audit", "query", "--user", "ida").stdout
    assert "access.granted" in text and "access.denied" in text


def test_reload_applies_new_resource_classes(access_daemon):
    with access_daemon.client().open("io.riegel.Auth") as a:
        _, s = password_session(a)
        assert error_of(a.AuthorizeAccess, token=s["token"], resource_class="invoice")[0] \
            == "io.riegel.Auth.UnknownResourceClass"
        access_daemon.write_config(EXTRA + "[resource_class.invoice]\nsecond_factor = false\n")
        access_daemon.notify.messages.clear()
        access_daemon.proc.send_signal(signal.SIGHUP)
        access_daemon.notify.wait_for("READY=1", timeout=10)
        assert a.AuthorizeAccess(token=s["token"], resource_class="invoice") == {"granted": True}
        # A broken class name is refused at reload; the classes in force stay.
        access_daemon.write_config(EXTRA + "[resource_class.Invoice]\nsecond_factor = false\n")
        access_daemon.notify.messages.clear()
        access_daemon.proc.send_signal(signal.SIGHUP)
        access_daemon.notify.wait_for("READY=1", timeout=10)
        assert any("reload failed" in l for l in access_daemon.notify.lines() if l.startswith("STATUS="))
        assert a.AuthorizeAccess(token=s["token"], resource_class="invoice") == {"granted": True}


# --- the elevated path: needs the SMS second factor (codes from the outbox) ---------


def last_code(daemon):
    """The code of the newest SMS in the outbox (written before the call that sent it replied)."""
    lines = (daemon.state / "sms-outbox.jsonl").read_text().splitlines()
    message = json.loads(lines[-1])
    assert message["to"] == PHONE.replace(" ", "")
    codes = set(re.findall(r"(?<!\d)\d{6}(?!\d)", message["text"]))
    assert len(codes) == 1, message
    return codes.pop()


def test_step_up_then_granted_with_a_renewed_token(root):
    # A 2FA account has no password-only sessions (turning the factor on ends
    # them, issue 11), so the proof here is an SMS login gone stale.
    access_daemon = Daemon(root, extra_config=EXTRA + '[resource_class.health_document]\nsecond_factor_max_age = "2s"\n')
    access_daemon.start()
    try:
        stale_proof_steps_up(access_daemon)
    finally:
        assert access_daemon.stop() == 0, access_daemon.log_text()
        access_daemon.notify.close()


def stale_proof_steps_up(access_daemon):
    c = access_daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        enrol = a.Register(username="greta", password=STRONG, phone=PHONE)["challenge"]
        a.VerifyChallenge(challenge_id=enrol["challenge_id"], code=last_code(access_daemon))
        login = a.Login(username="greta", password=STRONG)["challenge"]
        first = a.VerifyChallenge(challenge_id=login["challenge_id"], code=last_code(access_daemon))["session"]
        time.sleep(2.2)

        token = first["token"]
        assert error_of(a.AuthorizeAccess, token=token, resource_class="health_document", resource_id="befund-1") \
            == ("io.riegel.Auth.StepUpRequired", {})
        step_up = a.BeginStepUp(token=token)["challenge"]
        assert step_up["purpose"] == "step_up"
        renewed = a.VerifyChallenge(challenge_id=step_up["challenge_id"], code=last_code(access_daemon))["session"]
        assert renewed["token"] != token
        assert renewed["info"]["session_id"] == first["info"]["session_id"]
        assert renewed["info"]["assurance"] == "second_factor" and renewed["info"]["second_factor_at"]
        # The portal swaps its cookie: the old token is dead, the new one opens the document.
        assert error_of(a.AuthorizeAccess, token=token, resource_class="health_document")[0] \
            == "io.riegel.Auth.InvalidToken"
        assert a.AuthorizeAccess(token=renewed["token"], resource_class="health_document", resource_id="befund-1") \
            == {"granted": True}
        # Turning the second factor off ends the elevation: back to the activation link.
        a.DisableSecondFactor(token=renewed["token"], password=STRONG)
        assert error_of(a.AuthorizeAccess, token=renewed["token"], resource_class="health_document")[0] \
            == "io.riegel.Auth.SecondFactorNotEnrolled"
        assert a.AuthorizeAccess(token=renewed["token"], resource_class="standard") == {"granted": True}

        got = [(e["type"], e["reason"], e["details"]["session_id"]) for e in access_events(audit)]
        sid = first["info"]["session_id"]
        assert got == [
            ("access.denied", "second_factor_too_old", sid),
            ("access.granted", "second_factor_proven", sid),
            ("access.denied", "second_factor_not_enrolled", sid),
            ("access.granted", "password_suffices", sid),
        ]
        dumped = json.dumps([r for r in audit.Query(_more=True)])
        assert token not in dumped and renewed["token"] not in dumped


def test_proof_decays_after_max_age_whatever_the_activity(root):
    d = Daemon(root, extra_config='[resource_class.health_document]\nsecond_factor_max_age = "2s"\n').start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            enrol = a.Register(username="hilde", password=STRONG, phone=PHONE)["challenge"]
            assert "session" not in a.VerifyChallenge(challenge_id=enrol["challenge_id"], code=last_code(d))
            challenge = a.Login(username="hilde", password=STRONG)["challenge"]
            session = a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=last_code(d))["session"]
            # An SMS login counts as proven at login time.
            assert a.AuthorizeAccess(token=session["token"], resource_class="health_document") == {"granted": True}
            deadline = time.monotonic() + 2.2
            while time.monotonic() < deadline:  # activity keeps the session, not the proof
                a.CheckSession(token=session["token"])
                time.sleep(0.3)
            assert error_of(a.AuthorizeAccess, token=session["token"], resource_class="health_document")[0] \
                == "io.riegel.Auth.StepUpRequired"
            step_up = a.BeginStepUp(token=session["token"])["challenge"]
            renewed = a.VerifyChallenge(challenge_id=step_up["challenge_id"], code=last_code(d))["session"]
            assert a.AuthorizeAccess(token=renewed["token"], resource_class="health_document") == {"granted": True}
    finally:
        assert d.stop() == 0, d.log_text()
        d.notify.close()
