"""Administrators list accounts: io.riegel.Admin.ListAccounts through the PyPI
varlink client and `riegelctl users list` against a real riegeld (issue 12).

A list must never carry an e-mail address, a phone number (not even in
part), a password or its hash, or any token: every test checks the raw
bytes of what came back."""
import pytest
import base64
import json
import re
import sqlite3
import time


from riegel_harness import Daemon, error_of

STRONG = "Kl4vier-Sonate-Mond"
PHONE = "+49 151 23456789"
NOBODY = 65534
NAMES = ["anna", "bert", "cleo", "dora", "emil", "fritz", "greta"]


def last_code(d):
    """The code of the newest SMS in the outbox gateway's file."""
    lines = (d.state / "sms-outbox.jsonl").read_text().splitlines()
    [code] = set(re.findall(r"(?<!\d)\d{6}(?!\d)", json.loads(lines[-1])["text"]))
    return code


def populate(d) -> list[str]:
    """Seven accounts, oldest first, each with an e-mail: anna with a
    verified phone, bert logged in, cleo locked; emil and fritz each start a
    new second. Returns the secrets (and
    sealed columns, hex and base64) that no list output may contain."""
    secrets = [STRONG, "23456789", "4915123456789", "151 2345"]
    with d.client().open("io.riegel.Auth") as a, d.client().open("io.riegel.Admin") as admin:
        for name in NAMES:
            if name in ("emil", "fritz"):
                time.sleep(1.1)  # times are listed in whole seconds: give these their own
            email = f"{name}.private@example.org"
            secrets.append(email)
            if name == "anna":
                reply = a.Register(username=name, password=STRONG, email=email, phone=PHONE)
                a.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=last_code(d))
            else:
                a.Register(username=name, password=STRONG, email=email)
        secrets.append(a.Login(username="bert", password=STRONG)["session"]["token"])
        admin.LockAccount(username="cleo", reason="fraud suspected")
    db = sqlite3.connect(f"file:{d.state / 'riegel.sqlite'}?mode=ro", uri=True)
    try:
        for (pw, email, phone) in db.execute("SELECT password_hash, email, phone FROM user"):
            for blob in (pw, email, phone):
                if blob:
                    secrets += [blob.hex(), base64.b64encode(blob).decode()[:40],
                                base64.urlsafe_b64encode(blob).decode()[:40]]
    finally:
        db.close()
    return secrets


def assert_no_secrets(raw: str, secrets: list[str]):
    for s in secrets:
        assert s not in raw, f"a secret or personal datum leaked into the list: {s[:12]}..."
    assert "@" not in raw and "$argon2" not in raw and "+49" not in raw


def list_all(admin, **filters) -> tuple[list[dict], list[str]]:
    """Every page of ListAccounts (3 per page); the accounts and the raw replies."""
    accounts, raw, after = [], [], None
    while True:
        params = dict(filters, limit=3)
        if after:
            params["after"] = after
        reply = admin.ListAccounts(**params)
        raw.append(json.dumps(reply))
        accounts += reply["accounts"]
        after = reply.get("next")
        if not after:
            return accounts, raw


@pytest.mark.sqlite_file
def test_pages_filters_and_no_secrets_over_varlink(daemon):
    secrets = populate(daemon)
    with daemon.client().open("io.riegel.Admin") as admin, daemon.client().open("io.riegel.Auth") as a:
        first = admin.ListAccounts(limit=3)
        assert [x["username"] for x in first["accounts"]] == NAMES[:3] and first["next"]
        # A sign-up between pages comes at the end; nothing repeats or goes missing.
        a.Register(username="hugo", password=STRONG, email="hugo.private@example.org")
        secrets.append("hugo.private@example.org")
        rest, raw = [], [json.dumps(first)]
        after = first["next"]
        while after:
            reply = admin.ListAccounts(limit=3, after=after)
            raw.append(json.dumps(reply))
            rest += reply["accounts"]
            after = reply.get("next")
        everyone = first["accounts"] + rest
        assert [x["username"] for x in everyone] == NAMES + ["hugo"]
        by_name = {x["username"]: x for x in everyone}
        assert by_name["anna"]["second_factor"] is True and by_name["bert"]["second_factor"] is False
        assert by_name["bert"]["sessions"] == 1 and "last_login_at" in by_name["bert"]
        assert by_name["cleo"]["locked_until"].startswith("9999-") and "locked_until" not in by_name["dora"]
        assert set(by_name["emil"]) == {"user_id", "username", "created_at", "second_factor", "sessions", "devices"}
        # The default page holds them all.
        default = admin.ListAccounts()
        assert len(default["accounts"]) == 8 and default.get("next") is None

        def names(**f):
            accounts, pages = list_all(admin, **f)
            raw.extend(pages)
            return [x["username"] for x in accounts]

        assert names(locked=True) == ["cleo"]
        assert names(locked=False) == [n for n in NAMES + ["hugo"] if n != "cleo"]
        assert names(second_factor=True) == ["anna"]
        assert "anna" not in names(second_factor=False)
        assert names(created_since=by_name["emil"]["created_at"]) == ["emil", "fritz", "greta", "hugo"]
        assert "bert" in names(last_login_since=by_name["bert"]["last_login_at"])
        assert "cleo" not in names(last_login_since=by_name["cleo"]["created_at"])
        assert names(locked=False, second_factor=False, created_since=by_name["fritz"]["created_at"]) == \
            ["fritz", "greta", "hugo"]
        assert names(created_since="2999-01-01T00:00:00Z") == []
    assert_no_secrets("\n".join(raw), secrets)


