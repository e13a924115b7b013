#!/usr/bin/env python3
"""Password-login benchmark for riegeld (issue 3, "Speed"). A benchmark, not a test.

One run measures, against anchors taken in the same run (the machine is shared
and noisy, so ratios matter, absolute numbers less):

1. anchor     libargon2 argon2id throughput at riegeld's parameters (m=19456 KiB,
              t=2, p=1, 32-byte hash, 16-byte salt), one thread per core in this
              process:
                - "system": Debian's libargon2.so.1 `argon2id_hash_raw` through
                  ctypes -- the very library and function riegeld calls;
                - "cffi":   argon2-cffi's low_level.hash_secret_raw (its own
                  bundled libargon2 build), once, for comparison.
              Both release the GIL; checked in the run (a Python counter thread
              keeps its pace while the main thread hashes).
2. logins     successful io.riegel.Auth.Login over the Unix socket from N client
              processes, each with its own connection, in slices that alternate
              with system-anchor slices -> logins/s and the ratio to the anchor
              per slice (goal >= 0.9). Also a CPU view (anchor CPU ms per hash vs
              riegeld CPU ms per login), which other tenants' load disturbs less.
              The same clients calling org.varlink.service.GetInfo show the
              client-side ceiling.
3. parity     failed logins, sequential on one connection, four kinds per round
              in random order: wrong password and unknown user, each once with
              the same name every round and once with a new name every round
              (a registered one / a never-seen one), so both sides of a pair have
              throttle keys with the same failure history. Medians, means, a
              bootstrap CI and the per-round paired difference (goal < 2 %).
              The daemon's [throttle] limits are at their maximum and no client
              ip is sent, so no call is delayed.
4. flood      a fresh riegeld, 16 and then M (64) concurrent connections hammering
              Login without back-off; VmHWM per phase (reset with clear_refs)
              against idle VmRSS + workers x argon2 memory; how many calls
              answered Overloaded (the bounded queue).

Usage (from the repo root, after `scripts/setup --test` and
`swift build -c release --product riegeld`):

    RIEGEL_BIN_DIR=.build/release .venv/bin/python Benchmarks/login_bench.py

RIEGEL_BIN_DIR defaults to .build/release. Takes about 1.5-2 minutes. The
figures are appended to BENCHMARKS.md (--no-record to skip).
"""
from __future__ import annotations

import argparse
import ctypes
import datetime
import json
import multiprocessing as mp
import os
import platform
import random
import re
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "release"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
from riegel_harness import Daemon, RIEGELD, make_root, remove_root  # noqa: E402

import varlink  # noqa: E402
from argon2.low_level import Type, hash_secret_raw  # noqa: E402

# riegeld's [password] defaults (config/riegel.toml); the benchmark daemon uses them.
M_KIB, T_COST, LANES, HASH_LEN, SALT_LEN = 19456, 2, 1, 32, 16
PASSWORD = "Kl4vier-Sonate-Mond"
WRONG = "Falsch-Falsch-Falsch-9"
# The largest values ThrottleConfig accepts, so that the parity and flood
# phases never run into TooManyAttempts / AccountLocked.
THROTTLE = "[throttle]\nfailures_before_delay = 1000000\nlockout_failures = 1000000\n"
# Allowance for what is not argon2 memory in the RSS bound: connection buffers,
# allocator arenas of the hashing threads, SQLite page cache growth.
SLACK_MIB = 8
CLK_TCK = os.sysconf("SC_CLK_TCK")
AUTH = "io.riegel.Auth"


# --------------------------------------------------------------------------- anchor

def _system_argon2():
    lib = ctypes.CDLL("libargon2.so.1")
    f = lib.argon2id_hash_raw
    f.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
                  ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
                  ctypes.c_char_p, ctypes.c_size_t]
    f.restype = ctypes.c_int

    def one(pw: bytes, salt: bytes):
        out = ctypes.create_string_buffer(HASH_LEN)
        rc = f(T_COST, M_KIB, LANES, pw, len(pw), salt, len(salt), out, HASH_LEN)
        if rc != 0:
            raise RuntimeError(f"argon2id_hash_raw: {rc}")
    return one


