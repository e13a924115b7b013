#!/usr/bin/env python3
"""Password-login benchmark for riegeld (issue 3, "Speed"). A benchmark, not a test.

One run measures, against anchors taken in the same run (the machine is shared
and noisy, so ratios matter, absolute numbers less):

1. anchor     libargon2 argon2id throughput at riegeld's parameters (m=19456 KiB,
              t=2, p=1, 32-byte hash, 16-byte salt), one thread per core in this
              process, for two builds of libargon2:
                - "system": Debian's libargon2.so.1 through ctypes -- the very
                  library riegeld links (CArgon2 -> -largon2);
                - "cffi":   argon2-cffi's low_level.hash_secret_raw (its bundled
                  libargon2 build).
              Both release the GIL (checked: process CPU / wall ~ threads).
              The system anchor is taken before and after the login phase and
              averaged, so that drift in the machine's load shows up.
2. logins     successful io.riegel.Auth.Login over the Unix socket from N client
              processes, each with its own connection -> logins/s and the ratio
              to the anchor (goal >= 0.9). The same clients calling
              org.varlink.service.GetInfo show the client-side ceiling.
3. parity     failed logins, sequential on one connection, interleaved in random
              order per round: (a) existing user + wrong password, (b) unknown
              username (always the same one), (c) a fresh unknown username each
              time. Medians/means and the relative difference (goal < 2 %).
4. flood      a fresh riegeld, M concurrent connections hammering Login; VmHWM
              before/after and sampled VmRSS, against workers x argon2 memory;
              how many calls answered Overloaded (the bounded queue).

Usage (from the repo root, after `scripts/setup --test` and
`swift build -c release --product riegeld`):

    RIEGEL_BIN_DIR=.build/release .venv/bin/python Benchmarks/login_bench.py

By default the figures are appended to BENCHMARKS.md (--no-record to skip).
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
    cpu0, t0 = time.process_time(), time.perf_counter()
    end_at[0] = t0 + seconds
    start.wait()
    for t in ts:
        t.join()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    n = sum(counts)
    return {"kind": kind, "threads": threads, "hashes": n, "wall": wall, "rate": n / wall,
            "cpu_per_wall": cpu / wall, "cpu_ms_per_hash": 1000 * cpu / max(n, 1),
            "gil_released": gil_released(kind)}


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


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


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

def _call_loop(address, method, users, start_at, end_at, out, idx):
    """One connection; calls `method` until end_at; records (t_done, latency, outcome)."""
    recs = []
    iface_name = "org.varlink.service" if method == "GetInfo" else AUTH
    conn = client = None
    try:
        client = varlink.Client(address=address)
        conn = client.open(iface_name)
    except Exception as e:  # noqa: BLE001
        out[idx] = [(time.time(), 0.0, f"connect:{type(e).__name__}")]
        return
    user = users[idx % len(users)] if users else None
    while time.time() < start_at:
        time.sleep(0.001)
    while True:
        t0 = time.time()
        if t0 >= end_at:
            break
        try:
            if method == "GetInfo":
                conn.GetInfo()
            else:
                conn.Login(username=user, password=PASSWORD)
            outcome = "ok"
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


def _client_process(address, method, users, threads, first_idx, start_at, end_at, q):
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    out = {}
    ts = [threading.Thread(target=_call_loop, args=(address, method, users, start_at, end_at, out, first_idx + i))
          for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    q.put({"recs": [r for i in sorted(out) for r in out[i]], "cpu": cpu})


def drive(d: Daemon, method: str, users, procs: int, threads: int, seconds: float,
          sample_rss: bool = False) -> dict:
    """procs x threads connections calling `method` for `seconds`; counts what completes in the window."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    start_at = time.time() + 1.5  # time to connect and fetch the IDL
    end_at = start_at + seconds
    ps = [ctx.Process(target=_client_process,
                      args=(d.address, method, users, threads, p * threads, start_at, end_at, q))
          for p in range(procs)]
    for p in ps:
        p.start()
    while time.time() < start_at:
        time.sleep(0.005)
    pid = d.proc.pid
    cpu0 = proc_cpu_seconds(pid)
    rss_max = 0
    while time.time() < end_at:
        if sample_rss:
            st = proc_status(pid)
            rss_max = max(rss_max, st["VmRSS"])
        time.sleep(0.02 if sample_rss else 0.1)
    cpu1 = proc_cpu_seconds(pid)
    results = [q.get(timeout=120) for _ in ps]
    for p in ps:
        p.join(30)
    recs = [r for res in results for r in res["recs"] if start_at <= r[0] <= end_at]
    outcomes = {}
    for r in recs:
        outcomes[r[2]] = outcomes.get(r[2], 0) + 1
    ok_lat = sorted(r[1] for r in recs if r[2] == "ok")
    return {"method": method, "connections": procs * threads, "seconds": seconds,
            "outcomes": outcomes, "ok": len(ok_lat), "rate": len(ok_lat) / seconds,
            "calls_per_s": len(recs) / seconds,
            "p50_ms": 1000 * pct(ok_lat, 50), "p99_ms": 1000 * pct(ok_lat, 99),
            "client_cpu_per_s": sum(r["cpu"] for r in results) / (seconds + 1.5),
            "daemon_cpu_per_s": (cpu1 - cpu0) / seconds,
            "daemon_cpu_ms_per_ok": 1000 * (cpu1 - cpu0) / max(len(ok_lat), 1),
            "rss_max_kb": rss_max}


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# --------------------------------------------------------------------------- phases

