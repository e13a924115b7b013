#!/usr/bin/env python3
"""CheckSession benchmark for issue 4, measured against redis GET in the same run.

One run (about 3-4 minutes on the 2-vCPU machines):
  1. starts a release riegeld (via Tests/IntegrationTests/riegel_harness.py) with long
     session lifetimes, registers a user and logs in 64 times (PyPI varlink client);
  2. CheckSession at concurrency 1/16/64 (touch=true; touch=false at 16) with the C
     load generator Benchmarks/varlink_load.c, and redis GET on a Unix socket at the same
     concurrency with redis-benchmark (the issue's anchor) and with the same C client
     in --raw mode (same client, so the ratio is about the servers only). The C client
     runs all connections from one epoll thread (--epoll), the shape of redis-benchmark's
     client; at c=16 the script also measures both servers with one client thread per
     connection (the client this script used before), for comparison;
  3. 1 k vs 1 M live sessions: stops riegeld, inserts rows straight into its
     riegel.sqlite `session` table, restarts it (time to READY=1), CheckSession at c=16
     over the sessions' tokens;
  4. VmRSS after loading 1 k and 1 M sessions -> bytes per session.

The machine is shared and noisy: only ratios measured in the same run mean much.
Usage (from the repo root; needs `pip install -r Tests/IntegrationTests/requirements.txt`,
redis-server, redis-tools, cc):
  python3 Benchmarks/session_bench.py [--duration 3] [--big 1000000] [--no-build] [--json out.json]
  (add --client threads to drive every measurement with one client thread per connection)
"""
from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import platform
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "release"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))

from riegel_harness import RIEGELD, STORAGE, Daemon, make_root, remove_root, scratch_postgres  # noqa: E402

PASSWORD = "Kl4vier-Sonate-Mond"
USER = "bench"
SESSION_CONFIG = (
    "[session]\n"
    'idle_timeout = "1d"\n'
    'absolute_timeout = "2d"\n'
    "max_per_user = 10000\n"  # the logins below must not hit the per-user cap
)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --- tools -----------------------------------------------------------------------

def build_load_generator(tmp: Path) -> Path:
    out = tmp / "varlink_load"
    subprocess.run(["cc", "-O2", "-pthread", "-o", str(out), str(REPO / "Benchmarks" / "varlink_load.c")], check=True)
    return out


def cpu_ticks(pid: int) -> tuple[int, int]:
    """utime, stime of a process (all its threads) in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def run_load(load: Path, sock: Path, conc: int, duration: float, tokens: Path | None = None,
             touch: bool = True, raw: bool = False, server_pid: int | None = None, epoll: bool = False) -> dict:
    """Runs the C load generator; with server_pid, also the server's CPU time per call
    (user and system, µs; includes the warm-up calls, so it is a slight overestimate).
    epoll: one client thread for all connections (redis-benchmark's shape) instead of one per connection."""
    argv = [str(load), "-s", str(sock), "-c", str(conc), "-d", str(duration), "--warmup", "0.5"]
    if epoll:
        argv.append("--epoll")
    if raw:
        argv.append("--raw")
    else:
        argv += ["-t", str(tokens)]
        if not touch:
            argv.append("--no-touch")
    before = cpu_ticks(server_pid) if server_pid else None
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    after = cpu_ticks(server_pid) if server_pid else None
    if cp.stderr.strip():
        log(cp.stderr.strip())
    fields = dict(kv.split("=", 1) for kv in cp.stdout.split())
    r = {k: float(v) for k, v in fields.items()}
    if r.get("failed"):
        raise RuntimeError(f"load generator failed: {cp.stdout}{cp.stderr}")
    if server_pid:
        # calls made: measured ones plus the warm-up at about the same rate
        calls = r["calls"] * (duration + 0.5) / duration
        hz = os.sysconf("SC_CLK_TCK")
        r["cpu_user_us"] = (after[0] - before[0]) / hz * 1e6 / calls
        r["cpu_sys_us"] = (after[1] - before[1]) / hz * 1e6 / calls
    return r


def redis_benchmark(sock: Path, conc: int, n: int) -> dict:
    """redis-benchmark 7 with --csv: rps and latency percentiles in ms."""
    cp = subprocess.run(["redis-benchmark", "-s", str(sock), "-t", "get", "-c", str(conc), "-n", str(n), "--csv"],
                        capture_output=True, text=True, timeout=300, check=True)
    rows = list(csv.DictReader(io.StringIO(cp.stdout)))
    row = rows[-1]
    return {"rate": float(row["rps"]), "p50_us": float(row["p50_latency_ms"]) * 1000,
            "p99_us": float(row["p99_latency_ms"]) * 1000, "max_us": float(row["max_latency_ms"]) * 1000}


class Redis:
    def __init__(self, root: Path):
        self.sock = root / "redis.sock"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", str(self.sock), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.sock.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        subprocess.run(["redis-cli", "-s", str(self.sock), "set", "key", "x" * 43], check=True,
                       stdout=subprocess.DEVNULL)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


