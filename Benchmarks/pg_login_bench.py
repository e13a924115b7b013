#!/usr/bin/env python3
"""Password logins on the PostgreSQL back end (issue 17, "Speed"), one riegeld
and two sharing one database, against the argon2 anchor in the same run. A
benchmark, not a test.

In alternating slices (so all see the same load):
  anchor   libargon2 argon2id at riegeld's parameters, one thread per core
           (login_bench.py's anchor: the very library and function riegeld calls);
  one      6 client processes logging in to riegeld A (PostgreSQL);
  two      3 clients on A and 3 on B at once: two riegelds on one database and
           the same two cores, each with its default hash pool (one worker per core).
Ratios per slice to the anchor slice before it; medians over the rounds. The
database is a scratch PostgreSQL 15 on a Unix socket (scripts/pg-scratch).

Usage (repo root, after `swift build -c release --product riegeld`):
    RIEGEL_BIN_DIR=.build/release .venv/bin/python Benchmarks/pg_login_bench.py [--rounds 4]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import login_bench as lb  # noqa: E402
from riegel_harness import Daemon, make_root, remove_root, scratch_postgres  # noqa: E402


def postgres_cpu() -> float:
    """CPU seconds (user + system) of every PostgreSQL server process so far."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            u, s_, _ = lb.proc_counters(int(pid))
            total += u + s_
        except (OSError, ValueError):
            continue
    return total


def instance(database: str, name: str, master: bytes | None) -> Daemon:
    d = Daemon(make_root(), extra_config=scratch_postgres().storage_config(database) + lb.THROTTLE)
    if master is not None:  # one deployment, one master key
        d.state.mkdir(mode=0o700)
        (d.state / "master.key").write_bytes(master)
        (d.state / "master.key").chmod(0o600)
    d.start()
    d.tag = name
    return d


def both(a: Daemon, b: Daemon, users, seconds: float) -> dict:
    out = {}

    def run(d, part, key):
        out[key] = lb.drive(d, "Login", part, len(part), 1, seconds)
    ts = [threading.Thread(target=run, args=(a, users[0::2], "a")), threading.Thread(target=run, args=(b, users[1::2], "b"))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {"rate": out["a"]["rate"] + out["b"]["rate"], "a": out["a"], "b": out["b"],
            "p99_ms": max(out["a"]["p99_ms"], out["b"]["p99_ms"])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--slice-seconds", type=float, default=3)
    ap.add_argument("--clients", type=int, default=6)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    print(f"# pg_login_bench {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC cores={cores} load={os.getloadavg()}",
          flush=True)
    database = scratch_postgres().create_database()
    a = instance(database, "a", None)
    b = instance(database, "b", (a.state / "master.key").read_bytes())
    try:
        users = [f"pg-bench-{i}" for i in range(args.clients)]
        lb.register(a, users)
        sqlite = Daemon(make_root(), extra_config=lb.THROTTLE + '[storage]\nbackend = "sqlite"\n').start()
        lb.register(sqlite, users)
        rows, lite, pg_ms = [], [], []
        for i in range(args.rounds):
            an = lb.anchor("system", cores, args.slice_seconds)
            cpu0 = postgres_cpu()
            one = lb.drive(a, "Login", users, args.clients, 1, args.slice_seconds)
            pg_ms.append(1000 * (postgres_cpu() - cpu0) / max(1, one["ok"]))
            an2 = lb.anchor("system", cores, args.slice_seconds)
            two = both(a, b, users, args.slice_seconds)
            an3 = lb.anchor("system", cores, args.slice_seconds)
            sq = lb.drive(sqlite, "Login", users, args.clients, 1, args.slice_seconds)
            lite.append(sq["rate"] / an3["rate"])
            rows.append((an, one, an2, two))
            print(f"round {i + 1}: SQLite {sq['rate']:.1f}/s ({lite[-1]:.2f}x, riegeld {sq['daemon_cpu_ms_per_ok']:.1f} ms CPU/login); "
                  f"PostgreSQL one: riegeld {one['daemon_cpu_ms_per_ok']:.1f} + server {pg_ms[-1]:.1f} ms CPU/login", flush=True)
            print(f"round {i + 1}: anchor {an['rate']:.1f}/s, one {one['rate']:.1f}/s ({one['rate'] / an['rate']:.2f}x) | "
                  f"anchor {an2['rate']:.1f}/s, two {two['rate']:.1f}/s ({two['rate'] / an2['rate']:.2f}x; "
                  f"A {two['a']['rate']:.1f} B {two['b']['rate']:.1f}, p99 {two['p99_ms']:.0f} ms)", flush=True)
        r1 = [one["rate"] / an["rate"] for an, one, _, _ in rows]
        r2 = [two["rate"] / an2["rate"] for _, _, an2, two in rows]
        print(f"\nmedian ratio to the anchor: SQLite {statistics.median(lite):.2f}x (range {min(lite):.2f}-{max(lite):.2f}); "
              f"PostgreSQL server CPU per login (one instance) {statistics.median(pg_ms):.1f} ms")
        print(f"median ratio to the anchor: one instance {statistics.median(r1):.2f}x "
              f"(range {min(r1):.2f}-{max(r1):.2f}); two instances {statistics.median(r2):.2f}x "
              f"(range {min(r2):.2f}-{max(r2):.2f}); load after {os.getloadavg()}")
        sqlite.stop()
        sqlite.notify.close()
        remove_root(sqlite.root)
    finally:
        for d in (a, b):
            d.stop()
            d.notify.close()
            remove_root(d.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
