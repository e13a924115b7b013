"""SMS codes through real gateways, end to end through riegeld (issue 5, "Real gateway in tests").

riegeld's `http` gateway talks to a real Kannel (bearerbox + smsbox's sendsms
+ a fake SMSC, see kannel_harness.py); codes are read where they arrive: on
the fake SMSC's side or in the outbox file. Broken gateways (closed port, HTTP
500, no answer, wrong password) must fail over to the next one quickly, and
when none takes the code the call answers SmsUnavailable and leaves nothing.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kannel_harness import PASSWORD, USERNAME, Kannel, KannelProblem, port_answers
from riegel_harness import Daemon, LoopbackServer, admin, auth, error_of

STRONG = "Kl4vier-Sonate-Mond"
CLIENT = {"ip": "192.0.2.10", "user_agent": "pytest"}
ORIGIN = "portal.example"
GERMAN = "{code} ist Ihr Bestätigungscode für riegel. Er ist 5 Minuten gültig. Geben Sie ihn nicht weiter."


# --- fixtures ----------------------------------------------------------------

@pytest.fixture(scope="module")
def kannel():
    """One Kannel for the module (tests tell their messages apart by number); stopped and checked at the end."""
    try:
        k = Kannel.start()
    except KannelProblem as e:
        pytest.fail(str(e), pytrace=False)
    yield k
    k.stop()  # raises if a process or a listener is left


class Riegelds:
    """Starts riegeld with extra config; stops every one it started."""

    def __init__(self, root: Path):
        self.root = root
        self.started: list[Daemon] = []

    def __call__(self, extra: str) -> Daemon:
        d = Daemon(self.root, extra_config=extra).start()
        self.started.append(d)
        return d

    def stop_all(self):
        for d in self.started:
            if d.proc is not None:
                rc = d.stop()
                assert rc == 0, f"riegeld exited {rc} on SIGTERM; log:\n{d.log_text()}"
            d.notify.close()


@pytest.fixture
def riegeld(root):
    """`riegeld(extra_config)` starts a daemon; at the end each must stop with exit code 0."""
    r = Riegelds(root)
    yield r
    r.stop_all()


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on (bound, never listening: connections are refused)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    yield s.getsockname()[1]
    s.close()


class Status500Server:
    """An HTTP server that answers every request with 500 and records the query it got."""

    def __init__(self):
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
                body = b"internal error"
                self.send_response(500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class HangingServer(LoopbackServer):
    """Accepts connections and never answers (nor reads); counts what it accepted."""

    def __init__(self):
        self.connections: list[socket.socket] = []
        super().__init__(backlog=16)

    def on_connection(self, conn: socket.socket):
        self.connections.append(conn)

    def on_close(self):
        for c in self.connections:
            c.close()


@pytest.fixture
def status_500():
    s = Status500Server()
    yield s
    s.close()


@pytest.fixture
def hanging():
    s = HangingServer()
    yield s
    s.close()


# --- config and helpers ------------------------------------------------------------

def sms_config(gateways: list[str], *, send_deadline: str = "5s", origin: str | None = None) -> str:
    listed = ", ".join(f'"{g}"' for g in gateways)
    text = f'[sms]\ngateways = [{listed}]\nsend_deadline = "{send_deadline}"\n'
    if origin:
        text += f'origin = "{origin}"\n'
    return text


def kannel_gateway(k: Kannel, *, name: str = "kannel", credential: Path | None = None, timeout: str = "5s") -> str:
    """An http gateway set up like the Kannel preset (HTTPSMSGatewayConfiguration.kannel)."""
    return (
        f"[sms.gateway.{name}]\n"
        'type = "http"\n'
        f'url = "{k.sendsms_url}"\n'
        'method = "GET"\n'
        f'query = {{ username = "{USERNAME}", password = "{{credential}}", to = "{{to}}", text = "{{text}}", '
        'charset = "UTF-8" }\n'
        "success_status = [202]\n"
        f'credential = "{credential or k.password_file}"\n'
        f'timeout = "{timeout}"\n'
    )


def http_gateway(name: str, port: int, *, timeout: str = "5s") -> str:
    """A plain http gateway to 127.0.0.1:port."""
    return (
        f"[sms.gateway.{name}]\n"
        'type = "http"\n'
        f'url = "http://127.0.0.1:{port}/send"\n'
        'query = { to = "{to}", text = "{text}" }\n'
        f'timeout = "{timeout}"\n'
    )


def code_in(text: str, length: int = 6) -> str:
    """The code: the one run of `length` digits in the text (the outbox contract, docs/security-rules.md)."""
    runs = set(re.findall(rf"(?<!\d)\d{{{length}}}(?!\d)", text))
    assert len(runs) == 1, f"expected exactly one {length}-digit run in the SMS, got {sorted(runs)}"
    return runs.pop()


def outbox_lines(d: Daemon) -> list[dict]:
    path = d.state / "sms-outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def assert_log_keeps_secrets(d: Daemon, *secrets: str):
    """security rule 9: no code, full phone number or gateway password in riegeld's log."""
    log = d.log_text()
    leaked = [i for i, secret in enumerate(secrets) if secret in log]
    assert not leaked, f"secrets number {leaked} of those given reached riegeld's log"


