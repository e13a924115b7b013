"""Master-key rotation against a real riegeld: RotateMasterKey through the
PyPI client and `riegelctl keys rotate-master`, restarts with the new key
(works) and the old key (refused, naming both key ids), refused inputs that
change nothing, the audit event, and the credential file rules at start."""
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess

import pytest

from riegel_harness import RIEGELD, Daemon, admin, audit_events, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
OLD = bytes(range(32))
NEW = bytes(range(100, 132))


def key_id(key: bytes) -> str:
    """The public fingerprint riegel stores (at-rest-formats.md)."""
    return hmac.new(key, b"riegel/v1/master-key-id", hashlib.sha256).digest()[:8].hex()


def put(path, data: bytes, mode: int):
    if os.path.lexists(path):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, data)
    os.close(fd)
    os.chmod(path, mode)


def creds_dir(root, key: bytes):
    creds = root / "creds"
    creds.mkdir(mode=0o700, exist_ok=True)
    put(creds / "riegel-master-key", key, 0o400)
    return creds


def stored_keys(d: Daemon) -> list:
    """The key table and meta rows, byte for byte."""
    db = sqlite3.connect(f"file:{d.state / 'riegel.sqlite'}?mode=ro", uri=True)
    try:
        return (db.execute("SELECT id, purpose, state, created_at, wrapped, master_key_id FROM key ORDER BY id").fetchall()
                + db.execute("SELECT name, value FROM meta ORDER BY name").fetchall())
    finally:
        db.close()


def no_key_material(text: str):
    for key in (OLD, NEW):
        assert key.hex() not in text and key.hex().upper() not in text
        assert key.decode("latin-1") not in text


@pytest.fixture
def credd(root):
    """A riegeld on the systemd credential riegel-master-key (= OLD)."""
    d = Daemon(root, env={"CREDENTIALS_DIRECTORY": str(creds_dir(root, OLD))}).start()
    yield d
    if d.proc is not None:
        assert d.stop() == 0, d.log_text()
    d.notify.close()


