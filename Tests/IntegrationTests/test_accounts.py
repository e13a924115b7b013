"""Accounts and passwords through the PyPI varlink client against a real riegeld (issue 3)."""
import pytest
import os
import re
import subprocess


from riegel_harness import STORAGE, Daemon, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
CLIENT = {"ip": "192.0.2.10", "user_agent": "pytest"}


def test_register_login_check_logout_flow(daemon):
    with auth(daemon) as a:
        uid = a.Register(username="Erika.Muster", password=STRONG, email="erika@example.org", client=CLIENT)["user_id"]
        assert re.fullmatch(r"u_[0-9a-f]{32}", uid)
        # Case-insensitive login name, NFC and all.
        s = a.Login(username="erika.muster", password=STRONG, client=CLIENT)["session"]
        assert len(s["token"]) == 43
        info = s["info"]
        assert info["user_id"] == uid and info["username"] == "Erika.Muster"
        assert info["assurance"] == "password"
        checked = a.CheckSession(token=s["token"])["info"]
        assert checked["session_id"] == info["session_id"]


def test_unknown_user_and_wrong_password_give_the_same_error(daemon):
    with auth(daemon) as a:
        a.Register(username="max", password=STRONG)
        wrong = error_of(a.Login, username="max", password="Falsch-Falsch-123")
        unknown = error_of(a.Login, username="nobody-here", password=STRONG)
    assert wrong == unknown == ("io.riegel.Auth.InvalidCredentials", {})


def test_username_is_unique_without_regard_to_case(daemon):
    with auth(daemon) as a:
        a.Register(username="Jana", password=STRONG)
        assert error_of(a.Register, username="JANA", password=STRONG)[0] == "io.riegel.Auth.UsernameTaken"


def test_weak_password_lists_every_failed_rule_and_creates_nothing(daemon):
    with auth(daemon) as a:
        name, params = error_of(a.Register, username="paul", password="paul")
        assert name == "io.riegel.Auth.WeakPassword"
        assert set(params["reasons"]) >= {"too_short", "contains_username"}
        assert error_of(a.Login, username="paul", password="paul")[0] == "io.riegel.Auth.InvalidCredentials"
        assert error_of(a.Register, username="paula", password="passwort123")[1]["reasons"] == ["blocklisted"]


def test_invalid_username_and_email_are_typed_errors(daemon):
    with auth(daemon) as a:
        assert error_of(a.Register, username="ab", password=STRONG)[0] == "io.riegel.Auth.InvalidUsername"
        assert error_of(a.Register, username="a b c", password=STRONG)[0] == "io.riegel.Auth.InvalidUsername"
        assert error_of(a.Register, username="anna", password=STRONG, email="no-at-sign")[0] == "io.riegel.Auth.InvalidEmail"


def test_failed_logins_back_off_then_lock(root):
    d = Daemon(root, extra_config='[throttle]\nfailures_before_delay = 3\nlockout_failures = 5\n').start()
    try:
        with auth(d) as a:
            a.Register(username="lena", password=STRONG)
            for _ in range(3):
                assert error_of(a.Login, username="lena", password="Wrong-Pass-99")[0] == "io.riegel.Auth.InvalidCredentials"
            name, params = error_of(a.Login, username="lena", password=STRONG)
            assert name == "io.riegel.Auth.TooManyAttempts" and params["retry_after"] >= 1
        # The delay survives a restart.
        assert d.stop() == 0
        d.start()
        with auth(d) as a:
            assert error_of(a.Login, username="lena", password=STRONG)[0] == "io.riegel.Auth.TooManyAttempts"
    finally:
        assert d.stop() == 0


def test_password_change_ends_other_sessions(daemon):
    with auth(daemon) as a:
        a.Register(username="otto", password=STRONG)
        s1 = a.Login(username="otto", password=STRONG)["session"]["token"]
        s2 = a.Login(username="otto", password=STRONG)["session"]["token"]
        assert error_of(a.ChangePassword, token=s1, current_password="nope-nope-nope", new_password="Neues-Passwort-42")[0] \
            == "io.riegel.Auth.InvalidCredentials"
        a.ChangePassword(token=s1, current_password=STRONG, new_password="Neues-Passwort-42")
        a.CheckSession(token=s1)
        name, params = error_of(a.CheckSession, token=s2)
        assert name == "io.riegel.Auth.SessionExpired" and params["reason"] == "revoked"
        assert error_of(a.Login, username="otto", password=STRONG)[0] == "io.riegel.Auth.InvalidCredentials"
        a.Login(username="otto", password="Neues-Passwort-42")