# --- riegeld -----------------------------------------------------------------------

def rss_kib(pid: int) -> dict:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM", "RssAnon"):
            out[k] = int(v.split()[0])
    return out


def start_timed(d: Daemon) -> float:
    t0 = time.monotonic()
    d.start()
    return time.monotonic() - t0


def login_tokens(d: Daemon, k: int) -> list[str]:
    import varlink
    tokens = []
    with d.client().open("io.riegel.Auth") as a:
        a.Register(username=USER, password=PASSWORD)
        for _ in range(k):
            s = a.Login(username=USER, password=PASSWORD, client={"ip": "192.0.2.5", "user_agent": "bench"})["session"]
            tokens.append(s["token"])
        # sanity: a token works, and a never-issued one does not
        assert a.CheckSession(token=tokens[0])["info"]["session_id"]
        try:
            a.CheckSession(token="never-issued")
            raise AssertionError("a never-issued token was accepted")
        except varlink.VarlinkError:
            pass
    return tokens


def insert_sessions(db_path: Path, count: int) -> list[str]:
    """Adds `count` live sessions of USER straight into the session table (one transaction)."""
    now = time.time()
    con = sqlite3.connect(str(db_path))
    (user_id,) = con.execute("SELECT id FROM user WHERE username = ?", (USER,)).fetchone()
    tokens: list[str] = []

    def rows():
        for _ in range(count):
            token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
            tokens.append(token)
            yield ("s_" + secrets.token_hex(16), user_id, hashlib.sha256(token.encode()).digest(),
                   "password", "password", now, now, None, now, "192.0.2.5", "bench", None, None)

    with con:
        con.executemany(
            "INSERT INTO session (id, user_id, token_digest, assurance, method, created_at, authenticated_at,"
            " second_factor_at, last_activity_at, client_ip, user_agent, revoked_at, revoke_reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    (live,) = con.execute("SELECT count(*) FROM session WHERE revoked_at IS NULL").fetchone()
    con.close()
    return tokens, live


def write_tokens(path: Path, tokens: list[str]) -> Path:
    path.write_text("\n".join(tokens) + "\n")
    return path


# --- main ----------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per measurement (plus 0.5 s warm-up)")
    ap.add_argument("--logins", type=int, default=64)
    ap.add_argument("--small", type=int, default=1000, help="live sessions in the small case")
    ap.add_argument("--big", type=int, default=1_000_000, help="live sessions in the big case")
    ap.add_argument("--sample", type=int, default=100_000, help="tokens of the big case to check over")
    ap.add_argument("--no-build", action="store_true", help="use the existing .build/release/riegeld")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--client", choices=("epoll", "threads"), default="epoll",
                    help="C client shape: one epoll thread for all connections (like redis-benchmark; default) "
                         "or one thread per connection")
    args = ap.parse_args()
    epoll = args.client == "epoll"

    if not args.no_build:
        log("building riegeld (release)...")
        subprocess.run(["swift", "build", "-c", "release", "--product", "riegeld"], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
    if not RIEGELD.exists():
        log(f"{RIEGELD} missing")
        return 2
    for tool in ("redis-server", "redis-benchmark", "redis-cli", "cc"):
        if not shutil.which(tool):
            log(f"{tool} missing: apt-get install redis-server redis-tools build-essential")
            return 2

    t_start = time.monotonic()
    root = make_root()
    res: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(),
                 "kernel": platform.release(), "duration_s": args.duration, "loadavg_start": os.getloadavg(),
                 "client": args.client}
    load = build_load_generator(root)
    redis = Redis(root)
    d = Daemon(root, extra_config=SESSION_CONFIG)
    try:
        start_timed(d)
        log("logging in...")
        tokens = login_tokens(d, args.logins)
        tok64 = write_tokens(root / "tokens64.txt", tokens)

        # 2. concurrency sweep, riegeld vs redis in alternation
        sweep = []
        for conc in (1, 16, 64):
            rl = run_load(load, d.sock, conc, args.duration, tok64, server_pid=d.proc.pid, epoll=epoll)
            raw = run_load(load, redis.sock, conc, args.duration, raw=True, server_pid=redis.proc.pid, epoll=epoll)
            n = int(min(2_000_000, max(50_000, raw["rate"] * args.duration)))
            rb = redis_benchmark(redis.sock, conc, n)
            row = {"c": conc, "touch": True, "client": args.client, "riegel": rl, "redis_benchmark": rb, "redis_c_client": raw}
            sweep.append(row)
            log(f"c={conc}: riegel {rl['rate']:.0f}/s p50 {rl['p50_us']:.0f} p99 {rl['p99_us']:.0f} us | "
                f"redis-benchmark {rb['rate']:.0f}/s p99 {rb['p99_us']:.0f} us | redis (C client) {raw['rate']:.0f}/s")
            if conc == 16:
                nt = run_load(load, d.sock, conc, args.duration, tok64, touch=False, server_pid=d.proc.pid, epoll=epoll)
                sweep.append({"c": conc, "touch": False, "client": args.client, "riegel": nt, "redis_benchmark": rb,
                              "redis_c_client": raw})
                log(f"c=16 touch=false: riegel {nt['rate']:.0f}/s p99 {nt['p99_us']:.0f} us")
                if epoll:
                    # The same comparison with one client thread per connection (this script's client
                    # before --epoll): it costs more client CPU on a small machine, for both servers.
                    th = run_load(load, d.sock, conc, args.duration, tok64, server_pid=d.proc.pid)
                    th_raw = run_load(load, redis.sock, conc, args.duration, raw=True, server_pid=redis.proc.pid)
                    sweep.append({"c": conc, "touch": True, "client": "threads", "riegel": th, "redis_benchmark": rb,
                                  "redis_c_client": th_raw})
                    log(f"c=16 threaded client: riegel {th['rate']:.0f}/s p99 {th['p99_us']:.0f} us | "
                        f"redis (same client) {th_raw['rate']:.0f}/s")
        res["sweep"] = sweep

        if STORAGE == "postgresql":
            # On PostgreSQL (RIEGEL_TEST_STORAGE=postgresql) the sweep is the
            # measurement: a hit must not touch the database. Count the server's
            # transactions on riegeld's database during one more c=16 run.
            res["storage"] = "postgresql"
            pg, database = scratch_postgres(), d.pg_database

            def xacts():
                return int(pg.psql("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                                   f"WHERE datname = '{database}'"))
            before = xacts()
            probe = run_load(load, d.sock, 16, args.duration, tok64, touch=False, server_pid=d.proc.pid, epoll=epoll)
            during = xacts() - before
            calls = probe["rate"] * args.duration
            res["postgres_transactions"] = {"during": during, "calls": calls, "seconds": args.duration}
            log(f"PostgreSQL: {during} transactions during {calls:.0f} CheckSession calls in {args.duration} s "
                f"(the change feed polls about once a second)")
            assert d.stop() == 0
        else:
            small_vs_big(d, args, root, load, redis, tokens, res, epoll)
    except BaseException:
        if d.proc is not None:
            d.proc.kill()
            d.proc.wait()
        log(d.log_text()[-4000:])
        raise
    finally:
        redis.stop()
        d.notify.close()
        res["loadavg_end"] = os.getloadavg()
        res["total_s"] = time.monotonic() - t_start
        if args.keep:
            log(f"kept {root}")
        else:
            remove_root(root)

    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return 0



def small_vs_big(d, args, root, load, redis, tokens, res, epoll):
    """3./4.: 1 k vs 1 M live sessions written straight into riegel.sqlite (SQLite only)."""
    # 3./4. small vs big table: both loaded at start from the store, same path
    db = d.state / "riegel.sqlite"
    assert d.stop() == 0
    extra, live_small = insert_sessions(db, args.small - args.logins)
    small_tokens = tokens + extra
    ready_small = start_timed(d)
    rss_small = rss_kib(d.proc.pid)
    small_file = write_tokens(root / "tokens_small.txt", small_tokens)
    small = run_load(load, d.sock, 16, args.duration, small_file, server_pid=d.proc.pid, epoll=epoll)
    small_nt = run_load(load, d.sock, 16, args.duration, small_file, touch=False, server_pid=d.proc.pid, epoll=epoll)
    redis_small = run_load(load, redis.sock, 16, args.duration, raw=True, server_pid=redis.proc.pid, epoll=epoll)
    log(f"{live_small} sessions: ready {ready_small:.2f} s, RSS {rss_small}, "
        f"c=16 {small['rate']:.0f}/s p99 {small['p99_us']:.0f} us; touch=false {small_nt['rate']:.0f}/s")

    assert d.stop() == 0
    t0 = time.monotonic()
    big_extra, live_big = insert_sessions(db, args.big - live_small)
    insert_s = time.monotonic() - t0
    log(f"inserted {len(big_extra)} rows in {insert_s:.1f} s")
    sample = random.sample(big_extra, min(args.sample, len(big_extra)))
    del big_extra
    big_file = write_tokens(root / "tokens_big.txt", sample)
    ready_big = start_timed(d)
    rss_big = rss_kib(d.proc.pid)
    big = run_load(load, d.sock, 16, args.duration, big_file, server_pid=d.proc.pid, epoll=epoll)
    big_nt = run_load(load, d.sock, 16, args.duration, big_file, touch=False, server_pid=d.proc.pid, epoll=epoll)
    redis_big = run_load(load, redis.sock, 16, args.duration, raw=True, server_pid=redis.proc.pid, epoll=epoll)
    rss_big_after = rss_kib(d.proc.pid)
    log(f"{live_big} sessions: ready {ready_big:.2f} s, RSS {rss_big}, "
        f"c=16 {big['rate']:.0f}/s p99 {big['p99_us']:.0f} us; touch=false {big_nt['rate']:.0f}/s")
    res["table_size"] = {
        "small": {"sessions": live_small, "ready_s": ready_small, "rss_kib": rss_small, "check": small, "check_no_touch": small_nt,
                  "redis_c_client": redis_small},
        "big": {"sessions": live_big, "ready_s": ready_big, "rss_kib": rss_big, "rss_kib_after_load": rss_big_after,
                "check": big, "check_no_touch": big_nt, "redis_c_client": redis_big, "insert_s": insert_s, "sample": len(sample)},
    }
    res["bytes_per_session"] = (rss_big["VmRSS"] - rss_small["VmRSS"]) * 1024 / (live_big - live_small)
    res["bytes_per_session_anon"] = (rss_big["RssAnon"] - rss_small["RssAnon"]) * 1024 / (live_big - live_small)
    assert d.stop() == 0

def report(res: dict) -> str:
    out = [f"date: {res['date']}, {res['nproc']} vCPUs, kernel {res['kernel']}, "
           f"{res['duration_s']:g} s per measurement, load avg at start {res['loadavg_start'][0]:.2f}, "
           f"at end {res['loadavg_end'][0]:.2f}; whole run {res['total_s']:.0f} s; C client: {res['client']}",
           "",
           "| c | touch | C client | riegeld calls/s | p50 µs | p99 µs | redis-benchmark GET/s | p50 µs | p99 µs "
           "| ratio riegeld/redis-benchmark | redis GET/s (same C client) | ratio (same client) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["sweep"]:
        rl, rb, raw = r["riegel"], r["redis_benchmark"], r["redis_c_client"]
        out.append(f"| {r['c']} | {str(r['touch']).lower()} | {r['client']} | {rl['rate']:.0f} | {rl['p50_us']:.0f} | {rl['p99_us']:.0f} "
                   f"| {rb['rate']:.0f} | {rb['p50_us']:.0f} | {rb['p99_us']:.0f} | {rl['rate'] / rb['rate']:.2f} "
                   f"| {raw['rate']:.0f} | {rl['rate'] / raw['rate']:.2f} |"
                   + (f" errors {rl['errors']:.0f}" if rl["errors"] else ""))
    out += ["", "Server CPU per call (user + system µs, from /proc/PID/stat; C client at the same c):", "",
            "| c | touch | C client | riegeld user | riegeld sys | redis user | redis sys | riegeld/redis total |",
            "|---|---|---|---|---|---|---|---|"]
    for r in res["sweep"]:
        rl, raw = r["riegel"], r["redis_c_client"]
        out.append(f"| {r['c']} | {str(r['touch']).lower()} | {r['client']} | {rl['cpu_user_us']:.1f} | {rl['cpu_sys_us']:.1f} "
                   f"| {raw['cpu_user_us']:.1f} | {raw['cpu_sys_us']:.1f} "
                   f"| {(rl['cpu_user_us'] + rl['cpu_sys_us']) / (raw['cpu_user_us'] + raw['cpu_sys_us']):.2f} |")
    if res.get("storage") == "postgresql":
        t = res["postgres_transactions"]
        out += ["", f"PostgreSQL back end: {t['during']} server transactions on riegeld's database during "
                    f"{t['calls']:.0f} CheckSession calls (c=16, touch=false, {t['seconds']:g} s): hits never touch it; "
                    "the transactions are riegeld's background loops (change feed, SMS queue, key ring refresh, "
                    "activity flush), about 4 a second whatever the load."]
        return "\n".join(out)
    ts = res["table_size"]
    s, b = ts["small"], ts["big"]
    out += ["",
            "| live sessions | start to READY=1 s | VmRSS MiB | CheckSession c=16 calls/s | p50 µs | p99 µs | CPU µs/call | "
            "touch=false calls/s | p50 µs | p99 µs | redis GET c=16 (C client) /s | riegeld/redis |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, x in (("small", s), ("big", b)):
        out.append(f"| {x['sessions']} | {x['ready_s']:.2f} | {x['rss_kib']['VmRSS'] / 1024:.1f} | {x['check']['rate']:.0f} "
                   f"| {x['check']['p50_us']:.0f} | {x['check']['p99_us']:.0f} "
                   f"| {x['check']['cpu_user_us'] + x['check']['cpu_sys_us']:.1f} | {x['check_no_touch']['rate']:.0f} "
                   f"| {x['check_no_touch']['p50_us']:.0f} | {x['check_no_touch']['p99_us']:.0f} | {x['redis_c_client']['rate']:.0f} "
                   f"| {x['check']['rate'] / x['redis_c_client']['rate']:.2f} |")
    flat = (b["check"]["rate"] / b["redis_c_client"]["rate"]) / (s["check"]["rate"] / s["redis_c_client"]["rate"])
    out += ["",
            f"1 M vs 1 k throughput (each normalised by redis in the same phase): {flat:.2f}× "
            f"(raw {b['check']['rate'] / s['check']['rate']:.2f}×); p99 {s['check']['p99_us']:.0f} → {b['check']['p99_us']:.0f} µs; "
            f"touch=false: {b['check_no_touch']['rate'] / s['check_no_touch']['rate']:.2f}× "
            f"(p99 {s['check_no_touch']['p99_us']:.0f} → {b['check_no_touch']['p99_us']:.0f} µs)",
            f"memory: ΔVmRSS/Δsessions = {res['bytes_per_session']:.0f} B per session "
            f"(RssAnon: {res['bytes_per_session_anon']:.0f} B); VmHWM with {b['sessions']}: "
            f"{b['rss_kib']['VmHWM'] / 1024:.0f} MiB; VmRSS after the c=16 run: {b['rss_kib_after_load']['VmRSS'] / 1024:.0f} MiB",
            f"inserting {b['sessions'] - s['sessions']} rows with Python sqlite3: {b['insert_s']:.1f} s"]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