def start_refused(d: Daemon) -> subprocess.CompletedProcess:
    env = dict(os.environ, CREDENTIALS_DIRECTORY=str(d.root / "creds"))
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.run([str(RIEGELD), "--config", str(d.config)], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def test_rotation_then_restart_with_new_key_works_and_old_key_is_refused(credd):
    d = credd
    with auth(d) as a:
        a.Register(username="mara", password=STRONG, email="Mara@Example.org")
        a.Login(username="mara", password=STRONG)
    status = d.ctl("status").stdout
    assert f"master key {key_id(OLD)} from systemd credential riegel-master-key ({d.root}/creds/riegel-master-key)" \
        in status, status

    put(d.root / "creds" / "riegel-master-key-next", (NEW.hex() + "\n").encode(), 0o400)
    with admin(d) as adm:
        r = adm.RotateMasterKey(credential="riegel-master-key-next")
    assert r == {"old_key_id": key_id(OLD), "new_key_id": key_id(NEW), "rewrapped": 4}
    assert f"master key {key_id(NEW)} from systemd credential riegel-master-key-next" in d.ctl("status").stdout
    rows = stored_keys(d)
    assert {row[5] for row in rows if len(row) == 6} == {key_id(NEW)}

    # The running daemon goes on with the same data keys.
    with auth(d) as a:
        a.Login(username="mara", password=STRONG)
        assert a.RecoverUsername(email="mara@example.org")["usernames"] == ["mara"]

    [event] = audit_events(d, "key.master_rotated")
    assert event["outcome"] == "success" and event["peer_uid"] == os.getuid()
    assert event["details"]["old_master_key_id"] == key_id(OLD)
    assert event["details"]["new_master_key_id"] == key_id(NEW)
    assert event["details"]["rewrapped"] == "4"
    no_key_material(json.dumps(event))
    assert d.stop() == 0

    # Restart with the old key: refused, and the message says what to do.
    cp = start_refused(d)
    assert cp.returncode == 1, cp
    assert key_id(OLD) in cp.stderr and key_id(NEW) in cp.stderr, cp.stderr
    assert "LoadCredential=riegel-master-key:" in cp.stderr, cp.stderr
    no_key_material(cp.stdout + cp.stderr)
    assert stored_keys(d) == rows, "a refused start changes nothing"

    # The operator points the credential at the new key: it starts and reads old data.
    put(d.root / "creds" / "riegel-master-key", NEW, 0o400)
    d.start()
    with auth(d) as a:
        a.Login(username="mara", password=STRONG)
        assert a.RecoverUsername(email="MARA@example.org")["usernames"] == ["mara"]
        assert a.BeginPasswordReset(username="mara")["email"] == "Mara@Example.org"
    no_key_material(d.log_text())


def test_riegelctl_rotates_from_an_absolute_path(credd):
    d = credd
    with auth(d) as a:
        a.Register(username="nils", password=STRONG, email="nils@example.org")
    put(d.root / "new.key", NEW, 0o600)
    cp = d.ctl("keys", "rotate-master", str(d.root / "new.key"))
    assert f"master key rotated: {key_id(OLD)} -> {key_id(NEW)}, 4 data keys re-wrapped" in cp.stdout, cp.stdout
    assert "LoadCredential=riegel-master-key:" in cp.stdout
    no_key_material(cp.stdout + cp.stderr)
    # Rotating to the key in use again is refused.
    cp = d.ctl("keys", "rotate-master", str(d.root / "new.key"), "--json", check=False)
    assert cp.returncode == 1
    assert json.loads(cp.stderr) == {"error": "io.riegel.Admin.MasterKeyRotationRefused",
                                     "parameters": {"reason": "same_key"}}
    assert d.stop() == 0
    put(d.root / "creds" / "riegel-master-key", NEW, 0o400)
    d.start()
    with auth(d) as a:
        a.Login(username="nils", password=STRONG)
        assert a.RecoverUsername(email="nils@example.org")["usernames"] == ["nils"]


def test_refused_inputs_change_nothing(credd):
    d = credd
    with auth(d) as a:
        a.Register(username="olga", password=STRONG, email="olga@example.org")
    root, creds = d.root, d.root / "creds"
    (root / "adir").mkdir(mode=0o700)
    put(root / "group.key", NEW, 0o640)
    put(root / "world.key", NEW, 0o604)
    put(creds / "world", NEW, 0o444)
    put(root / "short.key", NEW[:31], 0o600)
    put(root / "garbage.key", b"z" * 64, 0o600)
    put(root / "real.key", NEW, 0o600)
    os.symlink(root / "real.key", root / "link.key")
    put(root / "same.key", OLD, 0o600)
    cases = [
        ("riegel-master-key-absent", "CredentialUnavailable", "missing"),
        (str(root / "absent.key"), "CredentialUnavailable", "missing"),
        (str(root / "adir"), "CredentialUnavailable", "not_regular"),
        (str(root / "link.key"), "CredentialUnavailable", "not_regular"),
        (str(root / "group.key"), "CredentialUnavailable", "too_permissive"),
        (str(root / "world.key"), "CredentialUnavailable", "too_permissive"),
        ("world", "CredentialUnavailable", "too_permissive"),
        (str(root / "short.key"), "CredentialUnavailable", "malformed"),
        (str(root / "garbage.key"), "CredentialUnavailable", "malformed"),
        ("keys/new.key", "CredentialUnavailable", "invalid_name"),
        ("../riegel-master-key", "CredentialUnavailable", "invalid_name"),
        ("..", "CredentialUnavailable", "invalid_name"),
        (NEW.hex(), "CredentialUnavailable", "invalid_name"),
        (str(root / "same.key"), "MasterKeyRotationRefused", "same_key"),
    ]
    before = stored_keys(d)
    with admin(d) as adm:
        for credential, error, reason in cases:
            name, params = error_of(adm.RotateMasterKey, credential=credential)
            assert (name, params["reason"]) == ("io.riegel.Admin." + error, reason), credential
            if error == "CredentialUnavailable":
                shown = "(not shown)" if reason == "invalid_name" else credential
                assert params["credential"] == shown
            assert stored_keys(d) == before, credential
    cp = d.ctl("keys", "rotate-master", "riegel-master-key-absent", check=False)
    assert cp.returncode == 1 and "io.riegel.Admin.CredentialUnavailable" in cp.stderr and '"missing"' in cp.stderr
    events = audit_events(d, "key.master_rotated")
    assert [e["reason"] for e in events] == [c[2] for c in cases] + ["missing"]
    assert all(e["outcome"] == "failure" and e["peer_uid"] == os.getuid() for e in events)
    no_key_material(json.dumps(events) + d.log_text())
    with auth(d) as a:
        a.Login(username="olga", password=STRONG)
    assert stored_keys(d) == before


def test_rotation_is_refused_on_the_development_key_file(daemon):
    put(daemon.root / "new.key", NEW, 0o600)
    before = stored_keys(daemon)
    with admin(daemon) as adm:
        assert error_of(adm.RotateMasterKey, credential=str(daemon.root / "new.key")) == \
            ("io.riegel.Admin.MasterKeyRotationRefused", {"reason": "development_key_file"})
    assert stored_keys(daemon) == before
    assert f"from generated key file {daemon.state}/master.key" in daemon.ctl("status").stdout


@pytest.mark.parametrize("mode", [0o444, 0o404, 0o620])
def test_start_refuses_a_loose_credential(root, mode):
    d = Daemon(root)
    put(creds_dir(root, OLD) / "riegel-master-key", OLD, mode)
    cp = start_refused(d)
    assert cp.returncode == 1
    assert "chmod 0400" in cp.stderr and "riegel-master-key" in cp.stderr, cp.stderr


def test_start_refuses_a_symlinked_credential(root):
    d = Daemon(root)
    creds = creds_dir(root, OLD)
    os.rename(creds / "riegel-master-key", root / "elsewhere.key")
    os.symlink(root / "elsewhere.key", creds / "riegel-master-key")
    cp = start_refused(d)
    assert cp.returncode == 1
    assert "symlinks are refused" in cp.stderr, cp.stderr


def test_start_accepts_a_credential_as_systemd_252_writes_it(root):
    # root-owned 0400 plus a user ACL reads as 0440 in st_mode; the same as a plain 0440 here.
    d = Daemon(root, env={"CREDENTIALS_DIRECTORY": str(creds_dir(root, OLD))})
    os.chmod(root / "creds" / "riegel-master-key", 0o440)
    d.start()
    try:
        assert f"master key {key_id(OLD)} from systemd credential riegel-master-key" in d.ctl("status").stdout
    finally:
        assert d.stop() == 0
        d.notify.close()
