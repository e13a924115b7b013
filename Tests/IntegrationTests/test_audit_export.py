"""Signed audit exports verified offline (riegelctl and a third party's Python
verifier with the PyPI `cryptography` package alone), tampering with an
export file and with the database, and retention behind a signed anchor."""
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from riegel_harness import Daemon, error_of

STRONG = "Kl4vier-Sonate-Mond"
REPO = Path(__file__).resolve().parents[2]
PY_VERIFIER = REPO / "docs" / "tools" / "verify_audit_export.py"


def _activity(d: Daemon, users: int = 3, failures: int = 2):
    with d.client().open("io.riegel.Auth") as a:
        for n in range(users):
            a.Register(username=f"exp{n}-{time.monotonic_ns() % 100000}", password=STRONG)
        for _ in range(failures):
            error_of(a.Login, username="nobody-here", password="Wrong-Wrong-99")


def _export(d: Daemon, path: Path, *args: str):
    d.ctl("audit", "export", "--output", str(path), *args)
    return [json.loads(line) for line in path.read_text().splitlines()]


def _public_key(d: Daemon, path: Path) -> Path:
    path.write_text(d.ctl("audit", "public-key").stdout)
    return path


def _write(path: Path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _offline(d: Daemon, export: Path, key: Path):
    """Both verifiers on one file: (riegelctl result, python result)."""
    ctl = d.ctl("audit", "verify", str(export), "--public-key", str(key), check=False)
    py = subprocess.run([sys.executable, str(PY_VERIFIER), str(export), str(key)], capture_output=True, text=True)
    return ctl, py


def _assert_bad_at(d, export, key, seq, why):
    ctl, py = _offline(d, export, key)
    assert ctl.returncode == 1, f"riegelctl accepted {why}: {ctl.stdout}{ctl.stderr}"
    assert f"BROKEN at seq {seq}:" in ctl.stdout, f"{why}: {ctl.stdout}"
    assert py.returncode == 1, f"the Python verifier accepted {why}: {py.stdout}{py.stderr}"
    assert f"FAILED at seq {seq}:" in py.stdout, f"{why}: {py.stdout}"


def test_an_untouched_export_verifies_offline_with_the_public_key_alone(daemon, tmp_path):
    _activity(daemon)
    key = _public_key(daemon, tmp_path / "audit.pem")
    assert key.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    records = _export(daemon, tmp_path / "trail.jsonl")
    kinds = [r["kind"] for r in records]
    assert kinds[0] == "start" and kinds[-1] == "head" and kinds.count("start") == kinds.count("head") == 1
    assert records[0]["format"] == "riegel-audit-export-v1" and records[0]["seq"] == 0
    events = [r for r in records if r["kind"] == "event"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)) and len(events) >= 5
    assert records[-1]["seq"] == events[-1]["seq"] and len(records[-1]["signature"]) == 128
    daemon.stop()  # offline means offline: no daemon to ask
    ctl, py = _offline(daemon, tmp_path / "trail.jsonl", key)
    assert ctl.returncode == 0 and f"entries 1–{len(events)}" in ctl.stdout, ctl.stdout + ctl.stderr
    assert py.returncode == 0 and f"entries 1-{len(events)}" in py.stdout, py.stdout + py.stderr