def phase_parity(d: Daemon, known: str, rounds: int, warmup: int) -> dict:
    client = varlink.Client(address=d.address)
    a = client.open(AUTH)
    fresh = iter(range(10**9))

    def call(kind):
        if kind == "wrong_password":
            name = known
        elif kind == "unknown_user":
            name = "nobody-at-all"
        else:
            name = f"ghost-{os.getpid()}-{next(fresh)}"
        t0 = time.perf_counter()
        try:
            a.Login(username=name, password=WRONG)
            err = "ok(!)"
        except varlink.VarlinkError as e:
            err = e.error()
        return time.perf_counter() - t0, err

    kinds = ["wrong_password", "unknown_user", "fresh_unknown_user"]
    for _ in range(warmup):  # includes the first unknown login, which makes the dummy hash
        for k in kinds:
            call(k)
    times = {k: [] for k in kinds}
    errors = {}
    rng = random.Random(4711)
    for _ in range(rounds):
        order = kinds[:]
        rng.shuffle(order)
        for k in order:
            dt, err = call(k)
            times[k].append(dt)
            errors[(k, err)] = errors.get((k, err), 0) + 1
    a.close()
    res = {"rounds": rounds, "errors": {f"{k}: {e}": n for (k, e), n in errors.items()}}
    base = times["wrong_password"]
    for k in kinds:
        xs = times[k]
        res[k] = {"median_ms": 1000 * statistics.median(xs), "mean_ms": 1000 * statistics.fmean(xs),
                  "p10_ms": 1000 * pct(xs, 10), "p90_ms": 1000 * pct(xs, 90)}
        if k != "wrong_password":
            res[k]["d_median"] = statistics.median(xs) / statistics.median(base) - 1
            res[k]["d_mean"] = statistics.fmean(xs) / statistics.fmean(base) - 1
            res[k]["d_median_ci95"] = bootstrap_ci(base, xs, rng)
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


