"""`[audit] syslog`: every audit event also reaches a real datagram receiver
as one strict RFC 5424 message, and a missing or stuck receiver never holds
up a login."""
import re
import socket
import subprocess
import time

from riegel_harness import RIEGELD, Daemon, error_of

STRONG = "Kl4vier-Sonate-Mond"
AUTHPRIV = 10
HEADER = re.compile(
    r"<(?P<pri>\d{1,3})>(?P<version>1) "
    r"(?P<timestamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) "
    r"(?P<hostname>[!-~]{1,255}) (?P<app>[!-~]{1,48}) (?P<procid>[!-~]{1,128}) (?P<msgid>[!-~]{1,32}) ")
SD_NAME = re.compile(r'[!-~]{1,32}')


class Receiver:
    """A bound AF_UNIX datagram socket standing in for /dev/log."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))

    def messages(self, timeout=2.0):
        out = []
        self.sock.settimeout(timeout)
        while True:
            try:
                out.append(self.sock.recv(65536))
            except socket.timeout:
                return out
            self.sock.settimeout(0.3)

    def close(self):
        self.sock.close()


def parse_sd(text):
    """One SD-ELEMENT read strictly (RFC 5424 §6.3): returns (sd_id, params, rest).
    Inside a PARAM-VALUE only \\" \\\\ \\] are escapes; an unescaped ] or " is an error."""
    assert text[0] == "[", text
    i = 1
    j = i
    while text[j] not in " ]":
        j += 1
    sd_id = text[i:j]
    i = j
    params = []
    while text[i] == " ":
        i += 1
        eq = text.index("=", i)
        name = text[i:eq]
        assert SD_NAME.fullmatch(name) and not set(name) & set(' ]"='), name
        assert text[eq + 1] == '"', text[eq:]
        i = eq + 2
        value = []
        while True:
            c = text[i]
            if c == "\\" and text[i + 1] in '"\\]':
                value.append(text[i + 1])
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                assert c != "]", f"unescaped ] in a PARAM-VALUE: {text!r}"
                value.append(c)
                i += 1
        params.append((name, "".join(value)))
    assert text[i] == "]", text[i:]
    return sd_id, params, text[i + 1:]


def parse(datagram: bytes):
    """A whole RFC 5424 message (one SD-ELEMENT, ASCII MSG without BOM)."""
    text = datagram.decode("utf-8")
    assert "\n" not in text and "\0" not in text, text
    m = HEADER.match(text)
    assert m, text
    sd_id, params, rest = parse_sd(text[m.end():])
    assert rest.startswith(" ") and rest[1:].isascii() and rest[1:].isprintable() and rest[1:], rest
    return m, sd_id, params, rest[1:]


def control_mapped(value):
    return "".join(f"#{ord(c):03o}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in value)


def syslog_daemon(root, path):
    return Daemon(root, extra_config=f'[audit]\nsyslog = "{path}"\n')


def test_every_event_arrives_as_strict_rfc5424(root):
    receiver = Receiver(root / "log.sock")
    d = syslog_daemon(root, receiver.path).start()
    nasty = 'ticket "42"] \\ x\nnext\tline'
    try:
        with d.client().open("io.riegel.Auth") as a:
            uid = a.Register(username="Olga", password=STRONG)["user_id"]
            client = {"ip": "192.0.2.44", "user_agent": "Agent-Secret] \"x"}
            error_of(a.Login, username="olga", password="Wrong-Wrong-99", client=client)
            a.Login(username="olga", password=STRONG, client=client)
        d.ctl("users", "lock", "olga", "--reason", nasty)
        with d.client().open("io.riegel.Audit") as audit:
            events = {r["event"]["seq"]: r["event"] for r in audit.Query(_more=True) if "event" in r}
        got = receiver.messages()
        pid = d.proc.pid
    finally:
        assert d.stop() == 0
        receiver.close()
    assert len(got) == len(events) >= 4, (got, events)
    seen = set()
    for datagram in got:
        m, sd_id, params, msg = parse(datagram)
        fields = dict(params)
        assert len(fields) == len(params), "a parameter appears twice"
        e = events[int(fields["seq"])]
        seen.add(e["seq"])
        severity = 5 if e["outcome"] == "failure" else 6
        assert int(m["pri"]) == AUTHPRIV * 8 + severity
        assert m["version"] == "1" and m["app"] == "riegeld" and m["procid"] == str(pid)
        assert m["msgid"] == e["type"] and sd_id == "riegel@32473"
        assert m["timestamp"][:19] == e["time"][:19], (m["timestamp"], e["time"])
        want = {"seq": str(e["seq"]), "outcome": e["outcome"]}
        for key in ("user_id", "reason", "peer_uid", "peer_pid", "client_ip"):
            if key in e:
                want[key] = str(e[key])
        for key, value in e.get("details", {}).items():
            want["detail." + key] = control_mapped(value)
        assert fields == want, (datagram, e)
        assert "Olga" not in datagram.decode() and "Agent-Secret" not in datagram.decode()
        assert msg and msg != e["type"], "MSG is the type's summary"
    assert seen == set(events)
    locked = [e for e in events.values() if e["type"] == "account.locked"][0]
    assert locked["details"]["note"] == nasty and locked["user_id"] == uid
    raw = [g for g in got if b" account.locked " in g][0]
    assert b'detail.note="ticket \\"42\\"\\] \\\\ x#012next#011line"' in raw, raw


def test_a_missing_receiver_costs_nothing_and_is_logged(root):
    d = syslog_daemon(root, root / "nobody-listens.sock").start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            a.Register(username="paul", password=STRONG)
            started = time.monotonic()
            token = a.Login(username="paul", password=STRONG)["session"]["token"]
            for n in range(100):
                a.AuthorizeAccess(token=token, resource_class="standard", resource_id=f"doc-{n}")
            elapsed = time.monotonic() - started
        with d.client().open("io.riegel.Audit") as audit:
            assert audit.Verify()["entries"] >= 102
    finally:
        assert d.stop() == 0
    assert elapsed < 20, elapsed
    log = d.log_text()
    # Over 100 drops, but rate-limited: one line at once, then at most one per 10 s.
    assert 1 <= log.count("syslog sink dropped audit messages") <= 2 + int(elapsed // 10), log
    assert "nobody-listens.sock" in log


def test_a_receiver_that_never_reads_does_not_block_logins(root):
    receiver = Receiver(root / "stuck.sock")  # bound, never read: its queue fills
    d = syslog_daemon(root, receiver.path).start()
    try:
        with d.client().open("io.riegel.Auth") as a:
            a.Register(username="rita", password=STRONG)
            token = a.Login(username="rita", password=STRONG)["session"]["token"]
            started = time.monotonic()
            for n in range(300):
                a.AuthorizeAccess(token=token, resource_class="standard", resource_id=f"doc-{n}")
            elapsed = time.monotonic() - started
            a.Login(username="rita", password=STRONG)
        assert elapsed < 30, elapsed
        queued = receiver.messages(timeout=0.5)
        assert 0 < len(queued) < 300, len(queued)
        assert "syslog sink dropped audit messages" in d.log_text()
    finally:
        assert d.stop() == 0
        receiver.close()


def test_a_relative_syslog_path_is_a_config_problem_naming_the_key(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[daemon]\nstate_directory = "/tmp/x"\n[audit]\nsyslog = "dev/log"\n')
    cp = subprocess.run([str(RIEGELD), "--check-config", "--config", str(cfg)],
                        capture_output=True, text=True, timeout=60)
    assert cp.returncode != 0
    assert f"{cfg}:4: audit.syslog:" in cp.stderr and "absolute path" in cp.stderr, cp.stderr