def test_each_kind_of_tampering_with_an_export_names_the_first_bad_seq(daemon, tmp_path):
    _activity(daemon, users=4, failures=3)
    key = _public_key(daemon, tmp_path / "audit.pem")
    good = _export(daemon, tmp_path / "trail.jsonl")
    at = {r["seq"]: i for i, r in enumerate(good) if r["kind"] == "event"}
    last = max(at)

    edited = [dict(r) for r in good]
    edited[at[3]]["type"] = "login.succeeded" if edited[at[3]]["type"] != "login.succeeded" else "login.failed"
    _assert_bad_at(daemon, _write(tmp_path / "edited.jsonl", edited), key, 3, "an edited entry")

    detail = [dict(r) for r in good]
    detail[at[2]]["client_ip"] = "198.51.100.7"
    _assert_bad_at(daemon, _write(tmp_path / "client.jsonl", detail), key, 2, "an added field")

    deleted = [r for i, r in enumerate(good) if i != at[4]]
    _assert_bad_at(daemon, _write(tmp_path / "deleted.jsonl", deleted), key, 4, "a deleted line")

    inserted = good[:at[5]] + [good[at[2]]] + good[at[5]:]
    _assert_bad_at(daemon, _write(tmp_path / "inserted.jsonl", inserted), key, 2, "an inserted (replayed) line")

    swapped = list(good)
    swapped[at[2]], swapped[at[3]] = swapped[at[3]], swapped[at[2]]
    _assert_bad_at(daemon, _write(tmp_path / "reordered.jsonl", swapped), key, 2, "two swapped lines")

    _assert_bad_at(daemon, _write(tmp_path / "no-head.jsonl", good[:-1]), key, last + 1, "a missing head line")
    cut = good[:at[last - 1]]
    _assert_bad_at(daemon, _write(tmp_path / "truncated.jsonl", cut), key, last - 1, "a truncated tail")
    _assert_bad_at(daemon, _write(tmp_path / "cut-with-head.jsonl", cut + [good[-1]]), key, last - 1,
                   "a truncated tail with the head line kept")

    forged = [dict(r) for r in good]
    sig = forged[-1]["signature"]
    forged[-1]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
    _assert_bad_at(daemon, _write(tmp_path / "forged.jsonl", forged), key, last, "a forged head signature")

    garbage = [json.dumps(r) for r in good]
    garbage[at[3]] = garbage[at[3]][:-5]
    (tmp_path / "garbage.jsonl").write_text("\n".join(garbage) + "\n")
    _assert_bad_at(daemon, tmp_path / "garbage.jsonl", key, 3, "a line that is not JSON")

    other = tmp_path / "other.pem"
    other.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    _assert_bad_at(daemon, tmp_path / "trail.jsonl", other, last, "the wrong public key")

    (tmp_path / "empty.jsonl").write_text("")
    _assert_bad_at(daemon, tmp_path / "empty.jsonl", key, 0, "an empty file")

    ctl, py = _offline(daemon, tmp_path / "trail.jsonl", key)
    assert ctl.returncode == 0 and py.returncode == 0, "the untouched export must still verify"


def test_bad_keys_and_arguments_get_a_clear_message_and_a_non_zero_exit(daemon, tmp_path):
    _activity(daemon, users=1, failures=0)
    export = tmp_path / "trail.jsonl"
    _export(daemon, export)
    (tmp_path / "not-a-key.pem").write_text("hello\n")
    cp = daemon.ctl("audit", "verify", str(export), "--public-key", str(tmp_path / "not-a-key.pem"), check=False)
    assert cp.returncode == 1 and "no \"-----BEGIN PUBLIC KEY-----\" block" in cp.stderr, cp.stderr
    cp = daemon.ctl("audit", "verify", str(export), check=False)
    assert cp.returncode != 0 and "--public-key" in cp.stderr
    key = _public_key(daemon, tmp_path / "audit.pem")
    cp = daemon.ctl("audit", "verify", str(tmp_path / "missing.jsonl"), "--public-key", str(key), check=False)
    assert cp.returncode == 1 and "cannot read" in cp.stderr
    cp = daemon.ctl("audit", "export", "--since", "yesterday", check=False)
    assert cp.returncode != 0 and "is not a time" in cp.stderr
    cp = daemon.ctl("audit", "export", "--since", "2099-01-01T00:00:00Z", "-o", str(tmp_path / "none.jsonl"), check=False)
    assert cp.returncode == 1 and "InvalidFilter" in cp.stderr and not (tmp_path / "none.jsonl").exists()


def test_an_export_since_a_time_starts_with_a_signed_start(daemon, tmp_path):
    _activity(daemon, users=2, failures=0)
    time.sleep(1.2)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    time.sleep(0.2)
    _activity(daemon, users=2, failures=1)
    key = _public_key(daemon, tmp_path / "audit.pem")
    records = _export(daemon, tmp_path / "since.jsonl", "--since", since)
    start = records[0]
    first = records[1]
    assert start["kind"] == "start" and start["seq"] > 0 and start["seq"] == first["seq"] - 1
    assert len(start["signature"]) == 128 and start["hash"] == first["previous_hash"]
    ctl, py = _offline(daemon, tmp_path / "since.jsonl", key)
    assert ctl.returncode == 0 and py.returncode == 0, ctl.stdout + py.stdout
    # Cutting the first entries off a partial export is caught: the start is signed.
    cut = [start] + records[2:]
    _assert_bad_at(daemon, _write(tmp_path / "cut.jsonl", cut), key, first["seq"], "a removed first entry")