def _cffi_argon2(pw: bytes, salt: bytes):
    hash_secret_raw(pw, salt, T_COST, M_KIB, LANES, HASH_LEN, Type.ID)


def gil_released(kind: str, seconds: float = 0.6) -> float:
    """Progress of a pure-Python counter thread while the main thread hashes, relative
    to its progress while the main thread sleeps: ~1 when the binding releases the GIL
    around the C call, ~0.1 or less when it holds it (the counter then only runs
    between hashes)."""
    fn = _system_argon2() if kind == "system" else _cffi_argon2
    stop = threading.Event()
    count = [0]

    def counter():
        while not stop.is_set():
            count[0] += 1

    def progress(busy: bool) -> float:
        count[0] = 0
        stop.clear()
        t = threading.Thread(target=counter)
        t.start()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            if busy:
                fn(b"gil-check", os.urandom(SALT_LEN))
            else:
                time.sleep(0.01)
        n, wall = count[0], time.perf_counter() - t0
        stop.set()
        t.join()
        return n / wall

    idle = progress(False)
    return progress(True) / idle


def anchor(kind: str, threads: int, seconds: float) -> dict:
    """Hashes/s with `threads` threads in this process; cpu/wall shows the GIL is released."""
    fn = _system_argon2() if kind == "system" else _cffi_argon2
    fn(b"warm-up-pw", os.urandom(SALT_LEN))
    counts = [0] * threads
    start = threading.Barrier(threads + 1)
    end_at = [0.0]

    def worker(i):
        pw = b"benchmark-password-%d" % i
        start.wait()
        n = 0
        while time.perf_counter() < end_at[0]:
            fn(pw, os.urandom(SALT_LEN))
            n += 1
        counts[i] = n

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0, t0 = time.process_time(), time.perf_counter()
    end_at[0] = t0 + seconds
    start.wait()
    for t in ts:
        t.join()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    n = sum(counts)
    return {"kind": kind, "threads": threads, "hashes": n, "wall": wall, "rate": n / wall,
            "cpu_per_wall": cpu / wall, "cpu_ms_per_hash": 1000 * cpu / max(n, 1),
            "sys_ms_per_hash": 1000 * (ru1.ru_stime - ru0.ru_stime) / max(n, 1),
            "minflt_per_hash": (ru1.ru_minflt - ru0.ru_minflt) / max(n, 1)}


# --------------------------------------------------------------------------- daemon helpers

def proc_status(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "Threads"):
                out[k] = int(v.split()[0])  # kB, or a count
    return out


def reset_hwm(pid: int):
    """Resets VmHWM to the current VmRSS (Linux >= 4.0, `echo 5 > clear_refs`)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def proc_counters(pid: int) -> tuple[float, float, int]:
    """(utime s, stime s, minor faults) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()  # fields[0] is field 3 (state)
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK, int(fields[7])