def row_counts(d: Daemon, *tables: str) -> dict[str, int]:
    """Rows per table in the daemon's database (read-only, while it runs)."""
    db = sqlite3.connect(f"file:{d.state / 'riegel.sqlite'}?mode=ro", uri=True)
    try:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        db.close()


def timed(call, *args, **kw):
    """(reply, seconds the call took)."""
    start = time.monotonic()
    reply = call(*args, **kw)
    return reply, time.monotonic() - start


def register_with_phone(a, username: str, phone: str):
    """Register with a phone; returns (challenge, seconds the call took)."""
    reply, took = timed(a.Register, username=username, password=STRONG, phone=phone, client=CLIENT)
    challenge = reply.get("challenge")
    assert challenge is not None and challenge["purpose"] == "enroll_phone", reply
    return challenge, took


# --- tests -------------------------------------------------------------------------

def test_enrolment_and_login_codes_arrive_through_kannel_and_give_a_second_factor_session(kannel, riegeld):
    phone = "+4915112340001"
    d = riegeld(sms_config(["kannel"], origin=ORIGIN) + kannel_gateway(kannel))
    before = len(kannel.received())
    with auth(d) as a:
        challenge, _ = register_with_phone(a, "greta", phone)
        assert challenge["masked_phone"].startswith("+49") and challenge["masked_phone"].endswith("01")
        assert phone not in challenge["masked_phone"]

        sms = kannel.wait_for_message_to(phone, after=before)
        code = code_in(sms.text)
        # The whole text arrives unchanged: UTF-8 umlauts and the domain-bound line after a blank one.
        assert sms.text == GERMAN.format(code=code) + f"\n\n@{ORIGIN} #{code}"

        assert a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code).get("session") is None
        with admin(d) as adm:
            assert adm.GetAccount(username="greta")["account"]["second_factor"] is True

        reply = a.Login(username="greta", password=STRONG, client=CLIENT)
        assert reply.get("session") is None
        login = reply["challenge"]
        assert login["purpose"] == "login"
        sms = kannel.wait_for_message_to(phone, after=before + 1)
        login_code = code_in(sms.text)

        session = a.VerifyChallenge(challenge_id=login["challenge_id"], code=login_code, client=CLIENT)["session"]
        assert session["info"]["assurance"] == "second_factor"
        assert session["info"]["second_factor_at"]
        assert a.CheckSession(token=session["token"])["info"]["assurance"] == "second_factor"
    assert [m.to for m in kannel.received()[before:]] == [phone, phone], "one SMS per challenge, nothing else"
    assert_log_keeps_secrets(d, code, login_code, phone, PASSWORD)


def test_a_gateway_that_is_down_fails_over_to_kannel_well_under_its_timeout(kannel, riegeld, closed_port):
    phone = "+4915112340002"
    d = riegeld(sms_config(["down", "kannel"]) + http_gateway("down", closed_port, timeout="10s")
                + kannel_gateway(kannel))
    before = len(kannel.received())
    with auth(d) as a:
        challenge, took = register_with_phone(a, "dora", phone)
        sms = kannel.wait_for_message_to(phone, after=before, timeout=5)
        code = code_in(sms.text)
        a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code)
    # A refused connection fails at once: no waiting for the 10 s timeout, no retry round.
    assert took < 2.0, f"Register took {took:.2f}s with a dead first gateway"
    assert re.search(r"SMS sent after failover.*down: unavailable.*sms\.gateway=kannel", d.log_text()), d.log_text()
    assert_log_keeps_secrets(d, code, phone, PASSWORD)


def test_a_gateway_answering_500_fails_over_to_kannel(kannel, riegeld, status_500):
    phone = "+4915112340003"
    d = riegeld(sms_config(["broken", "kannel"]) + http_gateway("broken", status_500.port) + kannel_gateway(kannel))
    before = len(kannel.received())
    with auth(d) as a:
        challenge, took = register_with_phone(a, "bruno", phone)
        sms = kannel.wait_for_message_to(phone, after=before, timeout=5)
        code = code_in(sms.text)
        a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code)
    assert [r["to"] for r in status_500.requests] == [[phone]], "the broken gateway was asked exactly once"
    assert re.search(r"SMS sent after failover.*broken: rejected \(HTTP 500\).*sms\.gateway=kannel", d.log_text()), d.log_text()
    assert took < 2.0, f"Register took {took:.2f}s"
    assert_log_keeps_secrets(d, code, phone, PASSWORD)