def test_password_reset_is_single_use_and_ends_all_sessions(daemon):
    with auth(daemon) as a:
        a.Register(username="ida", password=STRONG, email="Ida@Example.org")
        s = a.Login(username="ida", password=STRONG)["session"]["token"]
        r = a.BeginPasswordReset(username="IDA")
        assert r["email"] == "Ida@Example.org" and len(r["reset_token"]) == 43
        assert a.BeginPasswordReset(username="nobody") == {}
        assert error_of(a.CompletePasswordReset, reset_token=r["reset_token"], new_password="ida")[0] \
            == "io.riegel.Auth.WeakPassword"
        a.CompletePasswordReset(reset_token=r["reset_token"], new_password="Ganz-Neu-Und-Lang-7")
        assert error_of(a.CheckSession, token=s)[1] == {"reason": "revoked"}
        assert error_of(a.CompletePasswordReset, reset_token=r["reset_token"], new_password="Noch-Ein-Neues-8")[0] \
            == "io.riegel.Auth.InvalidToken"
        a.Login(username="ida", password="Ganz-Neu-Und-Lang-7")


def test_recover_username_by_email(daemon):
    with auth(daemon) as a:
        a.Register(username="karl", password=STRONG, email="Family@Example.org")
        a.Register(username="karla", password=STRONG, email="family@example.org")
        assert a.RecoverUsername(email="FAMILY@example.org")["usernames"] == ["karl", "karla"]
        assert a.RecoverUsername(email="other@example.org")["usernames"] == []


def test_activation_code_is_bound_to_user_and_single_use(daemon):
    with auth(daemon) as a:
        uid = a.Register(username="vera", password=STRONG)["user_id"]
        a.Register(username="wolf", password=STRONG)
        issued = a.IssueActivationCode(user_id=uid, subject="contract:4711")
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", issued["code"])
        other = a.Login(username="wolf", password=STRONG)["session"]["token"]
        assert error_of(a.RedeemActivationCode, token=other, code=issued["code"])[0] == "io.riegel.Auth.InvalidCode"
        mine = a.Login(username="vera", password=STRONG)["session"]["token"]
        assert a.RedeemActivationCode(token=mine, code=issued["code"].lower().replace("-", " "))["subject"] == "contract:4711"
        assert error_of(a.RedeemActivationCode, token=mine, code=issued["code"])[0] == "io.riegel.Auth.InvalidCode"
        assert error_of(a.IssueActivationCode, user_id="u_" + "0" * 32, subject="x")[0] == "io.riegel.Auth.NoSuchAccount"


def test_delete_account_needs_the_password_and_removes_everything(daemon):
    with auth(daemon) as a:
        a.Register(username="zoe", password=STRONG, email="zoe@example.org")
        s = a.Login(username="zoe", password=STRONG)["session"]["token"]
        assert error_of(a.DeleteAccount, token=s, password="not-the-password")[0] == "io.riegel.Auth.InvalidCredentials"
        a.DeleteAccount(token=s, password=STRONG)
        # On PostgreSQL the session's row goes with the account, and every
        # instance (this one too) forgets it when the change log says so: the
        # token is then unknown rather than revoked. Either way it is dead.
        gone = (("io.riegel.Auth.InvalidToken", {}) if STORAGE == "postgresql"
                else ("io.riegel.Auth.SessionExpired", {"reason": "revoked"}))
        assert error_of(a.CheckSession, token=s) == gone
        assert error_of(a.Login, username="zoe", password=STRONG)[0] == "io.riegel.Auth.InvalidCredentials"
        assert a.RecoverUsername(email="zoe@example.org")["usernames"] == []
        a.Register(username="zoe", password=STRONG)  # the name is free again


@pytest.mark.sqlite_file
def test_database_file_holds_no_secret(root):
    """Security rule 9 (docs/security-rules.md): a copy of the database gives no usable token, e-mail, password or hash."""
    d = Daemon(root).start()
    try:
        with auth(d) as a:
            a.Register(username="geheim", password=STRONG, email="secret.person@example.org")
            token = a.Login(username="geheim", password=STRONG)["session"]["token"]
            reset = a.BeginPasswordReset(username="geheim")["reset_token"]
            uid = a.CheckSession(token=token)["info"]["user_id"]
            code = a.IssueActivationCode(user_id=uid, subject="s")["code"].replace("-", "")
    finally:
        assert d.stop() == 0
    blob = b""
    for name in os.listdir(d.state):
        if name.startswith("riegel.sqlite"):
            blob += (d.state / name).read_bytes()
    assert b"geheim" in blob  # the username is stored in clear: the scan works
    for secret in (STRONG, "secret.person@example.org", "secret.person", token, reset, code, "$argon2"):
        assert secret.encode() not in blob, f"{secret!r} found in the database file"
