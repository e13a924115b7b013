"""Trusted devices and app keys through the PyPI client (issue 6).

The phone's secure-hardware key is played by Python's `cryptography` package:
it makes a P-256 key, hands riegel the SubjectPublicKeyInfo, and signs the
nonce of BeginDeviceLogin with ECDSA-SHA256. The second factor comes from the
real SMS flow: Register with a phone, the code read from the outbox gateway.
"""
import base64
import json
import re
import time


from riegel_harness import error_of
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

STRONG = "Kl4vier-Sonate-Mond"
PHONE = "+4915112345678"
CLIENT = {"ip": "192.0.2.44", "user_agent": "AnnaApp/3.1 (iPhone)"}


def outbox_lines(daemon):
    path = daemon.state / "sms-outbox.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def code_sent_after(daemon, before):
    """The code of the first SMS written after `before` lines (written before the call replied)."""
    lines = outbox_lines(daemon)
    assert len(lines) > before, "no SMS in the outbox"
    text = json.loads(lines[before])["text"]
    codes = set(re.findall(r"(?<!\d)\d{6}(?!\d)", text))
    assert len(codes) == 1, text
    return codes.pop()


def verify(a, daemon, challenge, before, **kw):
    return a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code_sent_after(daemon, before),
                             client=CLIENT, **kw)


def two_factor_session(a, daemon, name="anna"):
    """Registers `name` with a phone, verifies it by SMS, logs in with password and SMS code."""
    before = len(outbox_lines(daemon))
    reg = a.Register(username=name, password=STRONG, phone=PHONE, client=CLIENT)
    verify(a, daemon, reg["challenge"], before)
    before = len(outbox_lines(daemon))
    login = a.Login(username=name, password=STRONG, client=CLIENT)
    assert "session" not in login or login["session"] is None, "a 2FA account must get a challenge"
    session = verify(a, daemon, login["challenge"], before)["session"]
    assert session["info"]["assurance"] == "second_factor"
    return session


class PhoneKey:
    """The app's P-256 key, as the phone's secure hardware would hold it."""

    def __init__(self, curve=None):
        self.key = ec.generate_private_key(curve or ec.SECP256R1())

    @property
    def spki_b64(self):
        der = self.key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode()

    def sign(self, nonce):
        return base64.b64encode(self.key.sign(nonce.encode(), ec.ECDSA(hashes.SHA256()))).decode()


def device_login(a, device_id, key):
    nonce = a.BeginDeviceLogin(device_id=device_id)["nonce"]
    return a.FinishDeviceLogin(device_id=device_id, nonce=nonce, signature=key.sign(nonce), client=CLIENT)