def test_a_gateway_that_hangs_times_out_and_the_code_lands_in_the_outbox(riegeld, hanging):
    phone = "+4915112340004"
    d = riegeld(sms_config(["hang", "outbox"]) + http_gateway("hang", hanging.port, timeout="1s"))
    with auth(d) as a:
        challenge, took = register_with_phone(a, "hanna", phone)
        # The outbox line is written before the call replies (the outbox contract, docs/security-rules.md).
        lines = outbox_lines(d)
        assert [line["to"] for line in lines] == [phone]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", lines[0]["time"])
        code = code_in(lines[0]["text"])
        a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code)
    assert len(hanging.connections) == 1, "the hanging gateway was tried first, once"
    assert re.search(r"SMS sent after failover.*hang: timed out.*sms\.gateway=outbox", d.log_text()), d.log_text()
    assert 0.9 <= took < 3.0, f"Register took {took:.2f}s; the hanging gateway's timeout is 1s"
    assert_log_keeps_secrets(d, code, phone)


@pytest.mark.sqlite_file
def test_when_no_gateway_takes_the_code_register_answers_sms_unavailable_and_creates_nothing(riegeld, closed_port):
    phone = "+4915112340005"
    d = riegeld(sms_config(["down"], send_deadline="2s") + http_gateway("down", closed_port))
    with auth(d) as a, admin(d) as adm:
        start = time.monotonic()
        assert error_of(a.Register, username="nora", password=STRONG, phone=phone) == ("io.riegel.Auth.SmsUnavailable", {})
        took = time.monotonic() - start
        assert took < 2.0 + 1.5, f"Register waited {took:.2f}s with send_deadline = 2s"

        assert error_of(adm.GetAccount, username="nora")[0] == "io.riegel.Admin.NoSuchAccount"
        assert adm.SmsStats()["countries"] == [], "no message row is left behind"
        assert row_counts(d, "user", "sms_challenge", "sms_outbox") == {"user": 0, "sms_challenge": 0, "sms_outbox": 0}
        assert error_of(a.Login, username="nora", password=STRONG)[0] == "io.riegel.Auth.InvalidCredentials"
        # The username is free: the same call fails the same way (not UsernameTaken), and without a phone it works.
        assert error_of(a.Register, username="nora", password=STRONG, phone=phone)[0] == "io.riegel.Auth.SmsUnavailable"
        assert a.Register(username="nora", password=STRONG).get("challenge") is None
        assert adm.GetAccount(username="nora")["account"]["second_factor"] is False
    assert outbox_lines(d) == [], "the outbox is not a gateway of this daemon"
    assert_log_keeps_secrets(d, phone)


def test_kannel_refusing_a_wrong_password_counts_as_a_failure_and_fails_over_to_the_outbox(kannel, riegeld, root):
    phone = "+4915112340006"
    wrong = root / "wrong-kannel-password"
    wrong.write_text("not-the-password\n")
    os.chmod(wrong, 0o600)
    d = riegeld(sms_config(["kannel", "outbox"]) + kannel_gateway(kannel, credential=wrong))
    before = len(kannel.received())
    with auth(d) as a:
        challenge, _ = register_with_phone(a, "wanda", phone)
        lines = outbox_lines(d)
        assert [line["to"] for line in lines] == [phone]
        code = code_in(lines[0]["text"])
        a.VerifyChallenge(challenge_id=challenge["challenge_id"], code=code)
    # Kannel's 403 is what made riegeld move on.
    assert re.search(r"SMS sent after failover.*kannel: rejected \(HTTP 403\).*sms\.gateway=outbox", d.log_text()), d.log_text()
    time.sleep(0.3)
    assert [m for m in kannel.received()[before:] if m.to == phone] == [], "nothing reached the SMSC"
    assert_log_keeps_secrets(d, code, phone, "not-the-password")


def test_the_kannel_harness_leaves_no_process_and_no_listener_behind():
    k = Kannel.start()
    try:
        pids = [c.proc.pid for c in k.children]
        ports = k.ports
        assert port_answers(k.admin_port) and port_answers(k.sendsms_port)
    finally:
        k.stop()
    assert k.leftovers() == []
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)
    assert not any(port_answers(p) for p in ports)
    assert not k.directory.exists()