def register(d: Daemon, names):
    with d.client() as c, c.open(AUTH) as a:
        for n in names:
            a.Register(username=n, password=PASSWORD)


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--anchor-seconds", type=float, default=6)
    ap.add_argument("--login-seconds", type=float, default=12)
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

    # 1. anchors (system libargon2 also after the login phase)
    R["anchor_sys_1"] = anchor("system", cores, args.anchor_seconds)
    print("anchor system #1:", fmt(R["anchor_sys_1"]), flush=True)
    R["anchor_cffi"] = anchor("cffi", cores, args.anchor_seconds)
    print("anchor cffi:     ", fmt(R["anchor_cffi"]), flush=True)

    # 2. logins/s
    d = start_daemon("throughput")
    R["daemon_pid"] = d.proc.pid
    users = [f"bench-user-{i}" for i in range(args.clients)]
    register(d, users + ["parity-known"])
    R["getinfo"] = drive(d, "GetInfo", None, args.clients, 1, args.getinfo_seconds)
    print("getinfo:", fmt(R["getinfo"]), flush=True)
    R["login"] = drive(d, "Login", users, args.clients, 1, args.login_seconds)
    print("login:  ", fmt(R["login"]), flush=True)
    R["anchor_sys_2"] = anchor("system", cores, args.anchor_seconds)
    print("anchor system #2:", fmt(R["anchor_sys_2"]), flush=True)

    # 3. timing parity (same daemon; throttle limits are at their maximum)
    R["parity"] = phase_parity(d, "parity-known", args.parity_rounds, warmup=10)
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
    a1, a2, ac = R["anchor_sys_1"], R["anchor_sys_2"], R["anchor_cffi"]
    anchor_sys = (a1["rate"] + a2["rate"]) / 2
    lg, gi, fl, par = R["login"], R["getinfo"], R["flood"], R["parity"]
    mib = M_KIB / 1024
    idle_mib = R["st_start"]["VmRSS"] / 1024
    bound_mib = idle_mib + R["flood_workers"] * mib + SLACK_MIB
    L = []
    L.append(f"### Run {R['date']}")
    L.append("")
    L.append(f"Command (repo root): `{R['command']}`  ")
    L.append(f"Machine: {R['cores']} vCPU, shared and noisy (load average before "
             f"{R['load_before'][0]:.2f}, after {R['load_after'][0]:.2f}); riegeld release build, "
             f"argon2id m={M_KIB} KiB t={T_COST} p={LANES}, hash_workers={R['flood_workers']}, "
             f"queue={R['flood_queue']}.")
    L.append("")
    L.append("| benchmark | figure | ratio / difference | goal | met |")
    L.append("|---|---|---|---|---|")
    L.append(f"| anchor: system libargon2 (ctypes), {a1['threads']} threads | {a1['rate']:.1f} / {a2['rate']:.1f} hashes/s "
             f"(before / after logins; CPU/wall {a1['cpu_per_wall']:.2f}, {a1['cpu_ms_per_hash']:.1f} ms CPU/hash) | "
             "reference | | |")
    L.append(f"| anchor: argon2-cffi bundled libargon2, {ac['threads']} threads | {ac['rate']:.1f} hashes/s "
             f"(CPU/wall {ac['cpu_per_wall']:.2f}, {ac['cpu_ms_per_hash']:.1f} ms CPU/hash) | "
             f"{ac['rate'] / anchor_sys:.2f}× system | | |")
    ratio = lg["rate"] / anchor_sys
    L.append(f"| Login (success) over the socket, {lg['connections']} connections | {lg['rate']:.1f} logins/s "
             f"(p50 {lg['p50_ms']:.0f} ms, p99 {lg['p99_ms']:.0f} ms; riegeld {lg['daemon_cpu_ms_per_ok']:.1f} ms CPU/login) | "
             f"{ratio:.2f}× system anchor, {lg['rate'] / ac['rate']:.2f}× cffi anchor | ≥ 0.9× | "
             f"{'yes' if ratio >= 0.9 else 'NO'} |")
    L.append(f"| client ceiling: GetInfo, same {gi['connections']} client processes | {gi['rate']:.0f} calls/s "
             f"(clients used {gi['client_cpu_per_s']:.2f} cores) | {gi['rate'] / max(lg['rate'], 1e-9):.0f}× login rate | ≫ 1× | "
             f"{'yes' if gi['rate'] > 10 * lg['rate'] else 'NO'} |")
    for k, label in (("unknown_user", "unknown user (same name)"), ("fresh_unknown_user", "unknown user (fresh name each)")):
        p, w = par[k], par["wrong_password"]
        lo, hi = p["d_median_ci95"]
        met = abs(p["d_median"]) < 0.02 and abs(p["d_mean"]) < 0.02
        L.append(f"| failed login: {label} vs wrong password, {par['rounds']} each interleaved | "
                 f"median {p['median_ms']:.2f} vs {w['median_ms']:.2f} ms, mean {p['mean_ms']:.2f} vs {w['mean_ms']:.2f} ms | "
                 f"median {100 * p['d_median']:+.2f} % (95 % CI {100 * lo:+.1f}…{100 * hi:+.1f} %), mean {100 * p['d_mean']:+.2f} % | "
                 f"< 2 % | {'yes' if met else 'NO'} |")
    for key in ("flood_small", "flood"):
        f = R[key]
        peak = R[key + "_st_after"]["VmHWM"] / 1024
        L.append(f"| peak RSS, {f['connections']} connections flooding Login {f['seconds']:.0f} s | "
                 f"idle {idle_mib:.1f} MiB → {R[key + '_rss_before'] / 1024:.1f} before → peak (VmHWM) {peak:.1f} MiB | "
                 f"+{peak - idle_mib:.1f} MiB over idle; workers × hash = {R['flood_workers']} × {mib:.0f} = "
                 f"{R['flood_workers'] * mib:.0f} MiB; (workers + queue) × hash = {(R['flood_workers'] + R['flood_queue']) * mib:.0f} MiB | "
                 f"≤ idle + workers × hash (+ {SLACK_MIB} MiB other) = {bound_mib:.0f} MiB | "
                 f"{'yes' if peak <= bound_mib else 'NO'} |")
    for key in ("flood_small", "flood"):
        f = R[key]
        outc = ", ".join(f"{k} {v}" for k, v in sorted(f["outcomes"].items(), key=lambda kv: -kv[1]))
        L.append(f"| flood outcomes, {f['connections']} connections ({f['calls_per_s']:.0f} calls/s) | {outc} | "
                 f"{f['rate']:.1f} logins/s = {f['rate'] / anchor_sys:.2f}× system anchor; ok p50 {f['p50_ms']:.0f} ms, "
                 f"p99 {f['p99_ms']:.0f} ms | only ok / Overloaded | "
                 f"{'yes' if set(f['outcomes']) <= {'ok', AUTH + '.Overloaded'} else 'NO'} |")
    L.append("")
    notes = []
    if set(lg["outcomes"]) != {"ok"}:
        notes.append(f"login phase outcomes: {lg['outcomes']}")
    if set(gi["outcomes"]) != {"ok"}:
        notes.append(f"GetInfo phase outcomes: {gi['outcomes']}")
    if any(not e.endswith("InvalidCredentials") for e in par["errors"]):
        notes.append(f"parity replies: {par['errors']}")
    for tag in ("stop_throughput", "stop_flood"):
        s = R[tag]
        if s["rc"] != 0 or s["bad_log_lines"]:
            notes.append(f"{tag}: exit {s['rc']}, {len(s['bad_log_lines'])} error/warning log lines, e.g. "
                         + "; ".join(s["bad_log_lines"][:3]))
    if not R["flood_alive"] or R["flood_after_getinfo"] != "ok":
        notes.append(f"after the flood: alive={R['flood_alive']}, GetInfo: {R['flood_after_getinfo']}")
    notes.append(f"flood daemon: VmRSS idle {R['st_start']['VmRSS'] / 1024:.1f} MiB (VmHWM {R['st_start']['VmHWM'] / 1024:.1f} "
                 f"already at start), after one Register {R['st_one_hash']['VmRSS'] / 1024:.1f} MiB; "
                 f"sampled VmRSS max {fl['rss_max_kb'] / 1024:.1f} MiB; threads {R['st_start']['Threads']} → "
                 f"{R['flood_st_after']['Threads']}")
    notes.append(f"anchors: GIL check (counter-thread progress while hashing, ~1 = released): system "
                 f"{a1['gil_released']:.2f}, cffi {ac['gil_released']:.2f}; CPU-time view: anchor "
                 f"{(a1['cpu_ms_per_hash'] + a2['cpu_ms_per_hash']) / 2:.1f} ms CPU/hash vs riegeld "
                 f"{lg['daemon_cpu_ms_per_ok']:.1f} ms CPU/login → {(a1['cpu_ms_per_hash'] + a2['cpu_ms_per_hash']) / 2 / lg['daemon_cpu_ms_per_ok']:.2f}×")
    notes.append(f"login client CPU {lg['client_cpu_per_s']:.2f} cores, riegeld CPU {lg['daemon_cpu_per_s']:.2f} cores "
                 f"during the login phase")
    L.extend(f"- {n}" for n in notes)
    return "\n".join(L)


if __name__ == "__main__":
    main()