def test_app_key_enrolled_from_an_sms_session_logs_in_with_a_signed_nonce(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Audit") as audit:
        session = two_factor_session(a, daemon)
        key = PhoneKey()
        device_id = a.EnrollDeviceKey(token=session["token"], public_key=key.spki_b64, label="Anna's iPhone")["device_id"]
        assert re.fullmatch(r"d_[0-9a-f]{32}", device_id)

        devices = a.ListDevices(token=session["token"])["devices"]
        assert [(d["device_id"], d["kind"], d["label"]) for d in devices] == [(device_id, "app_key", "Anna's iPhone")]
        assert devices[0]["created_at"] < devices[0]["expires_at"]

        begun = a.BeginDeviceLogin(device_id=device_id)
        nonce = begun["nonce"]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", nonce), "256 random bits as base64url"
        signature = key.sign(nonce)
        new = a.FinishDeviceLogin(device_id=device_id, nonce=nonce, signature=signature, client=CLIENT)["session"]
        info = new["info"]
        assert info["assurance"] == "second_factor"
        assert info["second_factor_at"] == info["authenticated_at"]
        assert info["session_id"] != session["info"]["session_id"]
        assert a.CheckSession(token=new["token"])["info"]["username"] == "anna"
        assert a.ListDevices(token=new["token"])["devices"][0]["last_used_at"] is not None

        # The same nonce and signature again: single use.
        assert error_of(a.FinishDeviceLogin, device_id=device_id, nonce=nonce, signature=signature,
                        client=CLIENT)[0] == "io.riegel.Auth.ChallengeExpired"

        trail = [r["event"] for r in audit.Query(_more=True) if "event" in r]
        types = [e["type"] for e in trail]
        assert "device.key_enrolled" in types and "device.used" in types
        dump = repr(trail)
        for secret in (nonce, signature, key.spki_b64, session["token"], new["token"]):
            assert secret not in dump, "the audit trail holds a nonce, signature, key or token"


def test_wrong_signatures_are_invalid_signature_until_too_many_attempts(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a:
        session = two_factor_session(a, daemon)
        key, thief = PhoneKey(), PhoneKey()
        device_id = a.EnrollDeviceKey(token=session["token"], public_key=key.spki_b64, label="Phone")["device_id"]
        for _ in range(5):
            assert error_of(device_login, a, device_id, thief)[0] == "io.riegel.Auth.InvalidSignature"
        name, params = error_of(device_login, a, device_id, key)
        assert name == "io.riegel.Auth.TooManyAttempts", "even the right key waits out the delay"
        assert params["retry_after"] >= 1
        time.sleep(params["retry_after"] + 0.2)
        assert device_login(a, device_id, key)["session"]["info"]["assurance"] == "second_factor"


def test_bad_key_or_label_is_a_typed_error_and_enrols_nothing(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a:
        session = two_factor_session(a, daemon)
        token = session["token"]
        p384 = PhoneKey(ec.SECP384R1())
        assert error_of(a.EnrollDeviceKey, token=token, public_key=p384.spki_b64, label="Phone")[0] \
            == "io.riegel.Auth.InvalidPublicKey"
        assert error_of(a.EnrollDeviceKey, token=token, public_key="not base64!", label="Phone")[0] \
            == "io.riegel.Auth.InvalidPublicKey"
        name, params = error_of(a.EnrollDeviceKey, token=token, public_key=PhoneKey().spki_b64, label="Phone\u202e")
        assert name == "io.riegel.Auth.InvalidDeviceLabel" and "U+202E" in params["reason"]
        assert a.ListDevices(token=token)["devices"] == []

        # Without a second factor on the account there is nothing to step up to.
        a.Register(username="bert", password=STRONG, client=CLIENT)
        bert = a.Login(username="bert", password=STRONG, client=CLIENT)["session"]
        assert error_of(a.EnrollDeviceKey, token=bert["token"], public_key=PhoneKey().spki_b64, label="Phone")[0] \
            == "io.riegel.Auth.SecondFactorNotEnrolled"


def test_unknown_device_gets_the_same_nonce_and_answer_as_a_wrong_signature(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a:
        unknown = "d_" + "0" * 32
        begun = a.BeginDeviceLogin(device_id=unknown)
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", begun["nonce"])
        assert error_of(a.FinishDeviceLogin, device_id=unknown, nonce=begun["nonce"],
                        signature=PhoneKey().sign(begun["nonce"]))[0] == "io.riegel.Auth.InvalidSignature"
        assert error_of(a.BeginDeviceLogin, device_id="not-a-device")[0] == "io.riegel.Auth.NoSuchDevice"


def test_revoking_a_device_ends_its_sessions_and_admins_can_revoke_all(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a, c.open("io.riegel.Admin") as admin:
        session = two_factor_session(a, daemon)
        key, second = PhoneKey(), PhoneKey()
        phone = a.EnrollDeviceKey(token=session["token"], public_key=key.spki_b64, label="Phone")["device_id"]
        tablet = a.EnrollDeviceKey(token=session["token"], public_key=second.spki_b64, label="Tablet")["device_id"]
        from_phone = device_login(a, phone, key)["session"]
        assert admin.GetAccount(username="anna")["account"]["devices"] == 2

        # Another user's device id is NoSuchDevice, and nothing changes.
        other = two_factor_session(a, daemon, name="bob")
        assert error_of(a.RevokeDevice, token=other["token"], device_id=phone)[0] == "io.riegel.Auth.NoSuchDevice"
        assert a.CheckSession(token=from_phone["token"])["info"]["assurance"] == "second_factor"

        a.RevokeDevice(token=session["token"], device_id=phone)
        assert error_of(a.CheckSession, token=from_phone["token"]) == \
            ("io.riegel.Auth.SessionExpired", {"reason": "revoked"})
        assert a.CheckSession(token=session["token"])["info"]["assurance"] == "second_factor", \
            "a session not from the device stays"
        assert [d["device_id"] for d in a.ListDevices(token=session["token"])["devices"]] == [tablet]
        assert error_of(device_login, a, phone, key)[0] == "io.riegel.Auth.InvalidSignature"
        assert error_of(a.RevokeDevice, token=session["token"], device_id=phone)[0] == "io.riegel.Auth.NoSuchDevice"

        from_tablet = device_login(a, tablet, second)["session"]
        assert admin.RevokeDevices(username="ANNA") == {"revoked": 1}
        assert admin.GetAccount(username="anna")["account"]["devices"] == 0
        assert error_of(a.CheckSession, token=from_tablet["token"])[0] == "io.riegel.Auth.SessionExpired"
        assert error_of(admin.RevokeDevices, username="nobody")[0] == "io.riegel.Admin.NoSuchAccount"


def test_remembered_browser_skips_the_sms_rotates_its_token_and_a_replay_revokes_it(daemon):
    c = daemon.client()
    with c.open("io.riegel.Auth") as a:
        before = len(outbox_lines(daemon))
        reg = a.Register(username="anna", password=STRONG, phone=PHONE, client=CLIENT)
        verify(a, daemon, reg["challenge"], before)
        before = len(outbox_lines(daemon))
        login = a.Login(username="anna", password=STRONG, client=CLIENT)
        verified = verify(a, daemon, login["challenge"], before, remember_device=True, device_label="Firefox at home")
        first = verified.get("device_token")
        assert first, "remember_device must hand out a device token"
        assert [d["kind"] for d in a.ListDevices(token=verified["session"]["token"])["devices"]] == ["browser"]

        trusted = a.Login(username="anna", password=STRONG, device_token=first, client=CLIENT)
        assert trusted.get("session") and not trusted.get("challenge"), "a trusted device skips the SMS"
        assert trusted["session"]["info"]["assurance"] == "second_factor"
        second = trusted["device_token"]
        assert second and second != first

        replay = a.Login(username="anna", password=STRONG, device_token=first, client=CLIENT)
        assert replay.get("challenge") and not replay.get("session"), "a rotated token is a new device"
        assert error_of(a.CheckSession, token=trusted["session"]["token"])[0] == "io.riegel.Auth.SessionExpired"
        again = a.Login(username="anna", password=STRONG, device_token=second, client=CLIENT)
        assert again.get("challenge"), "the replay revoked the device: its successor is dead too"
