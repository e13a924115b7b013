#!/usr/bin/env python3
"""The SMS login flow (issue 18): flows/s against the argon2 anchor of the same run, and p99.
A benchmark, not a test.

One flow, per client connection: Login(username, password) for a user with
the SMS second factor on and no device token -> a challenge; the code read
from riegeld's outbox gateway (the JSON lines file in its state directory:
{"time", "to", "text"}; each client has its own user and phone number and
finds its line by the number) -> VerifyChallenge -> a session (no Logout,
like login_bench.py's logins; `--logout` adds one). The flow costs one
password hash, so its goal is >= 0.8x the anchor's hashes/s.

In each round, alternating slices (so all see the same load):
  anchor   libargon2 argon2id at riegeld's parameters on all cores
           (login_bench.py's anchor: the very library and function riegeld calls);
  sms      --clients (8) client processes running the flow (login_bench.py's drive);
  anchor   again;
  login    as many clients, plain password Login of users without a second
           factor on the same riegeld: what the flow costs beyond the password.
Ratios per slice to the anchor slice before it; medians and ranges over the
rounds; per-flow latency p50/p99; riegeld CPU per flow and per login (from
/proc), split into its hashing threads (~ one anchor hash) and the rest; the
clients' CPU per flow (they run on the same cores). At the end, one client
alone runs flows and plain logins in turn (what a user waits with no queue).
Every non-ok outcome is counted and printed: a run with any is not a
measurement (exit status 1).

The SMS send windows (per phone, user, country and overall) count one more
send per flow during the run; `--prefill N` starts the overall and country
windows with N sends, as on a daemon that has sent that many codes within
cap_window. The prefill is written in the windows' old format (one entry per
send), which riegeld builds before and after `v14-sms-send-buckets` both read;
a build with the bucket format rewrites the row at its first send.

The daemon's SMS send caps are raised (per phone and per user to 1 000 000,
per country and overall to 100 000 000 per `cap_window`, the enrolment caps
alike), so is the wrong-code budget, and [throttle] is at its maximum, so
nothing refuses a flow; everything else is riegeld's default (argon2id
m=19456 KiB t=2 p=1, one hash worker per core, max 50 sessions per user).

Usage (repo root, after `scripts/setup --test` and `swift build -c release --product riegeld`):
    RIEGEL_BIN_DIR=.build/release .venv/bin/python Benchmarks/sms_flow_bench.py [--rounds 4] [--clients 8] [--prefill N]

Takes about 1.5 minutes with the defaults.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import login_bench as lb  # noqa: E402  (puts Tests/IntegrationTests on sys.path)
from portal_harness import code_in  # noqa: E402
from riegel_harness import RIEGELD, Daemon, make_root  # noqa: E402

import varlink  # noqa: E402

SMS_CAPS = """[sms]
cap_per_phone = 1000000
cap_per_user = 1000000
cap_per_country = 100000000
cap_global = 100000000
enrol_cap_per_phone = 1000000
enrol_cap_per_country = 100000000
enrol_cap_global = 100000000
enrol_cap_per_client = 1000000
failure_limit = 1000
cap_window = "{window}"
"""


def phone(i: int) -> str:
    """A German mobile number (E.164) of client i's user."""
    return f"+4915123{i:06d}"


class OutboxReader:
    """Finds the codes sent to one number in the outbox file, reading only what was
    appended since the last call: a byte search for the number and one JSON parse of
    the newest line that has it. The outbox line is on disk before the call that sent
    it replies (OutboxSMSGateway fsyncs it), so no waiting is needed."""

    def __init__(self, path, e164: str, from_end: bool):
        """`from_end`: skip what the file holds now (it must exist then)."""
        self.path, self.e164 = path, e164
        self.needle = b'"' + e164.encode() + b'"'
        self.rest = b""
        self.f = open(path, "rb") if from_end else None
        if self.f:
            self.f.seek(0, os.SEEK_END)

    def code(self) -> str | None:
        if self.f is None:
            try:
                self.f = open(self.path, "rb")
            except FileNotFoundError:
                return None
        data = self.rest + self.f.read()
        cut = data.rfind(b"\n") + 1  # keep a line still being written for next time
        self.rest, data = data[cut:], data[:cut]
        i = data.rfind(self.needle)
        if i < 0:
            return None
        line = data[data.rfind(b"\n", 0, i) + 1:data.index(b"\n", i)]
        message = json.loads(line)
        return code_in(message) if message.get("to") == self.e164 else None


