"""riegelctl users import (legacy hashes made by passlib/bcrypt) and passwords calibrate."""
import json
import subprocess

import bcrypt
import pytest
import varlink
from argon2 import PasswordHasher
from passlib.hash import pbkdf2_sha256, pbkdf2_sha512, scrypt

from riegel_harness import RIEGELCTL

PW = "Altes-Passwort-2019"


def test_imported_legacy_hashes_log_in_and_bad_lines_are_reported(daemon, tmp_path):
    lines = [
        {"username": "pb256", "password_hash": pbkdf2_sha256.using(rounds=1000).hash(PW), "email": "pb@example.org"},
        {"username": "pb512", "password_hash": pbkdf2_sha512.using(rounds=1000).hash(PW)},
        {"username": "bcr", "password_hash": bcrypt.hashpw(PW.encode(), bcrypt.gensalt(rounds=4)).decode()},
        {"username": "scr", "password_hash": scrypt.using(rounds=4).hash(PW)},
        {"username": "ar2", "password_hash": PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PW)},
        {"username": "bad", "password_hash": "$md5$nope"},
        {"username": "x y", "password_hash": pbkdf2_sha256.hash(PW)},
    ]
    f = tmp_path / "users.jsonl"
    f.write_text("\n".join(json.dumps(l) for l in lines) + "\nnot json\n")
    cp = daemon.ctl("users", "import", str(f), check=False)
    assert cp.returncode == 1
    assert "imported 5, failed 3" in cp.stderr
    assert f"{f}:6: bad: io.riegel.Admin.InvalidPasswordHash" in cp.stderr
    assert f"{f}:7: x y: io.riegel.Admin.InvalidUsername" in cp.stderr
    assert f"{f}:8:" in cp.stderr
    assert "$md5$nope" not in cp.stderr, "a hash must not be echoed"
    with daemon.client().open("io.riegel.Auth") as a:
        for name in ("pb256", "pb512", "bcr", "scr", "ar2"):
            a.Login(username=name, password=PW)
            # After the upgrade to argon2id the same password still works.
            a.Login(username=name, password=PW)
            with pytest.raises(varlink.VarlinkError) as e:
                a.Login(username=name, password="wrong-" + PW)
            assert e.value.error() == "io.riegel.Auth.InvalidCredentials"
        assert a.RecoverUsername(email="pb@example.org")["usernames"] == ["pb256"]


def test_calibrate_prints_a_password_block():
    cp = subprocess.run([str(RIEGELCTL), "passwords", "calibrate", "--target", "40ms", "--memory-kib", "8192"],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp.stderr
    out = cp.stdout
    assert "[password]" in out and "memory_kib = 8192" in out
    iterations = int(next(l for l in out.splitlines() if l.startswith("iterations = ")).split("=")[1])
    assert iterations >= 2


def test_calibrate_rejects_a_bad_target():
    cp = subprocess.run([str(RIEGELCTL), "passwords", "calibrate", "--target", "fast"], capture_output=True, text=True)
    assert cp.returncode != 0 and "not a duration" in cp.stderr
