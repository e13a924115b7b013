"""Attacks on trusted devices and phone enrolment, over the socket (issue 11, item 1).

The thief holds Anna's password and a copy of her remembered browser's device
token (a synced browser profile, malware). Anna's phone stays with Anna: codes
are read from the outbox gateway's JSON lines, where her phone would get them,
and only where the story lets the SMS reach whoever is calling.
"""
import json
import re
import time

from riegel_harness import audit_events, error_of
from test_devices import CLIENT, PHONE, STRONG, PhoneKey, device_login, outbox_lines

THIEF_PHONE = "+4917699887766"
THIEF_CLIENT = {"ip": "203.0.113.66", "user_agent": "Mozilla/5.0 (copied profile)"}


def messages(daemon):
    return [json.loads(line) for line in outbox_lines(daemon)]


def code_to(daemon, number, before):
    """The code of the first SMS to `number` written after `before` outbox lines."""
    for m in messages(daemon)[before:]:
        if m["to"] == number:
            codes = set(re.findall(r"(?<!\d)\d{6}(?!\d)", m["text"]))
            assert len(codes) == 1, m["text"]
            return codes.pop()
    raise AssertionError(f"no SMS to {number} after line {before}")


def anna_with_remembered_browser(a, daemon):
    """Anna registers with her phone and logs in once by SMS with remember_device: her browser's token."""
    before = len(outbox_lines(daemon))
    reg = a.Register(username="anna", password=STRONG, phone=PHONE, client=CLIENT)
    a.VerifyChallenge(challenge_id=reg["challenge"]["challenge_id"], code=code_to(daemon, PHONE, before))
    before = len(outbox_lines(daemon))
    login = a.Login(username="anna", password=STRONG, client=CLIENT)
    verified = a.VerifyChallenge(challenge_id=login["challenge"]["challenge_id"], code=code_to(daemon, PHONE, before),
                                 remember_device=True, device_label="Firefox at home", client=CLIENT)
    assert verified["device_token"]
    return verified["device_token"], verified["session"]


def login_with_cookie(a, token, client=CLIENT):
    reply = a.Login(username="anna", password=STRONG, device_token=token, client=client)
    assert reply.get("session") and not reply.get("challenge"), "the device token must skip the SMS"
    return reply["session"], reply["device_token"]


def step_up_by_sms(a, daemon, token):
    """Anna (who has the phone) proves the second factor in this session; returns the renewed session."""
    before = len(outbox_lines(daemon))
    step = a.BeginStepUp(token=token)["challenge"]
    return a.VerifyChallenge(challenge_id=step["challenge_id"], code=code_to(daemon, PHONE, before))["session"]


def phone_change_from_remembered_browser(a, daemon):
    """Anna's remembered browser logs in, steps up by SMS and starts a change
    to THIEF_PHONE: (cookie, stepped-up session, challenge, code sent)."""
    cookie, _ = anna_with_remembered_browser(a, daemon)
    session, _ = login_with_cookie(a, cookie)
    stepped = step_up_by_sms(a, daemon, session["token"])
    before = len(outbox_lines(daemon))
    change = a.EnrollPhone(token=stepped["token"], phone=THIEF_PHONE, password=STRONG)["challenge"]
    return cookie, stepped, change, code_to(daemon, THIEF_PHONE, before)


def phone_on_file_ends_in(a, daemon):
    """The masked number a new login's SMS goes to (the phone on file)."""
    challenge = a.Login(username="anna", password=STRONG, client=CLIENT)["challenge"]
    return challenge["masked_phone"]


# --- a copied cookie plus the password mints no credential -------------------------------------------------