class SMSFlow:
    """login_bench.drive's flow: called once per connection, in the client process."""
    __name__ = "sms_flow"

    def __init__(self, outbox, phones: dict, logout: bool):
        self.outbox, self.phones, self.logout = outbox, phones, logout

    def __call__(self, user: str, idx: int):
        reader = OutboxReader(self.outbox, self.phones[user], from_end=True)

        def step(conn):
            try:
                reply = conn.Login(username=user, password=lb.PASSWORD)
            except varlink.VarlinkError as e:
                return "Login:" + e.error()
            if not reply.get("challenge"):
                return "Login:no challenge"
            code = reader.code()
            if code is None:
                return "outbox:no code for the number"
            try:
                reply = conn.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=code)
            except varlink.VarlinkError as e:
                return "VerifyChallenge:" + e.error()
            if not reply.get("session"):
                return "VerifyChallenge:no session"
            if self.logout:
                try:
                    conn.Logout(token=reply["session"]["token"])
                except varlink.VarlinkError as e:
                    return "Logout:" + e.error()
            return None
        return step


def enrol(d: Daemon, names, phones: dict):
    """Registers each name with its phone and verifies the enrolment code: the second factor is on."""
    with d.client() as c, c.open(lb.AUTH) as a:
        for n in names:
            challenge = a.Register(username=n, password=lb.PASSWORD, phone=phones[n])["challenge"]
            code = OutboxReader(d.state / "sms-outbox.jsonl", phones[n], from_end=False).code()
            a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code)
            assert "challenge" in a.Login(username=n, password=lb.PASSWORD), f"{n}: no second factor"


def prefill_windows(d: Daemon, n: int):
    """Stops riegeld, writes n send times of the last minute into the login budget's overall
    and +49 windows (what a daemon that sent n codes to German numbers within `cap_window`
    holds, the caps raised), and starts it again."""
    assert d.stop() == 0, d.log_text()
    now = time.time()
    sends = json.dumps({"sends": [{"secondsSinceEpoch": now - 60 + i * 59 / n} for i in range(n)]})
    db = sqlite3.connect(d.state / "riegel.sqlite")
    try:
        for key in ("global", "country:49"):
            db.execute("INSERT INTO sms_send_window (key, sends, updated_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET sends = excluded.sends", (key, sends, now))
        db.commit()
    finally:
        db.close()
    d.start()


def send_windows(d: Daemon) -> dict:
    """The largest SMS send windows per kind (read-only, while riegeld runs): sends counted and
    entries stored (one per send in the old format, one per bucket in the bucket format)."""
    db = sqlite3.connect(f"file:{d.state / 'riegel.sqlite'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT key, sends FROM sms_send_window").fetchall()
    finally:
        db.close()
    sizes: dict = {}
    for k, v in rows:
        kind = k.split(":")[0] if ":" in k else k
        w = json.loads(v)
        sends, entries = (len(w["sends"]),) * 2 if "sends" in w else (sum(c for _, c in w["buckets"]), len(w["buckets"]))
        old = sizes.get(kind, {"sends": 0, "entries": 0})
        sizes[kind] = {"sends": max(old["sends"], sends), "entries": max(old["entries"], entries)}
    return sizes


