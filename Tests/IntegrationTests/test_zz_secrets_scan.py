"""Secrets at rest and in logs (issue 14, section 5).

Runs after the whole integration suite (conftest.py sorts it last): every
password, SMS, TOTP, recovery or activation code, TOTP secret, session/device/reset token, phone number and
e-mail address the tests passed to riegeld or got back from it (collected by
the harness's hook on the PyPI varlink client, riegel_harness.SecretLedger) is
searched in what each test's riegeld left: riegel.sqlite, its WAL, riegeld.log
and an io.riegel.Audit.Query export. None may appear in clear.

The log lines carry the MESSAGE and every metadata value that the native
journal entries carry as fields (JournalLogHandler writes the same event
either way), so the journal fields are searched through the log.

It cannot pass vacuously: run alone, or after too small a part of the suite,
it fails, because it checks that it searched many secrets of every kind in
many files of every kind.
"""
import base64
import json
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from riegel_harness import SECRETS

# A value this short is not a secret worth the name (test inputs such as a
# refused "kurz"), and a search for it would find it anywhere.
MIN_LENGTH = {"password": 8, "token": 16, "email": 6, "code": 6, "phone": 8, "totp_secret": 16,
              "recovery_code": 10}


def needles(value: str, kind: str) -> list[tuple[bytes, bool]]:
    """What to search for: (bytes, whether it must stand alone, see `occurs`)."""
    raw = value.encode()
    if kind == "code":
        return [(raw, raw.isdigit())]
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        found = [(raw, False)]
        if len(digits) >= 8:
            found.append((digits.encode(), True))
        if len(digits) >= 11:  # the number without its country code, as a national form shows it
            found.append((digits[-10:].encode(), True))
        return found
    if kind == "email":
        return [(raw, False), (value.lower().encode(), False)]
    if kind == "totp_secret":
        # base32 as handed out, lowercase (some apps and URIs), and the raw key bytes' hex.
        found = [(raw, False), (value.lower().encode(), False)]
        padded = value + "=" * (-len(value) % 8)
        found.append((base64.b32decode(padded).hex().encode(), False))
        return found
    if kind == "recovery_code":
        # as shown (xxxxx-xxxxx) and without the hyphen, as typed
        return [(raw, True), (value.replace("-", "").encode(), True)]
    return [(raw, False)]


def grep_hits(needles: set[bytes], files: list[Path]) -> dict[str, set[bytes]]:
    """Which needles occur in which file: GNU grep's fixed-string search
    (Aho-Corasick, one pass however many needles) finds the candidates."""
    if not needles or not files:
        return {}
    with tempfile.NamedTemporaryFile("wb", suffix=".needles") as f:
        f.write(b"\n".join(sorted(needles)) + b"\n")
        f.flush()
        cp = subprocess.run(["grep", "-aoFZH", "-f", f.name, "--", *map(str, files)], capture_output=True)
    assert cp.returncode in (0, 1), cp.stderr  # 1: nothing found
    hits: dict[str, set[bytes]] = {}
    for line in cp.stdout.split(b"\n"):
        if b"\0" in line:
            name, match = line.split(b"\0", 1)
            hits.setdefault(name.decode(), set()).add(match)
    return hits


def occurs(data: bytes, needle: bytes, alone: bool) -> bool:
    if not alone:
        return needle in data
    # Alone: not inside a longer run of letters or digits (a code's digits
    # turn up inside hex digests), not the fraction of a number (an audit
    # event's "time_unix": 1765000000.482913), and not a process id
    # ("peer_pid=123456", "peer_pid": 123456).
    return re.search(rb"(?<![0-9A-Za-z.])(?<!pid=)(?<!pid\": )" + re.escape(needle) + rb"(?![0-9A-Za-z])",
                     data) is not None


def file_kind(name: str) -> str:
    if name.endswith("riegel.sqlite"):
        return "database"
    if name.endswith("riegel.sqlite-wal") or "kept-wal-" in name:
        return "wal"
    if name.endswith("riegeld.log"):
        return "log"
    if "kept-audit-export-" in name:
        return "audit export"
    return "other"


