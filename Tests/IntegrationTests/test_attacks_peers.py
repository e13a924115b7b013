"""Attacks by local peers over the socket, each against a real riegeld.

A peer needs no role to connect and to call org.varlink.service, and any
caller can send calls it is not allowed to make. These tests check that such
a peer cannot grow riegeld's memory, hold connections forever, take every
connection slot, or flood the audit trail; and that riegeld rejects bytes
that are not UTF-8 instead of quietly changing them.
"""
import json
import select
import socket
import time


from riegel_harness import Daemon, UnprivilegedPython, config_text, raw_call, raw_connect

NOBODY = 65534
DESCRIBE = b'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.riegel.Auth"}}\0'
GET_INFO = b'{"method":"org.varlink.service.GetInfo"}'


def daemon_with(root, daemon_keys: str, **kw) -> Daemon:
    """A daemon whose [daemon] table has these extra keys."""
    d = Daemon(root, **kw)
    d.config.write_text(config_text(d.state, d.sock, d.extra_config, d.roles)
                        .replace("[daemon]\n", "[daemon]\n" + daemon_keys, 1))
    return d


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def flood_without_reading(sock: socket.socket, seconds: float, batch: int = 1) -> tuple[int, float]:
    """Sends GetInterfaceDescription calls (105 bytes, ~9 KB reply each) and never reads.

    batch=1 paces single calls (~1 ms apart), so each read riegeld makes holds one call
    and nothing ever waits in its queue: only writability can stop it. Larger batches
    fill its queue of waiting calls instead.
    Returns (bytes riegeld accepted, seconds since the last byte it accepted) once that
    reaches a second, riegeld closed the connection, or `seconds` passed."""
    sock.setblocking(False)
    data = DESCRIBE * batch
    sent = 0
    last_progress = time.monotonic()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            sent += sock.send(data)
            last_progress = time.monotonic()
            time.sleep(0.001)
        except BlockingIOError:
            time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            break  # riegeld closed it (the write stall timeout)
        if time.monotonic() - last_progress > 1.0:
            break
    sock.setblocking(True)
    return sent, time.monotonic() - last_progress


def closed_by_riegeld(sock: socket.socket, timeout: float) -> bool:
    """Whether riegeld closes the connection within `timeout`, seen without reading
    anything (reading would let riegeld catch up): poll reports POLLHUP."""
    poller = select.poll()
    poller.register(sock, select.POLLHUP)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for _, events in poller.poll(100):
            if events & select.POLLHUP:
                return True
    return False


def test_peer_that_never_reads_replies_cannot_grow_riegelds_memory(root):
    d = Daemon(root).start()
    try:
        s = raw_connect(d.sock)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        before = rss_kib(d.proc.pid)
        sent, stalled_for = flood_without_reading(s, seconds=5)
        after = rss_kib(d.proc.pid)
        # Backpressure: riegeld stops reading once it cannot write, so our sends stall
        # after what the kernel buffers hold; without it they go on for as long as we send.
        assert stalled_for >= 1.0, f"riegeld kept reading calls it could not answer: {sent} bytes in 5 s"
        assert sent < 4 << 20, sent
        assert after - before < 64 * 1024, f"RSS grew {before} -> {after} KiB"
        # The daemon still serves others.
        other = raw_connect(d.sock)
        assert b'"product":"riegeld"' in raw_call(other, GET_INFO)
        other.close()
        s.close()
    finally:
        assert d.stop() == 0


def test_peer_that_never_reads_is_disconnected_after_the_write_stall_timeout(root):
    d = daemon_with(root, 'write_stall_timeout = "1s"\n').start()
    try:
        s = raw_connect(d.sock)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        flood_without_reading(s, seconds=5, batch=64)
        assert closed_by_riegeld(s, timeout=5), "a peer that does not read kept its connection"
        assert "the peer has not read its replies" in d.log_text()
        s.close()
    finally:
        assert d.stop() == 0


def test_connection_with_calls_queued_behind_unread_replies_still_idles_out(root):
    d = daemon_with(root, 'idle_connection_timeout = "1s"\n').start()
    try:
        s = raw_connect(d.sock)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        # Batches: calls wait in riegeld's queue behind the unread replies.
        _, stalled_for = flood_without_reading(s, seconds=5, batch=64)
        # Stuck: no byte accepted for a while (the flood returns at 1 s, or
        # earlier when riegeld's 1 s idle-out closes the connection first).
        assert stalled_for >= 0.5
        assert closed_by_riegeld(s, timeout=5), "queued calls kept a stuck connection open past the idle timeout"
        s.close()
    finally:
        assert d.stop() == 0


PEER_SCRIPT = r"""
import socket, sys, json
path, count = sys.argv[1], int(sys.argv[2])
socks = []
for _ in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(10); s.connect(path); socks.append(s)
out = []
for s in socks:
    try:
        s.sendall(b'{"method":"org.varlink.service.GetInfo"}\0')
        buf = b""
        while not buf.endswith(b"\0"):
            chunk = s.recv(65536)
            if not chunk: break
            buf += chunk
        out.append("ok" if b"riegeld" in buf else "closed")
    except OSError:
        out.append("closed")
print(json.dumps(out))
"""