@pytest.mark.sqlite_file
def test_a_tampered_database_is_never_signed_into_an_export(root, tmp_path):
    d = Daemon(root).start()
    _activity(d, users=3, failures=1)
    d.stop()
    db = sqlite3.connect(d.state / "riegel.sqlite")
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"):
        db.execute(f'DROP TRIGGER "{name}"')
    db.execute("UPDATE audit_event SET reason = 'edited' WHERE seq = 2")
    db.commit()
    db.close()
    d.start()
    try:
        out = tmp_path / "trail.jsonl"
        cp = d.ctl("audit", "export", "-o", str(out), check=False)
        assert cp.returncode == 1 and "io.riegel.Audit.ChainBroken" in cp.stderr and '"first_bad_seq":2' in cp.stderr, cp.stderr
        assert not out.exists() and not Path(str(out) + ".partial").exists(), "a refused export leaves no file"
        with d.client().open("io.riegel.Audit") as audit:
            refused = [r["event"] for r in audit.Query(_more=True, filter={"types": ["audit.exported"]}) if "event" in r]
        assert refused and refused[-1]["outcome"] == "failure" and refused[-1]["details"]["first_bad_seq"] == "2"
    finally:
        d.stop()


@pytest.mark.sqlite_file
def test_retention_prunes_behind_a_signed_anchor_and_the_trail_still_verifies(root, tmp_path):
    d = Daemon(root, extra_config='[audit]\nretention = "3s"\nprune_batch_size = 60\n').start()
    with d.client().open("io.riegel.Auth") as a:
        for n in range(8):
            a.Register(username=f"ret{n}", password=STRONG)
        for n in range(232):  # past two scheduled checkpoints (every 100 entries)
            error_of(a.Login, username=f"nobody-{n}", password="Wrong-Wrong-99")
    time.sleep(3.5)
    d.stop()
    d.start()  # retention runs at start
    try:
        with d.client().open("io.riegel.Audit") as audit:
            # The prune runs in batches (60 entries) and records audit.pruned when
            # it is done: wait for that entry, not for the first batch.
            deadline = time.monotonic() + 20
            while True:
                pruned = [r["event"] for r in audit.Query(_more=True, filter={"types": ["audit.pruned"]})
                          if "event" in r]
                if pruned or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            v = audit.Verify()
        assert v["ok"] is True, v
        assert v["first_seq"] == 201, f"the anchor is the last checkpoint before the cutoff (200): {v}"
        assert pruned and pruned[-1]["details"] == {"anchor_seq": "200", "removed": "200"}, pruned
        db = sqlite3.connect(d.state / "riegel.sqlite")
        assert db.execute("SELECT MIN(seq) FROM audit_event").fetchone()[0] == 201
        assert db.execute("SELECT seq, scheme FROM audit_anchor").fetchone() == (200, "ed25519")
        db.close()
        key = _public_key(d, tmp_path / "audit.pem")
        records = _export(d, tmp_path / "retained.jsonl")
        assert records[0]["seq"] == 200 and len(records[0]["signature"]) == 128
        ctl, py = _offline(d, tmp_path / "retained.jsonl", key)
        assert ctl.returncode == 0 and "entries 201–" in ctl.stdout and py.returncode == 0, ctl.stdout + py.stdout
        assert "retained trail starts at 201" in d.ctl("audit", "verify").stdout
    finally:
        d.stop()
    # A forged anchor is caught by Verify.
    db = sqlite3.connect(d.state / "riegel.sqlite")
    db.execute("DROP TRIGGER audit_anchor_moves_forward")
    db.execute("UPDATE audit_anchor SET seal = zeroblob(64)")
    db.commit()
    db.close()
    d.start()
    try:
        with d.client().open("io.riegel.Audit") as audit:
            v = audit.Verify()
        assert v["ok"] is False and v["first_bad_seq"] == 200 and "anchor" in v["problem"], v
    finally:
        d.stop()


def test_public_key_all_lists_every_audit_key_after_a_rotation(daemon, tmp_path):
    first = daemon.ctl("audit", "public-key").stdout
    daemon.ctl("keys", "rotate", "audit")
    deadline = time.monotonic() + 30
    while "running" in daemon.ctl("keys", "list").stdout and time.monotonic() < deadline:
        time.sleep(0.2)
    both = daemon.ctl("audit", "public-key", "--all").stdout
    active = daemon.ctl("audit", "public-key").stdout
    assert active != first and first in both and active in both and "(active)" in both
    keys = json.loads(daemon.ctl("audit", "public-key", "--json").stdout)["keys"]
    assert [k["active"] for k in keys] == [True, False] and all(len(k["raw"]) == 64 for k in keys)
