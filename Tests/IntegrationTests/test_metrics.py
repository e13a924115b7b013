"""The Prometheus endpoint of a real riegeld (issue 18): off unless configured,
bound from `[metrics] listen` or passed by systemd as the fd named `metrics`,
and counting what a scripted run through the PyPI varlink client did. The
scrape is parsed with PyPI prometheus_client's own text parser."""
import http.client
import shutil
import socket
import time

import pytest
import varlink
from prometheus_client.parser import text_string_to_metric_families

from riegel_harness import REPO, Daemon, admin, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
PHONE = "+49 151 23456789"


def free_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port: int, method: str = "GET", path: str = "/metrics", timeout: float = 10.0):
    """One request; returns (status, headers, body text)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode()
    finally:
        c.close()


def scrape(port: int) -> dict:
    """Every sample of a scrape, keyed by (name, frozenset of labels)."""
    status, headers, body = request(port)
    assert status == 200, body
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers
    samples = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    key = (name, frozenset(labels.items()))
    assert key in samples, f"{name}{labels} is not in the scrape; have {sorted(k for k in samples if k[0] == name)}"
    return samples[key]


def last_code(d):
    import json
    import re
    lines = (d.state / "sms-outbox.jsonl").read_text().splitlines()
    runs = set(re.findall(r"(?<!\d)\d{6}(?!\d)", json.loads(lines[-1])["text"]))
    assert len(runs) == 1
    return runs.pop()


def wrong(code):
    return "".join(str((int(c) + 1) % 10) for c in code)


def metrics_daemon(root, port):
    return Daemon(root, extra_config=f'[metrics]\nlisten = "127.0.0.1:{port}"\n').start()


def test_metrics_are_off_unless_configured(daemon):
    """No [metrics] listen and no passed fd: no endpoint, and Status says so."""
    with admin(daemon) as a:
        checks = {c["name"]: c for c in a.Status()["checks"]}
    assert checks["metrics"]["ok"] and checks["metrics"]["detail"] == "off", checks


def test_a_fresh_daemon_shows_every_fixed_series_at_zero(root):
    """Alert rules need a rate, not an absence: fixed-label series exist from the start."""
    port = free_port()
    d = metrics_daemon(root, port)
    try:
        samples = scrape(port)
        for outcome in ("success", "challenge_required", "invalid_credentials", "throttled", "locked",
                        "overloaded", "error"):
            assert value(samples, "riegel_logins_total", outcome=outcome) == 0
        for outcome in ("valid", "invalid_token", "idle", "absolute", "revoked", "other"):
            assert value(samples, "riegel_session_checks_total", outcome=outcome) == 0
        for kind in ("delay", "lockout"):
            assert value(samples, "riegel_throttle_events_total", kind=kind) == 0
        assert value(samples, "riegel_password_hash_overloaded_total") == 0
        assert value(samples, "riegel_password_hash_in_flight") == 0
        assert value(samples, "riegel_password_hash_workers") >= 1
        assert value(samples, "riegel_sessions_live") == 0
        assert value(samples, "riegel_build_info", version=d_version(d)) == 1
    finally:
        assert d.stop() == 0, d.log_text()


def d_version(d) -> str:
    with varlink.Client(address=d.address).open("org.varlink.service") as s:
        return s.GetInfo()["version"]


def test_scrape_after_a_scripted_run_counts_what_the_run_did(root):
    """Logins by outcome, SMS sends and second-factor verifications, session
    checks by outcome, live sessions, request durations per method, audit
    appends and the last Verify: each equal to what this run did."""
    port = free_port()
    d = metrics_daemon(root, port)
    try:
        with auth(d) as a:
            a.Register(username="anna", password=STRONG)
            reply = a.Register(username="sofia", password=STRONG, phone=PHONE)  # SMS 1
            a.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=last_code(d))  # 2FA success 1
            s1 = a.Login(username="anna", password=STRONG)["session"]       # login success 1
            s2 = a.Login(username="anna", password=STRONG)["session"]       # login success 2
            for _ in range(3):                                              # invalid 1..3
                assert error_of(a.Login, username="anna", password="wrong-" + STRONG)[0] == \
                    "io.riegel.Auth.InvalidCredentials"
            assert error_of(a.Login, username="nobody", password=STRONG)[0] == \
                "io.riegel.Auth.InvalidCredentials"                         # invalid 4
            challenge = a.Login(username="sofia", password=STRONG)["challenge"]  # challenge_required 1, SMS 2
            code = last_code(d)
            assert error_of(a.VerifyChallenge, challenge_id=challenge["challenge_id"], code=wrong(code))[0] == \
                "io.riegel.Auth.InvalidCode"                                # 2FA wrong_code 1
            a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code)  # 2FA success 2, a session
            for _ in range(4):
                a.CheckSession(token=s2["token"])                           # valid 1..4
            for _ in range(2):
                assert error_of(a.CheckSession, token="never-issued")[0] == "io.riegel.Auth.InvalidToken"
            a.Logout(token=s1["token"])
            assert error_of(a.CheckSession, token=s1["token"])[1] == {"reason": "revoked"}
        with d.client().open("io.riegel.Audit") as audit:
            verified = audit.Verify()
        assert verified["ok"]

        samples = scrape(port)
        logins = {o: value(samples, "riegel_logins_total", outcome=o)
                  for o in ("success", "challenge_required", "invalid_credentials", "throttled", "locked")}
        assert logins == {"success": 2, "challenge_required": 1, "invalid_credentials": 4,
                          "throttled": 0, "locked": 0}
        assert value(samples, "riegel_second_factor_verifications_total", factor="sms", outcome="success") == 2
        assert value(samples, "riegel_second_factor_verifications_total", factor="sms", outcome="wrong_code") == 1
        assert value(samples, "riegel_sms_sends_total", gateway="outbox", country_code="49", outcome="sent") == 2
        assert value(samples, "riegel_sms_codes_verified_total", country_code="49") == 2
        assert not [k for k in samples if k[0] == "riegel_sms_failovers_total"], "one gateway: no failover"
        checks = {o: value(samples, "riegel_session_checks_total", outcome=o)
                  for o in ("valid", "invalid_token", "revoked", "idle", "absolute")}
        assert checks == {"valid": 4, "invalid_token": 2, "revoked": 1, "idle": 0, "absolute": 0}
        # anna's second session and sofia's from the code; anna's first was logged out.
        assert value(samples, "riegel_sessions_live") == 2
        # Every CheckSession and every Login was timed, into cumulative buckets.
        for method, calls in (("io.riegel.Auth.CheckSession", 7), ("io.riegel.Auth.Login", 7),
                              ("io.riegel.Auth.Register", 2), ("io.riegel.Audit.Verify", 1)):
            count = value(samples, "riegel_varlink_request_duration_seconds_count", method=method)
            assert count == calls, method
            buckets = sorted((float(dict(k[1])["le"]), v) for k, v in samples.items()
                             if k[0] == "riegel_varlink_request_duration_seconds_bucket"
                             and dict(k[1]).get("method") == method)
            assert buckets[-1] == (float("inf"), calls)
            assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), buckets
            assert value(samples, "riegel_varlink_request_duration_seconds_sum", method=method) > 0
        assert value(samples, "riegel_password_hash_in_flight") == 0
        assert value(samples, "riegel_password_hash_queued") == 0
        assert value(samples, "riegel_audit_verify_ok") == 1
        assert abs(value(samples, "riegel_audit_verify_timestamp_seconds") - time.time()) < 120
        # Every entry of the fresh trail was appended by this run, and none failed.
        assert value(samples, "riegel_audit_appends_total", result="appended") == verified["entries"]
        assert value(samples, "riegel_audit_appends_total", result="failed") == 0
    finally:
        assert d.stop() == 0, d.log_text()


def test_every_metric_riegeld_serves_is_documented(root):
    """docs/operations.md lists every metric family a scrape shows (an SMS
    flow first, so that the lazily made SMS series exist too)."""
    port = free_port()
    d = metrics_daemon(root, port)
    try:
        with auth(d) as a:
            reply = a.Register(username="sofia", password=STRONG, phone=PHONE)
            a.VerifyChallenge(challenge_id=reply["challenge"]["challenge_id"], code=last_code(d))
        with d.client().open("io.riegel.Audit") as audit:
            audit.Verify()
        _, _, body = request(port)
        doc = (REPO / "docs" / "operations.md").read_text()
        names = {f.name for f in text_string_to_metric_families(body)}
        assert len(names) > 15, names
        missing = sorted(n for n in names if f"`{n}" not in doc)
        assert missing == [], f"served but not in docs/operations.md: {missing}"
    finally:
        assert d.stop() == 0, d.log_text()


def test_no_label_names_a_user_a_number_or_an_address(root):
    """Low-cardinality labels only: usernames, phone numbers and client IPs never reach a scrape."""
    port = free_port()
    d = metrics_daemon(root, port)
    try:
        with auth(d) as a:
            a.Register(username="zacharias", password=STRONG, phone=PHONE, client={"ip": "192.0.2.77"})
            a.Login(username="zacharias", password=STRONG, client={"ip": "192.0.2.77"})
            error_of(a.Login, username="yolanda", password=STRONG, client={"ip": "198.51.100.9"})
        _, _, body = request(port)
        for secret in ("zacharias", "yolanda", "15123456789", "192.0.2.77", "198.51.100.9"):
            assert secret not in body, secret
    finally:
        assert d.stop() == 0, d.log_text()


def test_only_get_and_head_of_slash_metrics_are_served(root):
    port = free_port()
    d = metrics_daemon(root, port)
    try:
        assert request(port, path="/")[0] == 404
        assert request(port, path="/metrics/x")[0] == 404
        status, headers, _ = request(port, method="POST")
        assert status == 405 and headers.get("Allow") == "GET, HEAD"
        status, headers, body = request(port, method="HEAD")
        assert status == 200 and body == "" and int(headers["Content-Length"]) > 0
        # The varlink socket still answers while a scraper holds an idle connection open.
        idle = socket.create_connection(("127.0.0.1", port))
        try:
            with auth(d) as a:
                assert error_of(a.CheckSession, token="never-issued")[0] == "io.riegel.Auth.InvalidToken"
        finally:
            idle.close()
    finally:
        assert d.stop() == 0, d.log_text()


def test_a_flood_of_scrape_connections_is_capped_and_varlink_still_answers(root):
    """At most 16 metrics connections stay open (more are closed on accept),
    so a local flood cannot use up riegeld's file descriptors."""
    port = free_port()
    d = metrics_daemon(root, port)
    held = []
    try:
        for _ in range(40):
            held.append(socket.create_connection(("127.0.0.1", port)))
        time.sleep(0.5)
        closed = 0
        for s in held:
            s.settimeout(0.2)
            try:
                if s.recv(1) == b"":
                    closed += 1
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass  # still open
        assert closed == 40 - 16, closed
        with auth(d) as a:
            assert error_of(a.CheckSession, token="never-issued")[0] == "io.riegel.Auth.InvalidToken"
        for s in held:
            s.close()
        held = []
        time.sleep(0.2)
        assert request(port)[0] == 200, "once they close, scrapes are served again"
    finally:
        for s in held:
            s.close()
        assert d.stop() == 0, d.log_text()