def run_as(unprivileged: UnprivilegedPython, uid: int, code: str, *args: str, groups: list[int] | None = None) -> str:
    cp = unprivileged.run(uid, uid, code, *args, groups=groups, timeout=30)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout


def answers(sock: socket.socket) -> bool:
    try:
        return b"riegeld" in raw_call(sock, GET_INFO)
    except (ConnectionError, OSError):
        return False


def test_one_uid_cannot_take_every_connection_slot(root, unprivileged):
    d = daemon_with(root, "max_connections = 8\nmax_connections_per_uid = 4\n").start()
    try:
        mine = [raw_connect(d.sock) for _ in range(4)]
        assert all(answers(s) for s in mine)
        # Beyond its share, this uid's connections are closed at once, and quietly:
        # one log line for a burst of refusals.
        extra = [raw_connect(d.sock) for _ in range(40)]
        assert not any(answers(s) for s in extra)
        for s in extra:
            s.close()
        # ...while another uid still gets its share.
        assert json.loads(run_as(unprivileged, NOBODY, PEER_SCRIPT, str(d.sock), "4")) == ["ok"] * 4
        # A closed connection gives its slot back.
        mine.pop().close()
        time.sleep(0.2)
        again = raw_connect(d.sock)
        assert answers(again)
        again.close()
        for s in mine:
            s.close()
        assert d.log_text().count("refusing varlink connections") <= 2, d.log_text()
    finally:
        assert d.stop() == 0


FLOOD_SCRIPT = r"""
import socket, sys
path, count = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(30); s.connect(path)
call = b'{"method":"io.riegel.Admin.Status"}\0'
denied = 0
buf = b""
for i in range(0, count, 100):
    s.sendall(call * min(100, count - i))
    want = denied + min(100, count - i)
    while denied < want:
        chunk = s.recv(1 << 16)
        if not chunk: raise SystemExit("closed")
        buf += chunk
        *replies, buf = buf.split(b"\0")
        denied += sum(b"PermissionDenied" in r for r in replies)
print(denied)
"""


def denial_entries(d: Daemon) -> list[dict]:
    with d.client().open("io.riegel.Audit") as audit:
        return [r["event"] for r in audit.Query(filter={"types": ["permission.denied"]}, _more=True)
                if "event" in r and r["event"].get("peer_uid") == NOBODY]


def test_peer_without_role_cannot_flood_the_audit_trail(root, unprivileged):
    d = daemon_with(root, 'permission_denied_audit_interval = "1s"\n').start()
    try:
        assert int(run_as(unprivileged, NOBODY, FLOOD_SCRIPT, str(d.sock), "2000")) == 2000
        time.sleep(2.5)  # the summary is written when the interval ends
        entries = denial_entries(d)
        # The first denial at once, then one entry per interval with the count; not 2000 rows.
        assert 2 <= len(entries) <= 8, len(entries)
        assert all(e["details"]["method"] == "io.riegel.Admin.Status" and e["reason"] == "admin"
                   and e["outcome"] == "failure" for e in entries), entries
        assert sum(int(e["details"]["count"]) for e in entries) == 2000, entries
    finally:
        assert d.stop() == 0


def test_invalid_utf8_in_a_call_is_rejected_not_replaced(daemon):
    s = raw_connect(daemon.sock)
    s.sendall(b'{"method":"org.varlink.service.GetInterfaceDescription",'
              b'"parameters":{"interface":"io.riegel.Auth\xff"}}\0')
    # Not JSON (RFC 8259 requires UTF-8): the connection is closed without an answer,
    # where it used to answer InterfaceNotFound for "io.riegel.Auth\ufffd".
    s.settimeout(5)
    assert s.recv(65536) == b""
    s.close()
    # Valid UTF-8 beyond ASCII still works.
    ok = raw_connect(daemon.sock)
    reply = json.loads(raw_call(ok, '{"method":"org.varlink.service.GetInterfaceDescription",'
                                    '"parameters":{"interface":"io.riegel.Authé"}}'.encode()))
    assert reply["error"] == "org.varlink.service.InterfaceNotFound"
    assert reply["parameters"]["interface"] == "io.riegel.Authé"
    ok.close()


ADMIN_STATUS_SCRIPT = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(b'{"method":"io.riegel.Admin.Status"}\0')
buf = b""
while not buf.endswith(b"\0"):
    chunk = s.recv(65536)
    if not chunk: break
    buf += chunk
print("denied" if b"PermissionDenied" in buf else "ok" if b'"parameters"' in buf else buf.decode(errors="replace"))
"""


def test_group_role_follows_the_groups_the_peer_really_has(root, unprivileged):
    import grp
    group = grp.getgrnam("adm")
    assert "nobody" not in group.gr_mem
    d = Daemon(root, roles='admin = ["group:adm"]\naudit = ["uid:0"]\n').start()
    try:
        def status(groups: list[int] | None) -> str:
            return run_as(unprivileged, NOBODY, ADMIN_STATUS_SCRIPT, str(d.sock), groups=groups).strip()

        # The kernel says this process is in adm (SO_PEERGROUPS), though /etc/group does not list nobody.
        assert status([group.gr_gid]) == "ok"
        # The same uid without the group is refused.
        assert status(None) == "denied"
    finally:
        assert d.stop() == 0
