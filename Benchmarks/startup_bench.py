#!/usr/bin/env python3
"""Start-up with a million stored sessions and a million accounts (issue 18).

One run:
  1. anchor: a release riegeld with one account and 16 sessions; start to
     READY=1 (the sd_notify datagram), RUNS times;
  2. sessions: 1 M live sessions (rows inserted straight into riegel.sqlite's
     `session` table, spread over 1000 accounts), plus 1000 revoked and 1000
     idle-expired ones; start to READY=1, RUNS times; VmRSS at READY and once
     the session table is fully loaded (Admin.Status `sessions` check);
  3. accounts: as 2, plus 1 M more accounts (copies of the bench account's
     row under new ids and names); start to READY=1, RUNS times, VmRSS.
Right after each READY=1 (before the table is loaded) it checks that
expiry and revocation are exact: a random stored live token is valid, a
revoked one answers SessionExpired(revoked), an idle-expired one and a
never-issued one InvalidToken (as once the table is loaded).

Figures are medians of RUNS starts with their range, and each phase's ratio
to the anchor of the same run (the machine is shared: only same-run ratios
carry). Goal: READY ≤ 300 ms with 1 M sessions (and with 1 M accounts).
Each run starts twice: after a chmod of the file (the start-up integrity
check then runs before READY=1, as after a crash) and after a clean stop (it
runs after READY=1; docs/reliability.md, "Start-up integrity check").
Usage (repo root; needs Tests/IntegrationTests/requirements.txt):
  swift build -c release --product riegeld
  .venv/bin/python Benchmarks/startup_bench.py [--runs 3] [--sessions 1000000] [--accounts 1000000] [--json out.json]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import secrets
import sqlite3
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "release"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
sys.path.insert(0, str(REPO / "Benchmarks"))

from riegel_harness import RIEGELD, Daemon, make_root, remove_root  # noqa: E402
from session_bench import PASSWORD, SESSION_CONFIG, USER, log, login_tokens, rss_kib  # noqa: E402


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def new_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def insert_users(con: sqlite3.Connection, count: int, prefix: str) -> list[str]:
    """`count` copies of the bench account's row under new ids and names; returns their ids."""
    cols = [r[1] for r in con.execute("PRAGMA table_info(user)")]
    template = dict(zip(cols, con.execute(f"SELECT {', '.join(cols)} FROM user WHERE username = ?",
                                           (USER,)).fetchone()))
    ids = []

    def rows():
        for i in range(count):
            uid = "u_" + secrets.token_hex(16)
            ids.append(uid)
            row = dict(template, id=uid, username=f"{prefix}{i}", username_key=f"{prefix}{i}")
            yield tuple(row[c] for c in cols)

    con.executemany(f"INSERT INTO user ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows())
    return ids


def insert_sessions(con: sqlite3.Connection, users: list[str], count: int, *, created: float,
                    revoked: bool = False) -> list[str]:
    tokens = []

    def rows():
        for i in range(count):
            token = new_token()
            tokens.append(token)
            yield ("s_" + secrets.token_hex(16), users[i % len(users)], hashlib.sha256(token.encode()).digest(),
                   "password", "password", created, created, None, created, None, None,
                   created if revoked else None, "logout" if revoked else None)

    con.executemany(
        "INSERT INTO session (id, user_id, token_digest, assurance, method, created_at, authenticated_at,"
        " second_factor_at, last_activity_at, client_ip, user_agent, revoked_at, revoke_reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    return tokens


def start_to_ready(d: Daemon) -> float:
    t0 = time.monotonic()
    d.start()
    return time.monotonic() - t0


def sessions_check(d: Daemon) -> str:
    with d.client().open("io.riegel.Admin") as a:
        for c in a.Status()["checks"]:
            if c["name"] == "sessions":
                return c.get("detail") or ""
    return ""


def wait_loaded(d: Daemon, timeout: float = 600) -> float:
    """Seconds from now until the sessions check no longer says it is loading."""
    t0 = time.monotonic()
    while "loading" in sessions_check(d):
        if time.monotonic() - t0 > timeout:
            raise RuntimeError("session table still loading")
        time.sleep(0.05)
    return time.monotonic() - t0


def probe(d: Daemon, live: list[str], revoked: list[str], idle: list[str]) -> dict:
    """Exactness right after READY=1: answers for stored tokens not yet loaded."""
    import varlink
    out = {}
    with d.client().open("io.riegel.Auth") as a:
        out["live"] = "valid" if a.CheckSession(token=random.choice(live), touch=False)["info"]["session_id"] else "?"
        for name, token in (("revoked", random.choice(revoked)), ("idle", random.choice(idle)),
                            ("never_issued", new_token())):
            try:
                a.CheckSession(token=token, touch=False)
                out[name] = "valid"
            except varlink.VarlinkError as e:
                out[name] = e.error().rsplit(".", 1)[1] + (f"({e.parameters().get('reason')})"
                                                           if e.parameters().get("reason") else "")
    # An expired session is not loaded (nor found later): InvalidToken, as after a full load.
    expected = {"live": "valid", "revoked": "SessionExpired(revoked)", "idle": "InvalidToken",
                "never_issued": "InvalidToken"}
    if out != expected:
        raise AssertionError(f"not exact right after READY=1: {out}")
    return out


def database_check(d: Daemon, wait: bool = False) -> str:
    """The `database_check` detail; with wait, once the check after start is done."""
    while True:
        with d.client().open("io.riegel.Admin") as a:
            detail = next(c.get("detail") or "" for c in a.Status()["checks"] if c["name"] == "database_check")
        if not (wait and "running" in detail):
            return detail
        time.sleep(0.05)


def measure(d: Daemon, runs: int, label: str, tokens=None) -> dict:
    """Each run starts twice: once after a chmod of the file (as after a crash
    or a restore: the integrity check runs before READY=1), then after the
    clean stop of that start (the check runs after READY=1)."""
    out = {"ready_s": [], "ready_checked_s": [], "check_after_s": [], "rss_ready_mib": [],
           "rss_loaded_mib": [], "loaded_after_s": []}
    for i in range(runs):
        for kind in ("checked", "clean"):
            load_before = loadavg()
            if kind == "checked":
                os.chmod(d.state / "riegel.sqlite", 0o600)  # moves the change time: no clean-stop match
            t = start_to_ready(d)
            rss = rss_kib(d.proc.pid)["VmRSS"] / 1024
            if tokens:
                probe(d, *tokens)
            loaded = wait_loaded(d)
            rss_loaded = rss_kib(d.proc.pid)["VmRSS"] / 1024
            check = database_check(d, wait=True)
            assert check == "ok before start" if kind == "checked" else check.startswith("ok after start"), check
            assert d.stop() == 0, d.log_text()
            if kind == "checked":
                out["ready_checked_s"].append(t)
            else:
                out["ready_s"].append(t)
                out["check_after_s"].append(float(check.split(", ")[1].split(" ")[0]))
                out["rss_ready_mib"].append(rss)
                out["rss_loaded_mib"].append(rss_loaded)
                out["loaded_after_s"].append(loaded)
            log(f"{label} run {i} ({kind}): READY in {t * 1000:.0f} ms, loaded {loaded:.1f} s after, "
                f"VmRSS {rss:.0f} -> {rss_loaded:.0f} MiB, {check} (load {load_before} -> {loadavg()})")
    return out


def med(xs):
    return statistics.median(xs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not RIEGELD.exists():
        log(f"{RIEGELD} missing: swift build -c release --product riegeld")
        return 2
    root = make_root()
    results = {}
    try:
        d = Daemon(root, extra_config=SESSION_CONFIG).start()
        login_tokens(d, 16)
        assert d.stop() == 0
        results["anchor"] = measure(d, args.runs, "anchor")

        db = sqlite3.connect(str(d.state / "riegel.sqlite"))
        now = time.time()
        with db:
            users = insert_users(db, 1000, "owner")
            live = insert_sessions(db, users, args.sessions, created=now)
            revoked = insert_sessions(db, users, 1000, created=now, revoked=True)
            # Last active 47 h ago: past the 1 d idle timeout, within the 2 d absolute one.
            idle = insert_sessions(db, users, 1000, created=now - 47 * 3600)
        log(f"inserted {args.sessions} live sessions (+1000 revoked, +1000 idle)")
        sample = (random.sample(live, 1000), revoked, idle)
        results["sessions"] = measure(d, args.runs, f"{args.sessions} sessions", sample)

        with db:
            insert_users(db, args.accounts, "acct")
        db.close()
        log(f"inserted {args.accounts} accounts")
        results["accounts"] = measure(d, args.runs, f"{args.sessions} sessions + {args.accounts} accounts", sample)
    finally:
        remove_root(root)

    anchor = med(results["anchor"]["ready_s"])
    print("| phase | start to READY=1 ms after a clean stop, median (range) | ratio to anchor | "
          "integrity check done s after READY | start to READY=1 ms after a crash or change (check first) | "
          "VmRSS at READY MiB | table loaded s after READY | VmRSS loaded MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, label in (("anchor", "1 account, 16 sessions"), ("sessions", f"{args.sessions} sessions"),
                        ("accounts", f"{args.sessions} sessions + {args.accounts} accounts")):
        r = results[name]
        ready = r["ready_s"]
        checked = r["ready_checked_s"]
        print(f"| {label} | {med(ready) * 1000:.0f} ({min(ready) * 1000:.0f}–{max(ready) * 1000:.0f}) | "
              f"{med(ready) / anchor:.2f} | {med(r['check_after_s']):.1f} | "
              f"{med(checked) * 1000:.0f} ({min(checked) * 1000:.0f}–{max(checked) * 1000:.0f}) | "
              f"{med(r['rss_ready_mib']):.0f} | {med(r['loaded_after_s']):.1f} | {med(r['rss_loaded_mib']):.0f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