def search(secrets: dict[str, str], paths: list[Path]) -> tuple[list[str], Counter, int]:
    """(where secrets occur, secrets searched per kind, secrets too short to search)."""
    wanted: dict[bytes, list[tuple[str, int, bool]]] = {}
    kinds, too_short = Counter(), 0
    for value, kind in secrets.items():
        if len(value) < MIN_LENGTH[kind]:
            too_short += 1
            continue
        kinds[kind] += 1
        for needle, alone in needles(value, kind):
            wanted.setdefault(needle, []).append((kind, len(value), alone))
    found = []
    for name, matches in grep_hits(set(wanted), paths).items():
        data = Path(name).read_bytes()
        for needle, uses in wanted.items():
            if any(needle in m for m in matches):
                found += [f"a {kind} ({length} characters) in {Path(name).name}"
                          for kind, length, alone in uses if occurs(data, needle, alone)]
    return found, kinds, too_short


def test_no_secret_the_suite_used_is_stored_or_logged_in_clear(tmp_path):
    assert shutil.which("grep"), "grep is needed"
    units = sorted(p for p in SECRETS.dir.iterdir() if p.is_dir()) if SECRETS.dir.exists() else []
    findings = []
    files = Counter()
    secrets = Counter()
    too_short = 0
    scanned_bytes = 0
    controls = 0
    for n, unit in enumerate(units):
        meta = json.loads((unit / "secrets.json").read_text())
        paths = [p for p in sorted(unit.iterdir()) if p.name != "secrets.json"]
        for p in list(paths):
            if p.stat().st_size:  # an empty WAL (after a clean stop) holds nothing to count
                files[file_kind(p.name)] += 1
            scanned_bytes += p.stat().st_size
            if file_kind(p.name) == "audit export":
                # A JSON export escapes "+" and non-ASCII: search the decoded text too.
                decoded = tmp_path / f"{n}-{p.name}.decoded"
                decoded.write_text(json.dumps(json.loads(p.read_bytes()), ensure_ascii=False))
                paths.append(decoded)
        found, kinds, short = search(meta["secrets"], paths)
        findings += [f"{meta['test']}: {f}" for f in found]
        secrets += kinds
        too_short += short
        # A control: each kind of secret of this test, planted in a copy of
        # its log, is found (so finding nothing above means something).
        log = next((p for p in paths if file_kind(p.name) == "log"), None)
        for kind in sorted(kinds):
            value = next(v for v, k in meta["secrets"].items() if k == kind and len(v) >= MIN_LENGTH[k])
            planted = tmp_path / "planted.log"
            planted.write_bytes((log.read_bytes() if log else b"") + f" x={value}\n".encode())
            assert search({value: kind}, [planted])[0], f"the search misses a planted {kind}"
            controls += 1
    summary = f"searched {sum(secrets.values())} secrets {dict(secrets)} in {dict(files)} " \
              f"({scanned_bytes / 1e6:.0f} MB) of {len(units)} roots (skipped {too_short} too short to " \
              f"search; {controls} planted controls found)"
    print(summary)
    assert not findings, "secrets in clear:\n" + "\n".join(sorted(set(findings))[:50])
    # Not vacuous: the suite ran before this test and the hooks saw its secrets and files.
    assert len(units) >= 100, f"only {len(units)} roots kept: run this after the whole suite; {summary}"
    for kind, least in {"password": 20, "token": 200, "code": 50, "phone": 20, "email": 5, "totp_secret": 3,
                        "recovery_code": 10}.items():
        assert secrets[kind] >= least, f"only {secrets[kind]} {kind}s collected; {summary}"
    for kind, least in {"database": 100, "wal": 20, "log": 100, "audit export": 50}.items():
        assert files[kind] >= least, f"only {files[kind]} {kind} files kept; {summary}"