def alone(d: Daemon, flow: SMSFlow, sms_user: str, plain_user: str, n: int) -> dict:
    """One client on one connection, n flows and n plain logins interleaved: what a user
    waits with no queue at the hash pool (milliseconds, median and p90)."""
    times, bad = {"flow": [], "login": []}, []
    with d.client() as c, c.open(lb.AUTH) as a:
        # riegeld pads every password check to the upper quartile of its last 32 (queue
        # wait included: VerificationFloor); these replace the queued ones of the load.
        for _ in range(32):
            a.Login(username=plain_user, password=lb.PASSWORD)
        step = flow(sms_user, 0)
        for _ in range(n):
            t0 = time.perf_counter()
            outcome = step(a)
            t1 = time.perf_counter()
            a.Login(username=plain_user, password=lb.PASSWORD)
            t2 = time.perf_counter()
            if outcome:
                bad.append(outcome)
            else:
                times["flow"].append(1000 * (t1 - t0))
            times["login"].append(1000 * (t2 - t1))
    out = {k: {"p50": statistics.median(v), "p90": lb.pct(v, 90)} for k, v in times.items()}
    out["outcomes"] = {b: bad.count(b) for b in set(bad)}
    return out


def hash_ms(r: dict) -> float:
    """riegeld's hashing threads' CPU per completed operation (the rest is everything else)."""
    return r["daemon_thread_cpu_ms_per_ok"].get("riegel-hash", 0.0)


def cpu(r: dict) -> str:
    return f"{r['daemon_cpu_ms_per_ok']:.1f} ({hash_ms(r):.1f} + {r['daemon_cpu_ms_per_ok'] - hash_ms(r):.1f})"


