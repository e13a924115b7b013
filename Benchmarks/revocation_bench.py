#!/usr/bin/env python3
"""Revocation propagation between two riegeld instances on one PostgreSQL
(issue 17, "Speed"): how long after a Logout on instance A the old token
fails on instance B. Goal: p99 <= 1 s.

A scratch PostgreSQL 15 (scripts/pg-scratch) and two riegelds on one
database. For each of N sessions (logged in on A, checked once on B so B
holds it in memory): call Logout on A, then call CheckSession(touch=false) on
B in a tight loop until it answers SessionExpired(revoked). Two figures per
revocation: from the Logout call (what a user sees) and from A's reply (the
propagation alone: commit -> NOTIFY -> B's feed reads session_change -> B
forgets the session -> B's next check reads the row). Each probe that still
succeeds is a cache hit on B (no database query).

Usage (repo root; needs Tests/IntegrationTests/requirements.txt):
  swift build --product riegeld          # or -c release and RIEGEL_BIN_DIR=.build/release
  .venv/bin/python Benchmarks/revocation_bench.py [--revocations 1000] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "debug"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))

import varlink  # noqa: E402

from postgres_harness import ScratchPostgres  # noqa: E402
from riegel_harness import Daemon, make_root, remove_root  # noqa: E402

PASSWORD = "Kl4vier-Sonate-Mond"
# Cheap hashes: the logins only set the bench up; max_per_user above N.
EXTRA = "[password]\nmemory_kib = 1024\niterations = 1\n[session]\nmax_per_user = 10000\n"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {"p50_ms": round(pct(ms, 50), 2), "p90_ms": round(pct(ms, 90), 2), "p99_ms": round(pct(ms, 99), 2),
            "max_ms": round(max(ms), 2), "mean_ms": round(statistics.mean(ms), 2)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--revocations", type=int, default=1000)
    ap.add_argument("--json")
    args = ap.parse_args()
    postgres = ScratchPostgres()
    root = make_root()
    daemons = []
    try:
        database = postgres.create_database()
        (root / "a").mkdir()
        a = Daemon(root / "a", extra_config=postgres.storage_config(database) + EXTRA).start()
        daemons.append(a)
        (root / "b").mkdir()
        b = Daemon(root / "b", extra_config=postgres.storage_config(database) + EXTRA)
        b.state.mkdir(mode=0o700)
        (b.state / "master.key").write_bytes((a.state / "master.key").read_bytes())
        (b.state / "master.key").chmod(0o600)
        b.start()
        daemons.append(b)
        from_call, from_reply, probes = [], [], []
        with a.client().open("io.riegel.Auth") as auth_a, b.client().open("io.riegel.Auth") as auth_b:
            auth_a.Register(username="bench", password=PASSWORD)
            for i in range(args.revocations):
                token = auth_a.Login(username="bench", password=PASSWORD,
                                     client={"ip": "192.0.2.1", "user_agent": "bench"})["session"]["token"]
                auth_b.CheckSession(token=token, touch=False)  # B holds it now
                auth_b.CheckSession(token=token, touch=False)  # and answers it from memory
                t0 = time.monotonic()
                auth_a.Logout(token=token)
                t1 = time.monotonic()
                n = 0
                while True:
                    n += 1
                    try:
                        auth_b.CheckSession(token=token, touch=False)
                    except varlink.VarlinkError as e:
                        assert e.error() == "io.riegel.Auth.SessionExpired", e.error()
                        break
                    if time.monotonic() - t0 > 10:
                        raise AssertionError(f"revocation {i} did not reach B within 10 s")
                t2 = time.monotonic()
                from_call.append(t2 - t0)
                from_reply.append(t2 - t1)
                probes.append(n)
        result = {
            "revocations": args.revocations,
            "from_logout_call": summary(from_call),
            "from_logout_reply": summary(from_reply),
            "probes_per_revocation": {"p50": pct(probes, 50), "p99": pct(probes, 99), "max": max(probes)},
            "over_1s": sum(1 for v in from_call if v > 1.0),
            "loadavg": Path("/proc/loadavg").read_text().split()[0],
            "riegeld": os.environ["RIEGEL_BIN_DIR"],
        }
        print(json.dumps(result, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
        return 0
    finally:
        for d in daemons:
            try:
                d.stop()
            except Exception:  # noqa: BLE001
                pass
        postgres.stop()
        remove_root(root)


if __name__ == "__main__":
    sys.exit(main())