def test_copied_device_cookie_and_password_cannot_enroll_an_app_key(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        cookie, _ = anna_with_remembered_browser(a, daemon)
        thief_session, _ = login_with_cookie(a, cookie, THIEF_CLIENT)
        assert thief_session["info"]["assurance"] == "second_factor", "device trust still logs in (that is its job)"

        thief_key = PhoneKey()
        err = error_of(a.EnrollDeviceKey, token=thief_session["token"], public_key=thief_key.spki_b64,
                       label="Thief's phone")
        assert err[0] == "io.riegel.Auth.StepUpRequired", err
        devices = a.ListDevices(token=thief_session["token"])["devices"]
        assert [d["kind"] for d in devices] == ["browser"], "no app key may be enrolled"

    refused = audit_events(daemon, "credential_change.refused")
    assert [(e["reason"], e["details"]["operation"]) for e in refused] == \
        [("proven_by_trusted_device_only", "enroll_device_key")]


def test_copied_device_cookie_and_password_cannot_move_the_phone_to_the_thiefs_number(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        cookie, _ = anna_with_remembered_browser(a, daemon)
        thief_session, _ = login_with_cookie(a, cookie, THIEF_CLIENT)
        before = len(outbox_lines(daemon))
        err = error_of(a.EnrollPhone, token=thief_session["token"], phone=THIEF_PHONE, password=STRONG)
        assert err[0] == "io.riegel.Auth.StepUpRequired", err
        assert len(outbox_lines(daemon)) == before, "no code may go to the thief's number"
        assert phone_on_file_ends_in(a, daemon) == "+49 *** *** **78", "the phone on file must be Anna's"


def test_copied_device_cookie_and_password_cannot_turn_the_second_factor_off(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        cookie, _ = anna_with_remembered_browser(a, daemon)
        thief_session, _ = login_with_cookie(a, cookie, THIEF_CLIENT)
        err = error_of(a.DisableSecondFactor, token=thief_session["token"], password=STRONG)
        assert err[0] == "io.riegel.Auth.StepUpRequired", err
        assert a.CheckSession(token=thief_session["token"])["info"]["assurance"] == "second_factor"
        assert not a.Login(username="anna", password=STRONG, client=CLIENT).get("session"), \
            "the second factor must still be on"


def test_remembered_browser_enrolls_an_app_key_only_after_an_sms_step_up(daemon):
    """The honest path the rule leaves open: device trust, then a code to the phone on file."""
    with daemon.client().open("io.riegel.Auth") as a:
        cookie, _ = anna_with_remembered_browser(a, daemon)
        session, _ = login_with_cookie(a, cookie)
        stepped = step_up_by_sms(a, daemon, session["token"])
        key = PhoneKey()
        device_id = a.EnrollDeviceKey(token=stepped["token"], public_key=key.spki_b64, label="Anna's iPhone")["device_id"]
        assert device_login(a, device_id, key)["session"]["info"]["assurance"] == "second_factor"
    enrolled = audit_events(daemon, "device.key_enrolled")
    assert enrolled[-1]["details"]["session_id"] == session["info"]["session_id"]
    assert enrolled[-1]["details"]["enrolled_from_device"].startswith("d_"), "the key remembers the browser it came from"


# --- a replayed device token takes what its sessions set up with it ---------------------------------------


def test_replayed_device_token_revokes_app_keys_its_sessions_enrolled_and_is_audited_as_theft(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        cookie, sms_session = anna_with_remembered_browser(a, daemon)
        # Anna's own key, enrolled from her SMS login: no link to the browser.
        own_key = PhoneKey()
        own_id = a.EnrollDeviceKey(token=sms_session["token"], public_key=own_key.spki_b64, label="iPad")["device_id"]

        # A session the copied cookie opened gets an app key enrolled (past a step-up)...
        session, _ = login_with_cookie(a, cookie)
        stepped = step_up_by_sms(a, daemon, session["token"])
        derived_key = PhoneKey()
        derived_id = a.EnrollDeviceKey(token=stepped["token"], public_key=derived_key.spki_b64,
                                       label="Phone")["device_id"]
        # ...and that key's own session enrols one more.
        key_session = device_login(a, derived_id, derived_key)["session"]
        grandchild_key = PhoneKey()
        grandchild_id = a.EnrollDeviceKey(token=key_session["token"], public_key=grandchild_key.spki_b64,
                                          label="Tablet")["device_id"]

        # The other holder of the cookie presents the already rotated token: a replay.
        replay = a.Login(username="anna", password=STRONG, device_token=cookie, client=THIEF_CLIENT)
        assert replay.get("challenge") and not replay.get("session")

        for device_id, key in ((derived_id, derived_key), (grandchild_id, grandchild_key)):
            assert error_of(device_login, a, device_id, key)[0] == "io.riegel.Auth.InvalidSignature", \
                "an app key enrolled from the stolen device's sessions must be revoked"
        for token in (stepped["token"], key_session["token"]):
            assert error_of(a.CheckSession, token=token)[0] == "io.riegel.Auth.SessionExpired"
        assert device_login(a, own_id, own_key)["session"], "a key enrolled from an SMS login stays"

    theft = audit_events(daemon, "device.theft_suspected")
    assert len(theft) == 1 and theft[0]["outcome"] == "failure", theft
    assert theft[0]["details"]["derived_devices_revoked"] == "2"
    assert set(theft[0]["details"]["derived_device_ids"].split(",")) == {derived_id, grandchild_id}
    reasons = {e["details"]["device_id"]: e["reason"] for e in audit_events(daemon, "device.revoked")}
    assert reasons[derived_id] == reasons[grandchild_id] == "derived_from_stolen_device"


def test_replayed_device_token_drops_a_phone_change_its_session_started(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        cookie, _, change, code = phone_change_from_remembered_browser(a, daemon)

        a.Login(username="anna", password=STRONG, device_token=cookie, client=CLIENT)  # the replay

        err = error_of(a.VerifyChallenge, challenge_id=change["challenge_id"], code=code)
        assert err[0] == "io.riegel.Auth.ChallengeExpired", err
        assert phone_on_file_ends_in(a, daemon) == "+49 *** *** **78", "the pending change must not take effect"
    dropped = audit_events(daemon, "second_factor.enrolment_dropped")
    assert [e["reason"] for e in dropped] == ["session_ended"]
    assert not audit_events(daemon, "second_factor.phone_changed")


# --- a phone change says what it did, and the old number hears of it --------------------------------------


def test_phone_change_from_a_remembered_browser_answers_that_the_phone_changed_and_the_session_ended(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        _, stepped, change, code = phone_change_from_remembered_browser(a, daemon)
        reply = a.VerifyChallenge(challenge_id=change["challenge_id"], code=code)
        assert reply.get("session") is None, "the session came from a device the change revoked"
        assert reply["phone_enrolment"] == {"masked_phone": "+49 *** *** **66", "replaced": True,
                                            "session_kept": False}
        assert error_of(a.CheckSession, token=stepped["token"])[0] == "io.riegel.Auth.SessionExpired"
        assert phone_on_file_ends_in(a, daemon) == "+49 *** *** **66"


def test_phone_change_from_an_sms_session_keeps_the_session_and_says_so(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        _, sms_session = anna_with_remembered_browser(a, daemon)
        before = len(outbox_lines(daemon))
        change = a.EnrollPhone(token=sms_session["token"], phone=THIEF_PHONE, password=STRONG)["challenge"]
        reply = a.VerifyChallenge(challenge_id=change["challenge_id"], code=code_to(daemon, THIEF_PHONE, before))
        assert reply["phone_enrolment"] == {"masked_phone": "+49 *** *** **66", "replaced": True, "session_kept": True}
        renewed = reply["session"]
        assert renewed["info"]["session_id"] == sms_session["info"]["session_id"]
        assert a.CheckSession(token=renewed["token"])["info"]["assurance"] == "second_factor"


def test_phone_change_is_announced_to_the_old_number(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        _, sms_session = anna_with_remembered_browser(a, daemon)
        before = len(outbox_lines(daemon))
        change = a.EnrollPhone(token=sms_session["token"], phone=THIEF_PHONE, password=STRONG)["challenge"]
        a.VerifyChallenge(challenge_id=change["challenge_id"], code=code_to(daemon, THIEF_PHONE, before))
        deadline = time.monotonic() + 10
        notices = []
        while time.monotonic() < deadline and not notices:
            notices = [m for m in messages(daemon)[before:] if m["to"] == PHONE]
            time.sleep(0.1)
        assert len(notices) == 1, "the old number must get exactly one notice"
        assert "changed" in notices[0]["text"] or "geändert" in notices[0]["text"], notices[0]["text"]
        assert not re.search(r"\d", notices[0]["text"]), "a notice carries no code and no digits"
    queued = audit_events(daemon, "sms.notice_queued")
    assert [(e["reason"], e["details"]["phone"]) for e in queued] == [("phone_changed", "+49***78")]
    dump = repr(queued)
    assert PHONE not in dump and THIEF_PHONE not in dump
    # Security rule 9: the change is audited with both numbers masked, and no
    # full number (as typed or as E.164) is anywhere in the trail.
    [changed] = audit_events(daemon, "second_factor.phone_changed")
    assert changed["details"]["old_phone"].startswith("+49***") and changed["details"]["phone"].startswith("+49***")
    with daemon.client().open("io.riegel.Audit") as audit:
        trail = repr([r for r in audit.Query(_more=True)])
    for number in (PHONE, THIEF_PHONE):
        assert number not in trail and number.replace(" ", "") not in trail
