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

With --split, the two cores play two hosts, as in the deployment of
docs/operations.md (the server on its own host, the portal on its own):
CPU 0 is riegeld's host (riegeld, and the anchor with one thread), CPU 1 runs
the PostgreSQL server and the clients. Slices: anchor, one riegeld on
PostgreSQL, one on SQLite (no "two": two instances would share CPU 0).

Usage (repo root, after `swift build -c release --product riegeld`):
    RIEGEL_BIN_DIR=.build/release .venv/bin/python Benchmarks/pg_login_bench.py [--rounds 4] [--split]
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


RIEGELD_CPU, OTHER_CPU = {0}, {1}


def pin_process(pid: int, cpus: set[int]) -> None:
    """Every thread of `pid` onto `cpus` (threads made later inherit it from their creator)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:
            pass


def pin_postgres(cpus: set[int]) -> None:
    """The PostgreSQL server's processes onto `cpus` (new backends fork from the postmaster)."""
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == "postgres":
                        pin_process(int(pid), cpus)
            except OSError:
                continue


def pinned_anchor(seconds: float) -> dict:
    """The argon2 anchor with one thread on riegeld's CPU (the calling thread's
    mask is what new threads inherit; it is put back after)."""
    os.sched_setaffinity(0, RIEGELD_CPU)
    try:
        return lb.anchor("system", 1, seconds)
    finally:
        os.sched_setaffinity(0, OTHER_CPU)


def split(args, a: Daemon, b: Daemon, sqlite: Daemon, users) -> None:
    """The --split rounds: riegeld and the anchor on CPU 0, server and clients on CPU 1
    (B, idle, is another host too)."""
    pin_postgres(OTHER_CPU)
    pin_process(b.proc.pid, OTHER_CPU)
    pin_process(a.proc.pid, RIEGELD_CPU)
    pin_process(sqlite.proc.pid, RIEGELD_CPU)
    os.sched_setaffinity(0, OTHER_CPU)  # the clients fork from here
    pg, lite, pg_ms = [], [], []
    for i in range(args.rounds):
        an = pinned_anchor(args.slice_seconds)
        cpu0 = postgres_cpu()
        one = lb.drive(a, "Login", users, args.clients, 1, args.slice_seconds)
        pg_ms.append(1000 * (postgres_cpu() - cpu0) / max(1, one["ok"]))
        an2 = pinned_anchor(args.slice_seconds)
        sq = lb.drive(sqlite, "Login", users, args.clients, 1, args.slice_seconds)
        pg.append(one["rate"] / an["rate"])
        lite.append(sq["rate"] / an2["rate"])
        print(f"round {i + 1}: anchor {an['rate']:.1f}/s, PostgreSQL {one['rate']:.1f}/s ({pg[-1]:.2f}x, riegeld "
              f"{one['daemon_cpu_ms_per_ok']:.1f} ms CPU/login, server {pg_ms[-1]:.1f} ms, p99 {one['p99_ms']:.0f} ms) | "
              f"anchor {an2['rate']:.1f}/s, SQLite {sq['rate']:.1f}/s ({lite[-1]:.2f}x, riegeld "
              f"{sq['daemon_cpu_ms_per_ok']:.1f} ms CPU/login) | outcomes {one['outcomes']} {sq['outcomes']}", flush=True)
    print(f"\nsplit, median ratio to the one-core anchor: PostgreSQL {statistics.median(pg):.2f}x "
          f"(range {min(pg):.2f}-{max(pg):.2f}), SQLite {statistics.median(lite):.2f}x "
          f"(range {min(lite):.2f}-{max(lite):.2f}); server CPU per login {statistics.median(pg_ms):.1f} ms; "
          f"load after {os.getloadavg()}")


# --split: riegeld's host has one core, so one hashing thread, as the default
# (one per core) gives on such a host. Pinned after it started, riegeld still
# counts two cores; two threads would then take turns on one, each with its
# 19 MiB working set, against an anchor of one thread. The queue holds every
# client's call (the default, four per worker, would answer the sixth Overloaded).
ONE_CORE_HOST = "[password]\nhash_workers = 1\nhash_queue_limit = 16\n"


def instance(database: str, name: str, master: bytes | None, extra: str = "") -> Daemon:
    d = Daemon(make_root(), extra_config=scratch_postgres().storage_config(database) + lb.THROTTLE + extra)
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
    ap.add_argument("--split", action="store_true",
                    help="CPU 0 for riegeld and the anchor, CPU 1 for the server and the clients")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    print(f"# pg_login_bench {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC cores={cores} load={os.getloadavg()}",
          flush=True)
    database = scratch_postgres().create_database()
    host = ONE_CORE_HOST if args.split else ""
    a = instance(database, "a", None, host)
    b = instance(database, "b", (a.state / "master.key").read_bytes())
    try:
        users = [f"pg-bench-{i}" for i in range(args.clients)]
        lb.register(a, users)
        sqlite = Daemon(make_root(), extra_config=lb.THROTTLE + host + '[storage]\nbackend = "sqlite"\n').start()
        lb.register(sqlite, users)
        if args.split:
            split(args, a, b, sqlite, users)
            sqlite.stop()
            sqlite.notify.close()
            remove_root(sqlite.root)
            return 0
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