def test_bad_input_is_a_typed_invalid_filter(daemon):
    with daemon.client().open("io.riegel.Auth") as a:
        for name in ("anna", "bert"):
            a.Register(username=name, password=STRONG)
    with daemon.client().open("io.riegel.Admin") as admin:
        cursor = admin.ListAccounts(limit=1)["next"]
        head, payload, key, mac = cursor.split(".")
        forged_payload = f"c1.{b'0:u_forged'.hex()}.{key}.{mac}"
        flipped = f"{head}.{payload}.{key}.{'1' if mac[0] == '0' else '0'}{mac[1:]}"
        bad = [
            dict(created_since="yesterday"), dict(last_login_since="7d"), dict(limit=0), dict(limit=-5),
            dict(limit=1001), dict(after="nope"), dict(after=forged_payload), dict(after=flipped),
        ]
        for params in bad:
            name, detail = error_of(admin.ListAccounts, **params)
            assert name == "io.riegel.Admin.InvalidFilter", (params, name)
            assert detail["reason"], params
        assert [x["username"] for x in admin.ListAccounts(limit=1, after=cursor)["accounts"]] == ["bert"]
        assert len(admin.ListAccounts(limit=1000)["accounts"]) == 2


@pytest.mark.sqlite_file
def test_riegelctl_prints_an_aligned_table_and_json_lines(daemon):
    secrets = populate(daemon)
    table = daemon.ctl("users", "list")
    lines = table.stdout.splitlines()
    header = lines[0]
    assert header.split()[:2] == ["USERNAME", "USER"] and "LAST LOGIN" in header
    assert [l.split()[0] for l in lines[1:]] == NAMES
    for column in ("USER ID", "CREATED", "LOCKED UNTIL", "2FA", "SESSIONS", "DEVICES", "LAST LOGIN"):
        start = header.index(column)
        for line in lines[1:]:
            assert line[start - 2:start] == "  " and line[start] != " ", (column, line)
    cleo = next(l for l in lines if l.startswith("cleo "))
    assert "9999-" in cleo
    anna = next(l for l in lines if l.startswith("anna "))
    assert anna[header.index("2FA"):].startswith("on")
    assert table.stderr == ""

    js = daemon.ctl("users", "list", "--json")
    rows = [json.loads(l) for l in js.stdout.splitlines()]
    assert [r["username"] for r in rows] == NAMES and all(set(r) >= {"user_id", "created_at"} for r in rows)

    one = daemon.ctl("users", "list", "--json", "--limit", "3")
    assert [json.loads(l)["username"] for l in one.stdout.splitlines()] == NAMES[:3]
    cursor = re.search(r"--after (\S+)", one.stderr).group(1)
    more = daemon.ctl("users", "list", "--json", "--limit", "3", "--after", cursor)
    assert [json.loads(l)["username"] for l in more.stdout.splitlines()] == NAMES[3:6]
    every = daemon.ctl("users", "list", "--json", "--limit", "2", "--all")
    assert [json.loads(l)["username"] for l in every.stdout.splitlines()] == NAMES and every.stderr == ""

    def names(*args):
        return [json.loads(l)["username"] for l in daemon.ctl("users", "list", "--json", *args).stdout.splitlines()]

    assert names("--locked") == ["cleo"]
    assert "cleo" not in names("--unlocked")
    assert names("--second-factor", "on") == ["anna"]
    assert "anna" not in names("--second-factor", "off")
    assert names("--created-since", rows[5]["created_at"]) == ["fritz", "greta"]
    assert names("--created-since", "1h") == NAMES, "a relative time is that long ago"
    assert names("--last-login-since", json.loads(daemon.ctl("users", "show", "bert", "--json").stdout)
                 ["account"]["last_login_at"]) == ["bert"]
    raw = table.stdout + js.stdout + one.stdout + one.stderr + every.stdout
    assert_no_secrets(raw, secrets)


def test_riegelctl_bad_input_exits_one_with_the_error(daemon):
    for args in (["--created-since", "yesterday"], ["--limit", "0"], ["--limit", "5000"], ["--after", "forged"]):
        cp = daemon.ctl("users", "list", *args, check=False)
        assert cp.returncode == 1, (args, cp.stdout, cp.stderr)
        assert "error: io.riegel.Admin.InvalidFilter" in cp.stderr and cp.stdout == ""
    cp = daemon.ctl("users", "list", "--json", "--last-login-since", "last week", check=False)
    assert cp.returncode == 1
    err = json.loads(cp.stderr)
    assert err["error"] == "io.riegel.Admin.InvalidFilter" and "RFC 3339" in err["parameters"]["reason"]
    # Caught before any call: a usage error, not exit 1.
    cp = daemon.ctl("users", "list", "--locked", "--unlocked", check=False)
    assert cp.returncode not in (0, 1) and "exclude each other" in cp.stderr
    cp = daemon.ctl("users", "list", "--second-factor", "maybe", check=False)
    assert cp.returncode not in (0, 1)


CLIENT = r"""
import json, sys, varlink
with varlink.Client(address=sys.argv[1]).open("io.riegel.Admin") as admin:
    try:
        admin.ListAccounts(limit=5)
        print(json.dumps("ok"))
    except varlink.VarlinkError as e:
        print(json.dumps(e.error()))
"""


def test_non_admin_peer_gets_permission_denied(root, unprivileged):
    d = Daemon(root).start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            a.Register(username="anna", password=STRONG, email="anna.private@example.org")
        cp = unprivileged.run(NOBODY, NOBODY, CLIENT, d.address)
        assert cp.returncode == 0, cp.stderr
        assert json.loads(cp.stdout) == "org.varlink.service.PermissionDenied"
        assert "anna" not in cp.stdout
    finally:
        assert d.stop() == 0