def rng(xs, f="{:.2f}"):
    return f"{f.format(statistics.median(xs))} ({f.format(min(xs))}–{f.format(max(xs))})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--slice-seconds", type=float, default=4)
    # 8, not login_bench's 6: a flow spends part of its time outside the hash queue
    # (VerifyChallenge, the challenge's commits); on one daemon, alternating 3 s slices,
    # 8 clients completed more flows than 6 in each of 4 rounds (+2 to +38 %, a noisy
    # machine). riegeld's queue (4 per worker) and its 2 workers take 10 before Overloaded.
    ap.add_argument("--clients", type=int, default=8, help="client processes, one connection and one user each")
    ap.add_argument("--logout", action="store_true", help="end each flow with Logout")
    ap.add_argument("--cap-window", default="1h", help="[sms] cap_window (the caps are raised; the default window)")
    ap.add_argument("--prefill", type=int, default=0, metavar="N",
                    help="start with N sends in the overall and country send windows (see prefill_windows)")
    ap.add_argument("--alone", type=int, default=20, metavar="N", help="flows and logins of one client at the end (0: skip)")
    ap.add_argument("--json", help="write the raw figures here")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    if not RIEGELD.exists():
        sys.exit(f"{RIEGELD} is missing: swift build -c release --product riegeld")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    commit = subprocess.run(["git", "-C", str(lb.REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"# sms_flow_bench {started:%Y-%m-%d %H:%M:%S} UTC cores={cores} load={load_before} "
          f"riegeld={RIEGELD}; this checkout at {commit}", flush=True)

    d = Daemon(make_root(), extra_config=lb.THROTTLE + SMS_CAPS.format(window=args.cap_window)).start()
    d.tag = "sms"
    R = {"args": vars(args), "date": f"{started:%Y-%m-%d %H:%M} UTC", "cores": cores, "load_before": load_before,
         "riegeld": str(RIEGELD), "rounds": []}
    try:
        sms_users = [f"sms-user-{i}" for i in range(args.clients)]
        plain_users = [f"plain-user-{i}" for i in range(args.clients)]
        phones = {n: phone(i) for i, n in enumerate(sms_users)}
        enrol(d, sms_users, phones)
        lb.register(d, plain_users)
        if args.prefill:
            prefill_windows(d, args.prefill)
        flow = SMSFlow(d.state / "sms-outbox.jsonl", phones, args.logout)
        R["warm"] = lb.drive(d, flow, sms_users, args.clients, 1, 1.0)
        print(f"warm-up: {R['warm']['ok']} flows, outcomes {R['warm']['outcomes']}", flush=True)
        for i in range(args.rounds):
            an = lb.anchor("system", cores, args.slice_seconds)
            fl = lb.drive(d, flow, sms_users, args.clients, 1, args.slice_seconds)
            an2 = lb.anchor("system", cores, args.slice_seconds)
            lg = lb.drive(d, "Login", plain_users, args.clients, 1, args.slice_seconds)
            r = {"load": os.getloadavg()[0], "anchor": an, "flow": fl, "anchor2": an2, "login": lg}
            R["rounds"].append(r)
            print(f"round {i + 1}: load {r['load']:.2f} | anchor {an['rate']:.1f}/s ({an['cpu_per_wall']:.2f} cores, "
                  f"{an['cpu_ms_per_hash']:.1f} ms CPU/hash) | SMS flows {fl['rate']:.1f}/s "
                  f"({fl['rate'] / an['rate']:.2f}x; p50 {fl['p50_ms']:.0f} ms, p99 {fl['p99_ms']:.0f} ms; riegeld "
                  f"{cpu(fl)} ms CPU/flow, {fl['daemon_cpu_per_s']:.2f} cores; clients "
                  f"{1000 * fl['client_cpu_per_s'] / max(fl['rate'], 1e-9):.1f} ms CPU/flow) {fl['outcomes']} | "
                  f"anchor {an2['rate']:.1f}/s | logins {lg['rate']:.1f}/s ({lg['rate'] / an2['rate']:.2f}x; "
                  f"riegeld {cpu(lg)} ms CPU/login) {lg['outcomes']}", flush=True)
        R["alone"] = alone(d, flow, sms_users[0], plain_users[0], args.alone) if args.alone > 0 else None
        R["windows"] = send_windows(d)
        R["outbox_lines"] = sum(1 for _ in open(d.state / "sms-outbox.jsonl", "rb"))
    finally:
        R["stop"] = lb.stop_daemon(d)
    R["load_after"] = os.getloadavg()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(R, f, indent=1, default=str)
    print()
    print(report(R))
    return 0 if R["valid"] else 1


def report(R: dict) -> str:
    rs = R["rounds"]
    ratio = [r["flow"]["rate"] / r["anchor"]["rate"] for r in rs]
    lratio = [r["login"]["rate"] / r["anchor2"]["rate"] for r in rs]
    an_cpu = [r["anchor"]["cpu_ms_per_hash"] for r in rs]
    fl_cpu = [r["flow"]["daemon_cpu_ms_per_ok"] for r in rs]
    lg_cpu = [r["login"]["daemon_cpu_ms_per_ok"] for r in rs]
    fl_hash = [hash_ms(r["flow"]) for r in rs]
    lg_hash = [hash_ms(r["login"]) for r in rs]
    fl_rest = [c - h for c, h in zip(fl_cpu, fl_hash)]
    lg_rest = [c - h for c, h in zip(lg_cpu, lg_hash)]
    cl_cpu = [1000 * r["flow"]["client_cpu_per_s"] / max(r["flow"]["rate"], 1e-9) for r in rs]
    bad = {}
    for what, res in [("warm-up", R["warm"])] + ([("one client", R["alone"])] if R["alone"] else []) + \
            [(w, r[w]) for r in rs for w in ("flow", "login")]:
        for k, v in res["outcomes"].items():
            if k != "ok":
                bad[f"{what} {k}"] = bad.get(f"{what} {k}", 0) + v
    R["valid"] = not bad
    L = [f"SMS login flow, {R['date']}, {R['cores']} cores, {len(rs)} rounds of {R['args']['slice_seconds']:g} s slices, "
         f"{R['args']['clients']} client processes{' (with Logout)' if R['args']['logout'] else ''}"
         f"{' (send windows prefilled with %d sends)' % R['args']['prefill'] if R['args']['prefill'] else ''}; load average "
         f"{R['load_before'][0]:.2f} at the start, {R['load_after'][0]:.2f} at the end",
         "",
         "| round | load | anchor hashes/s (cores) | SMS flows/s | ratio | flow p50 / p99 ms | riegeld CPU ms/flow "
         "(hash threads + rest) | anchor hashes/s | Login/s | ratio | riegeld CPU ms/login (hash + rest) |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rs):
        an, fl, an2, lg = r["anchor"], r["flow"], r["anchor2"], r["login"]
        L.append(f"| {i + 1} | {r['load']:.1f} | {an['rate']:.1f} ({an['cpu_per_wall']:.2f}) | {fl['rate']:.1f} | "
                 f"{ratio[i]:.2f} | {fl['p50_ms']:.0f} / {fl['p99_ms']:.0f} | {cpu(fl)} | "
                 f"{an2['rate']:.1f} | {lg['rate']:.1f} | {lratio[i]:.2f} | {cpu(lg)} |")
    L.append(f"| median (range) | | {rng([r['anchor']['rate'] for r in rs], '{:.1f}')} | "
             f"{rng([r['flow']['rate'] for r in rs], '{:.1f}')} | **{rng(ratio)}** | "
             f"{statistics.median(r['flow']['p50_ms'] for r in rs):.0f} / "
             f"{rng([r['flow']['p99_ms'] for r in rs], '{:.0f}')} | {rng(fl_cpu, '{:.1f}')}; rest "
             f"{rng(fl_rest, '{:.1f}')} | "
             f"{rng([r['anchor2']['rate'] for r in rs], '{:.1f}')} | {rng([r['login']['rate'] for r in rs], '{:.1f}')} | "
             f"{rng(lratio)} | {rng(lg_cpu, '{:.1f}')}; rest {rng(lg_rest, '{:.1f}')} |")
    L.append("")
    med = statistics.median(ratio)
    L.append(f"- goal ≥ 0.8× the anchor: median {med:.2f}× → {'met' if med >= 0.8 else 'NOT met'}"
             f"{'' if R['valid'] else ' (but the run had refusals: not a measurement)'}")
    L.append(f"- CPU: anchor {statistics.median(an_cpu):.1f} ms per hash; riegeld {statistics.median(fl_cpu):.1f} ms "
             f"per flow, {statistics.median(lg_cpu):.1f} ms per plain login (the SMS part: "
             f"{statistics.median(fl_cpu) - statistics.median(lg_cpu):+.1f} ms); CPU view (anchor ms/hash ÷ riegeld "
             f"ms/flow) {statistics.median(an_cpu) / statistics.median(fl_cpu):.2f}×; clients "
             f"{statistics.median(cl_cpu):.1f} ms CPU per flow (on the same cores)")
    L.append(f"- hashes per operation (riegeld's hashing threads' CPU ÷ the anchor's CPU per hash, same round): "
             f"flow {statistics.median(h / a for h, a in zip(fl_hash, an_cpu)):.2f}, plain login "
             f"{statistics.median(h / r['anchor2']['cpu_ms_per_hash'] for h, r in zip(lg_hash, rs)):.2f}; "
             f"riegeld's other threads (event loops, handler tasks: SQLite, sealing, the outbox) "
             f"{statistics.median(fl_rest):.1f} ms per flow, {statistics.median(lg_rest):.1f} ms per plain login")
    al = R["alone"]
    if al:
        L.append(f"- one client alone ({R['args']['alone']} of each, interleaved): flow {al['flow']['p50']:.0f} ms "
                 f"(p90 {al['flow']['p90']:.0f}), plain login {al['login']['p50']:.0f} ms (p90 {al['login']['p90']:.0f})")
    L.append(f"- riegeld used {statistics.median(r['flow']['daemon_cpu_per_s'] for r in rs):.2f} cores during the flow "
             f"slices, {statistics.median(r['login']['daemon_cpu_per_s'] for r in rs):.2f} during the login slices; "
             f"the anchor got {statistics.median(r['anchor']['cpu_per_wall'] for r in rs):.2f} of {R['cores']}")
    got = min(a["cpu_per_wall"] for r in rs for a in (r["anchor"], r["anchor2"]))
    if got < 0.8 * R["cores"]:
        L.append(f"- **disturbed**: in at least one slice the anchor got only {got:.2f} of {R['cores']} cores")
    if "windows" in R:
        L.append(f"- SMS send windows at the end (largest per kind, sends counted and entries stored): {R['windows']}; outbox "
                 f"{R['outbox_lines']} lines")
    L.append(f"- non-ok outcomes: {bad if bad else 'none'}")
    st = R["stop"]
    if st["rc"] != 0 or st["bad_log_lines"]:
        L.append(f"- riegeld: exit {st['rc']}, {len(st['bad_log_lines'])} error/warning log lines, e.g. "
                 + "; ".join(st["bad_log_lines"][:3]))
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