def thread_cpu(pid: int) -> dict:
    """CPU seconds (user + system) per kind of thread of a process, by name without its
    number (riegeld: riegel-hash, riegel-io, NIO-ELT-..., the main thread)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = re.sub(r"[-#\d]+$", "", f.read().strip()) or "?"
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:  # the thread ended meanwhile
            continue
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def start_daemon(tag: str) -> Daemon:
    d = Daemon(make_root(), extra_config=THROTTLE).start()
    d.tag = tag
    return d


def stop_daemon(d: Daemon) -> dict:
    rc = d.stop()
    log = d.log_text()
    bad = [l for l in log.splitlines()
           if any(w in l.lower() for w in ("error", "warning", "critical", "fatal"))
           and "login.failed" not in l]
    d.notify.close()
    remove_root(d.root)
    return {"rc": rc, "bad_log_lines": bad}


# --------------------------------------------------------------------------- load clients

def _wait_start(start):
    """Blocks until the parent has set the shared start time and it has come; returns it."""
    while start.value == 0.0:
        time.sleep(0.002)
    while time.time() < start.value:
        time.sleep(0.001)
    return start.value


def _call_loop(address, method, users, seconds, ready, start, out, idx):
    """One connection; once every client is connected, calls `method` for `seconds`;
    records (t_done, latency, outcome).

    `method` is "GetInfo", "Login", or a flow of several calls: a callable
    flow(user, idx) -> step, called once per connection in the client process;
    step(conn) then runs one iteration on io.riegel.Auth and returns None when it
    succeeded, else the name of its outcome (sms_flow_bench.py)."""
    recs = []
    iface_name = "org.varlink.service" if method == "GetInfo" else AUTH
    conn = client = None
    try:
        client = varlink.Client(address=address)
        conn = client.open(iface_name)
    except Exception as e:  # noqa: BLE001
        out[idx] = [(time.time(), 0.0, f"connect:{type(e).__name__}")]
        ready.put(idx)
        return
    user = users[idx % len(users)] if users else None
    if callable(method):
        step = method(user, idx)
    elif method == "GetInfo":
        def step(c):
            c.GetInfo()
    else:
        def step(c):
            c.Login(username=user, password=PASSWORD)
    ready.put(idx)
    end_at = _wait_start(start) + seconds
    while True:
        t0 = time.time()
        if t0 >= end_at:
            break
        try:
            outcome = step(conn) or "ok"
        except varlink.VarlinkError as e:
            outcome = e.error()
        except Exception as e:  # noqa: BLE001  (connection trouble: record it, reconnect)
            outcome = f"exception:{type(e).__name__}:{e}"[:120]
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass
            time.sleep(0.05)
            try:
                conn = client.open(iface_name)
            except Exception:  # noqa: BLE001
                pass
        t1 = time.time()
        recs.append((t1, t1 - t0, outcome))
    try:
        conn.close()
    except Exception:  # noqa: BLE001
        pass
    out[idx] = recs


def _client_process(address, method, users, threads, first_idx, seconds, ready, start, q):
    out = {}
    ts = [threading.Thread(target=_call_loop, args=(address, method, users, seconds, ready, start, out, first_idx + i))
          for i in range(threads)]
    for t in ts:
        t.start()
    _wait_start(start)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    for t in ts:
        t.join()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    q.put({"recs": [r for i in sorted(out) for r in out[i]], "cpu": cpu})


def drive(d: Daemon, method, users, procs: int, threads: int, seconds: float,
          sample_rss: bool = False) -> dict:
    """procs x threads connections calling `method` ("GetInfo", "Login" or a flow, see
    _call_loop) for `seconds`, starting together once all are connected (a busy machine can
    take seconds to fork and fetch the IDL); counts what completes in the window."""
    ctx = mp.get_context("fork")
    q, ready, start = ctx.Queue(), ctx.Queue(), ctx.Value("d", 0.0)
    ps = [ctx.Process(target=_client_process,
                      args=(d.address, method, users, threads, p * threads, seconds, ready, start, q))
          for p in range(procs)]
    for p in ps:
        p.start()
    for _ in range(procs * threads):
        ready.get(timeout=120)
    start_at = time.time() + 0.05
    end_at = start_at + seconds
    start.value = start_at
    while time.time() < start_at:
        time.sleep(0.001)
    pid = d.proc.pid
    u0, s0, f0 = proc_counters(pid)
    t0 = thread_cpu(pid)
    rss_max = 0
    while time.time() < end_at:
        if sample_rss:
            st = proc_status(pid)
            rss_max = max(rss_max, st["VmRSS"])
        time.sleep(0.02 if sample_rss else 0.1)
    u1, s1, f1 = proc_counters(pid)
    t1 = thread_cpu(pid)
    cpu0, cpu1 = u0 + s0, u1 + s1
    results = [q.get(timeout=120) for _ in ps]
    for p in ps:
        p.join(30)
    recs = [r for res in results for r in res["recs"] if start_at <= r[0] <= end_at]
    outcomes = {}
    for r in recs:
        outcomes[r[2]] = outcomes.get(r[2], 0) + 1
    ok_lat = sorted(r[1] for r in recs if r[2] == "ok")
    return {"method": method if isinstance(method, str) else getattr(method, "__name__", type(method).__name__),
            "connections": procs * threads, "seconds": seconds,
            "outcomes": outcomes, "ok": len(ok_lat), "rate": len(ok_lat) / seconds,
            "calls_per_s": len(recs) / seconds,
            "p50_ms": 1000 * pct(ok_lat, 50), "p99_ms": 1000 * pct(ok_lat, 99),
            "client_cpu_per_s": sum(r["cpu"] for r in results) / seconds,
            "daemon_cpu_per_s": (cpu1 - cpu0) / seconds,
            "daemon_cpu_ms_per_ok": 1000 * (cpu1 - cpu0) / max(len(ok_lat), 1),
            "daemon_sys_ms_per_ok": 1000 * (s1 - s0) / max(len(ok_lat), 1),
            "daemon_minflt_per_ok": (f1 - f0) / max(len(ok_lat), 1),
            "daemon_thread_cpu_ms_per_ok": {k: 1000 * (v - t0.get(k, 0.0)) / max(len(ok_lat), 1)
                                            for k, v in t1.items() if v > t0.get(k, 0.0)},
            "rss_max_kb": rss_max}


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# --------------------------------------------------------------------------- phases

PARITY_PAIRS = (
    # (label, kind, compared against)
    ("unknown user vs wrong password, same names every round (keys with equal failure history)",
     "repeat_unknown", "repeat_wrong_password"),
    ("unknown user vs wrong password, a new name each round (first failure of the key)",
     "first_unknown", "first_wrong_password"),
    ("first failure vs repeated failure, wrong password (throttle-state size; not a user-existence signal)",
     "first_wrong_password", "repeat_wrong_password"),
)


def phase_parity(d: Daemon, rounds: int, warmup: int) -> dict:
    """Failed logins, sequential on one connection, four kinds per round in random order."""
    fresh_known = [f"parity-k{i}" for i in range(rounds)]
    register(d, ["parity-known"] + fresh_known, connections=2)
    a = varlink.Client(address=d.address).open(AUTH)

    def name_for(kind, i):
        return {"repeat_wrong_password": "parity-known",
                "repeat_unknown": "nobody-at-all",
                "first_wrong_password": fresh_known[i] if i >= 0 else "parity-known",
                "first_unknown": f"ghost-{i}" if i >= 0 else f"warm-ghost{-i}"}[kind]

    def call(kind, i):
        name = name_for(kind, i)
        t0 = time.perf_counter()
        try:
            a.Login(username=name, password=WRONG)
            err = "ok(!)"
        except varlink.VarlinkError as e:
            err = e.error()
        return time.perf_counter() - t0, err

    kinds = ["repeat_wrong_password", "repeat_unknown", "first_wrong_password", "first_unknown"]
    for w in range(warmup):  # includes the first unknown login, which makes the dummy hash
        for k in kinds:
            call(k, -1 - w)
    times = {k: [] for k in kinds}
    errors = {}
    rng = random.Random(4711)
    t_start = time.perf_counter()
    for i in range(rounds):
        order = kinds[:]
        rng.shuffle(order)
        for k in order:
            dt, err = call(k, i)
            times[k].append(dt)
            errors[(k, err)] = errors.get((k, err), 0) + 1
    wall = time.perf_counter() - t_start
    a.close()
    res = {"rounds": rounds, "wall": wall, "errors": {f"{k}: {e}": n for (k, e), n in errors.items()}}
    for k in kinds:
        xs = times[k]
        res[k] = {"median_ms": 1000 * statistics.median(xs), "mean_ms": 1000 * statistics.fmean(xs),
                  "p10_ms": 1000 * pct(xs, 10), "p90_ms": 1000 * pct(xs, 90)}
    res["pairs"] = []
    for label, k, ref in PARITY_PAIRS:
        xs, base = times[k], times[ref]
        # Paired by round (the calls of a round share the machine's state): median of the
        # per-round differences, relative to the reference median.
        diffs = [x - y for x, y in zip(xs, base)]
        res["pairs"].append({
            "label": label, "kind": k, "ref": ref,
            "d_median": statistics.median(xs) / statistics.median(base) - 1,
            "d_mean": statistics.fmean(xs) / statistics.fmean(base) - 1,
            "d_median_ci95": bootstrap_ci(base, xs, rng),
            "d_paired": statistics.median(diffs) / statistics.median(base),
            "d_paired_ms": 1000 * statistics.median(diffs)})
    return res


def bootstrap_ci(a, b, rng, n=1000):
    """95 % bootstrap interval of median(b)/median(a) - 1."""
    ds = []
    for _ in range(n):
        ra = [a[rng.randrange(len(a))] for _ in a]
        rb = [b[rng.randrange(len(b))] for _ in b]
        ds.append(statistics.median(rb) / statistics.median(ra) - 1)
    ds.sort()
    return ds[int(0.025 * n)], ds[int(0.975 * n)]


def register(d: Daemon, names, connections: int = 1):
    def run(part):
        with d.client() as c, c.open(AUTH) as a:
            for n in part:
                a.Register(username=n, password=PASSWORD)
    ts = [threading.Thread(target=run, args=(names[i::connections],)) for i in range(connections)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=4, help="alternating anchor / login slices")
    ap.add_argument("--slice-seconds", type=float, default=3)
    ap.add_argument("--clients", type=int, default=6, help="login client processes (one connection each)")
    ap.add_argument("--getinfo-seconds", type=float, default=3)
    ap.add_argument("--parity-rounds", type=int, default=300)
    ap.add_argument("--flood-seconds", type=float, default=8)
    ap.add_argument("--flood-connections", type=int, default=64)
    ap.add_argument("--no-record", action="store_true", help="do not append to BENCHMARKS.md")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    command = "RIEGEL_BIN_DIR=" + shlex.quote(os.environ["RIEGEL_BIN_DIR"]) + " " + \
        " ".join(shlex.quote(x) for x in [sys.executable.replace(str(REPO) + "/", ""), *sys.argv])
    started = datetime.datetime.now(datetime.timezone.utc)
    if not RIEGELD.exists():
        sys.exit(f"{RIEGELD} is missing: swift build -c release --product riegeld")
    print(f"# login_bench  {started:%Y-%m-%d %H:%M:%S} UTC  cores={cores}  load={os.getloadavg()}", flush=True)
    print(f"# riegeld: {RIEGELD}", flush=True)
    R = {"command": command, "date": f"{started:%Y-%m-%d %H:%M} UTC", "cores": cores,
         "load_before": os.getloadavg(), "riegeld": str(RIEGELD)}

    # 1+2. anchor and logins/s, alternating in slices so that both see the same load
    R["gil_system"], R["gil_cffi"] = gil_released("system"), gil_released("cffi")
    print(f"GIL released (counter progress while hashing, ~1 = yes): system {R['gil_system']:.2f}, "
          f"cffi {R['gil_cffi']:.2f}", flush=True)
    d = start_daemon("throughput")
    users = [f"bench-user-{i}" for i in range(args.clients)]
    register(d, users)
    R["getinfo"] = drive(d, "GetInfo", None, args.clients, 1, args.getinfo_seconds)
    print("getinfo:", fmt(R["getinfo"]), flush=True)
    R["slices"] = []
    for i in range(args.rounds):
        an = anchor("system", cores, args.slice_seconds)
        print(f"round {i + 1} anchor system:", fmt(an), flush=True)
        lg = drive(d, "Login", users, args.clients, 1, args.slice_seconds)
        print(f"round {i + 1} login:        ", fmt(lg), flush=True)
        R["slices"].append({"anchor": an, "login": lg})
    R["anchor_cffi"] = anchor("cffi", cores, args.slice_seconds)
    print("anchor cffi:", fmt(R["anchor_cffi"]), flush=True)

    # 3. timing parity (same daemon; throttle limits are at their maximum, no client ip)
    R["parity"] = phase_parity(d, args.parity_rounds, warmup=5)
    print("parity:", json.dumps(R["parity"], default=str), flush=True)
    R["stop_throughput"] = stop_daemon(d)

    # 4. flood on a fresh daemon: its idle VmRSS (no hash run yet) is the baseline
    d = start_daemon("flood")
    pid = d.proc.pid
    R["flood_workers"] = cores  # hash_workers = 0 -> one per core; queue 4 x workers
    R["flood_queue"] = 4 * cores
    R["st_start"] = proc_status(pid)
    register(d, ["flood-user"])
    R["st_one_hash"] = proc_status(pid)
    procs = 4
    for key, conns, secs in (("flood_small", args.flood_connections // 4, args.flood_seconds / 2),
                             ("flood", args.flood_connections, args.flood_seconds)):
        R[key + "_rss_before"] = proc_status(pid)["VmRSS"]
        reset_hwm(pid)  # VmHWM := VmRSS, so VmHWM afterwards is this phase's peak
        R[key] = drive(d, "Login", ["flood-user"], procs, max(1, conns // procs), secs, sample_rss=True)
        R[key + "_st_after"] = proc_status(pid)
        print(key + ":", fmt(R[key]), R[key + "_st_after"], flush=True)
    R["flood_alive"] = d.proc.poll() is None
    try:
        with d.client() as c, c.open("org.varlink.service") as s:
            s.GetInfo()
        R["flood_after_getinfo"] = "ok"
    except Exception as e:  # noqa: BLE001
        R["flood_after_getinfo"] = f"{type(e).__name__}: {e}"
    print("flood daemon:", R["st_start"], R["st_one_hash"], flush=True)
    R["stop_flood"] = stop_daemon(d)
    R["load_after"] = os.getloadavg()

    text = report(R)
    print()
    print(text)
    if not args.no_record:
        bm = REPO / "BENCHMARKS.md"
        with open(bm, "a") as f:
            f.write("\n" + text + "\n")
        print(f"appended to {bm}")


def fmt(r: dict) -> str:
    return json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()})


def report(R: dict) -> str:
    sl, ac, gi, par = R["slices"], R["anchor_cffi"], R["getinfo"], R["parity"]
    an_rates = [x["anchor"]["rate"] for x in sl]
    lg_rates = [x["login"]["rate"] for x in sl]
    ratios = [l / a for l, a in zip(lg_rates, an_rates)]
    anchor_med = statistics.median(an_rates)
    ratio_med = statistics.median(ratios)
    # CPU view: CPU time per hash in the anchor vs riegeld's CPU time per login (steal and
    # other tenants' load mostly drop out of this one).
    an_cpu = sum(x["anchor"]["cpu_ms_per_hash"] * x["anchor"]["hashes"] for x in sl) / sum(x["anchor"]["hashes"] for x in sl)
    lg_cpu = sum(x["login"]["daemon_cpu_ms_per_ok"] * x["login"]["ok"] for x in sl) / sum(x["login"]["ok"] for x in sl)
    lg_all = {}
    for x in sl:
        for k, v in x["login"]["outcomes"].items():
            lg_all[k] = lg_all.get(k, 0) + v
    mib = M_KIB / 1024
    idle_mib = R["st_start"]["VmRSS"] / 1024
    bound_mib = idle_mib + R["flood_workers"] * mib + SLACK_MIB
    L = []
    L.append(f"### Run {R['date']}")
    L.append("")
    L.append(f"Command (repo root): `{R['command']}`  ")
    L.append(f"Machine: {R['cores']} vCPU, shared and noisy (load average before "
             f"{R['load_before'][0]:.2f}, after {R['load_after'][0]:.2f}); riegeld release build "
             f"(`{Path(R['riegeld']).relative_to(REPO) if Path(R['riegeld']).is_relative_to(REPO) else R['riegeld']}`), "
             f"argon2id m={M_KIB} KiB t={T_COST} p={LANES}, hash_workers={R['flood_workers']} (one per core), "
             f"queue limit {R['flood_queue']}.")
    L.append("")
    L.append("| benchmark | figure | ratio / difference | goal | met |")
    L.append("|---|---|---|---|---|")
    L.append(f"| anchor: system libargon2 `argon2id_hash_raw` (ctypes; what riegeld links), {R['cores']} threads, "
             f"{len(sl)} × {sl[0]['anchor']['wall']:.0f} s | {' / '.join(f'{r:.1f}' for r in an_rates)} hashes/s "
             f"(median {anchor_med:.1f}; {an_cpu:.1f} ms CPU/hash) | reference | | |")
    L.append(f"| anchor: argon2-cffi `hash_secret_raw` (bundled libargon2), {ac['threads']} threads | {ac['rate']:.1f} hashes/s "
             f"({ac['cpu_ms_per_hash']:.1f} ms CPU/hash) | {ac['rate'] / anchor_med:.2f}× system (different moment) | | |")
    L.append(f"| Login (success) over the socket, {sl[0]['login']['connections']} client processes, alternating with the anchor | "
             f"{' / '.join(f'{r:.1f}' for r in lg_rates)} logins/s (p50 {statistics.median(x['login']['p50_ms'] for x in sl):.0f} ms, "
             f"p99 {max(x['login']['p99_ms'] for x in sl):.0f} ms; riegeld {lg_cpu:.1f} ms CPU/login) | "
             f"per slice {' / '.join(f'{r:.2f}' for r in ratios)}× → median **{ratio_med:.2f}×** anchor; "
             f"CPU view {an_cpu / lg_cpu:.2f}× | ≥ 0.9× | {'yes' if ratio_med >= 0.9 else 'NO'} |")
    L.append(f"| client ceiling: GetInfo, same {gi['connections']} client processes | {gi['rate']:.0f} calls/s "
             f"(clients used {gi['client_cpu_per_s']:.2f} cores; during logins {statistics.fmean(x['login']['client_cpu_per_s'] for x in sl):.2f}) | "
             f"{gi['rate'] / max(statistics.median(lg_rates), 1e-9):.0f}× login rate | ≫ 1× | "
             f"{'yes' if gi['rate'] > 10 * statistics.median(lg_rates) else 'NO'} |")
    for pr in par["pairs"]:
        k, ref = par[pr["kind"]], par[pr["ref"]]
        lo, hi = pr["d_median_ci95"]
        is_goal = pr["kind"].endswith("unknown")
        met = abs(pr["d_median"]) < 0.02 and abs(pr["d_mean"]) < 0.02
        verdict = "yes" if met else "NO"
        if not met and hi - lo > 0.04 and lo < 0.02 and hi > -0.02:
            verdict = "inconclusive (CI wider than the goal)"
        L.append(f"| failed login: {pr['label']}; {par['rounds']} each, interleaved | "
                 f"median {k['median_ms']:.2f} vs {ref['median_ms']:.2f} ms, mean {k['mean_ms']:.2f} vs {ref['mean_ms']:.2f} ms | "
                 f"median {100 * pr['d_median']:+.2f} % (95 % CI {100 * lo:+.1f}…{100 * hi:+.1f} %), mean {100 * pr['d_mean']:+.2f} %, "
                 f"paired per round {100 * pr['d_paired']:+.2f} % ({pr['d_paired_ms']:+.2f} ms) | "
                 f"{'< 2 %' if is_goal else '(info)'} | {verdict if is_goal else ''} |")
    for key in ("flood_small", "flood"):
        f = R[key]
        peak = R[key + "_st_after"]["VmHWM"] / 1024
        L.append(f"| peak RSS, {f['connections']} connections flooding Login {f['seconds']:.0f} s | "
                 f"idle {idle_mib:.1f} MiB → {R[key + '_rss_before'] / 1024:.1f} before → peak (VmHWM) {peak:.1f} MiB | "
                 f"+{peak - idle_mib:.1f} MiB over idle; workers × hash = {R['flood_workers']} × {mib:.0f} = "
                 f"{R['flood_workers'] * mib:.0f} MiB; (workers + queue) × hash would be "
                 f"{(R['flood_workers'] + R['flood_queue']) * mib:.0f} MiB | "
                 f"≤ idle + workers × hash + {SLACK_MIB} MiB = {bound_mib:.0f} MiB | "
                 f"{'yes' if peak <= bound_mib else 'NO'} |")
    for key in ("flood_small", "flood"):
        f = R[key]
        outc = ", ".join(f"{k} {v}" for k, v in sorted(f["outcomes"].items(), key=lambda kv: -kv[1]))
        L.append(f"| flood outcomes, {f['connections']} connections ({f['calls_per_s']:.0f} calls/s, no back-off) | {outc} | "
                 f"{f['rate']:.1f} logins/s = {f['rate'] / anchor_med:.2f}× anchor; ok p50 {f['p50_ms']:.0f} ms, "
                 f"p99 {f['p99_ms']:.0f} ms; riegeld {f['daemon_cpu_per_s']:.2f} cores, clients {f['client_cpu_per_s']:.2f} | only ok / Overloaded | "
                 f"{'yes' if set(f['outcomes']) <= {'ok', AUTH + '.Overloaded'} else 'NO'} |")
    L.append("")
    notes = []
    got = statistics.fmean(x["anchor"]["cpu_per_wall"] for x in sl)
    if got < 0.8 * R["cores"]:
        notes.append(f"**The machine was busy**: the anchor got only {got:.2f} of {R['cores']} cores (CPU/wall), so the "
                     f"wall-clock ratios of this run say little (riegeld, with more threads, may get a bigger share "
                     f"than the anchor); read the CPU view instead.")
    if set(lg_all) != {"ok"}:
        notes.append(f"login phase outcomes: {lg_all}")
    if set(gi["outcomes"]) != {"ok"}:
        notes.append(f"GetInfo phase outcomes: {gi['outcomes']}")
    if any(not e.endswith("InvalidCredentials") for e in par["errors"]):
        notes.append(f"parity replies: {par['errors']}")
    for tag in ("stop_throughput", "stop_flood"):
        st = R[tag]
        if st["rc"] != 0 or st["bad_log_lines"]:
            notes.append(f"{tag}: exit {st['rc']}, {len(st['bad_log_lines'])} error/warning log lines, e.g. "
                         + "; ".join(st["bad_log_lines"][:3]))
    if not R["flood_alive"] or R["flood_after_getinfo"] != "ok":
        notes.append(f"after the flood: alive={R['flood_alive']}, GetInfo: {R['flood_after_getinfo']}")
    notes.append(f"GIL check (a Python counter thread's progress while the main thread hashes, ~1 = released, "
                 f"≲0.1 = held; on a busy machine the counter loses CPU too): system {R['gil_system']:.2f}, cffi {R['gil_cffi']:.2f}")
    notes.append(f"riegeld CPU during the login slices: {statistics.fmean(x['login']['daemon_cpu_per_s'] for x in sl):.2f} cores "
                 f"of {R['cores']}; per login {lg_cpu:.1f} ms CPU of which "
                 f"{statistics.fmean(x['login']['daemon_sys_ms_per_ok'] for x in sl):.1f} ms system, "
                 f"{statistics.fmean(x['login']['daemon_minflt_per_ok'] for x in sl):.0f} minor page faults; anchor per hash "
                 f"{statistics.fmean(x['anchor']['sys_ms_per_hash'] for x in sl):.1f} ms system, "
                 f"{statistics.fmean(x['anchor']['minflt_per_hash'] for x in sl):.0f} minor page faults "
                 f"(a 19 MiB buffer is ~{M_KIB // 4} pages)")
    notes.append(f"flood daemon: VmRSS idle {R['st_start']['VmRSS'] / 1024:.1f} MiB (VmHWM {R['st_start']['VmHWM'] / 1024:.1f} "
                 f"already at start), after one Register {R['st_one_hash']['VmRSS'] / 1024:.1f} MiB; "
                 f"sampled VmRSS max {R['flood']['rss_max_kb'] / 1024:.1f} MiB; threads {R['st_start']['Threads']} → "
                 f"{R['flood_st_after']['Threads']}")
    notes.append(f"parity phase: {4 * par['rounds']} calls in {par['wall']:.0f} s")
    L.extend(f"- {n}" for n in notes)
    return "\n".join(L)


if __name__ == "__main__":
    main()