def test_a_taken_port_refuses_to_start_and_says_how_to_fix_it(root):
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    try:
        d = Daemon(root, extra_config=f'[metrics]\nlisten = "127.0.0.1:{port}"\n')
        d.start(wait_ready=False)
        rc = d.proc.wait(60)
        d.proc = None
        assert rc != 0
        log = d.log_text()
        assert f"127.0.0.1:{port}" in log and "[metrics] listen" in log, log
        assert "READY=1" not in d.notify.lines()
    finally:
        blocker.close()


def test_socket_activation_passes_the_metrics_socket_as_a_second_named_fd(root):
    """systemd-socket-activate hands over two fds, varlink and metrics (as
    riegeld.socket and riegeld-metrics.socket do): riegeld serves metrics on
    the passed one, though its config names no [metrics] listen."""
    d = Daemon(root)
    activated = root / "activated.sock"
    port = free_port()
    prefix = [shutil.which("systemd-socket-activate") or "/usr/bin/systemd-socket-activate",
              "-l", str(activated), "-l", f"127.0.0.1:{port}", "--fdname=varlink:metrics",
              "-E", f"NOTIFY_SOCKET={d.notify.path}"]
    d.start(argv_prefix=prefix, wait_ready=False)
    try:
        deadline = time.monotonic() + 10
        while not activated.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        # The first scrape starts riegeld; it is answered once riegeld serves.
        samples = scrape(port)
        assert value(samples, "riegel_logins_total", outcome="success") == 0
        d.notify.wait_for("READY=1")
        with varlink.Client(address=f"unix:{activated}").open("io.riegel.Auth") as a:
            assert error_of(a.CheckSession, token="never-issued")[0] == "io.riegel.Auth.InvalidToken"
        assert value(scrape(port), "riegel_session_checks_total", outcome="invalid_token") == 1
        with varlink.Client(address=f"unix:{activated}").open("io.riegel.Admin") as a:
            checks = {c["name"]: c for c in a.Status()["checks"]}
        assert checks["metrics"]["detail"].startswith("serving on"), checks
        assert not d.sock.exists(), "riegeld bound socket_path although it was socket-activated"
    finally:
        assert d.stop() == 0, d.log_text()
