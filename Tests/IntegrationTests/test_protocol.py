"""The varlink protocol of riegeld, seen by a client nobody here wrote (PyPI varlink) and by raw sockets."""
import json
import socket

import pytest
import varlink

from riegel_harness import raw_call, raw_connect


def test_python_client_reads_our_interfaces(daemon):
    c = daemon.client()
    info = c.open("org.varlink.service").GetInfo()
    for iface in ("org.varlink.service", "io.riegel.Auth", "io.riegel.Admin", "io.riegel.Audit"):
        assert iface in info["interfaces"]
    # open() fetches and parses each IDL with the reference parser.
    for iface in ("io.riegel.Auth", "io.riegel.Admin", "io.riegel.Audit"):
        with c.open(iface) as proxy:
            assert proxy is not None
    desc = c.open("org.varlink.service").GetInterfaceDescription(interface="io.riegel.Auth")
    assert desc["description"].startswith("#") and "interface io.riegel.Auth" in desc["description"]


def test_unknown_interface_is_interface_not_found(daemon):
    s = raw_connect(daemon.sock)
    reply = json.loads(raw_call(s, b'{"method":"io.riegel.Nope.X"}'))
    assert reply["error"] == "org.varlink.service.InterfaceNotFound"
    assert reply["parameters"]["interface"] == "io.riegel.Nope"


def test_unknown_method_is_method_not_found(daemon):
    s = raw_connect(daemon.sock)
    reply = json.loads(raw_call(s, b'{"method":"io.riegel.Auth.Nope"}'))
    assert reply["error"] == "org.varlink.service.MethodNotFound"


def test_wrong_parameter_type_is_invalid_parameter_naming_the_field(daemon):
    s = raw_connect(daemon.sock)
    reply = json.loads(raw_call(s, b'{"method":"io.riegel.Auth.CheckSession","parameters":{"token":5}}'))
    assert reply["error"] == "org.varlink.service.InvalidParameter"
    assert reply["parameters"]["parameter"] == "token"


def test_unknown_parameter_is_invalid_parameter(daemon):
    s = raw_connect(daemon.sock)
    reply = json.loads(raw_call(s, b'{"method":"io.riegel.Auth.CheckSession","parameters":{"token":"x","bogus":1}}'))
    assert reply["error"] == "org.varlink.service.InvalidParameter"
    assert reply["parameters"]["parameter"] == "bogus"


def test_malformed_json_closes_only_that_connection(daemon):
    bad = raw_connect(daemon.sock)
    good = raw_connect(daemon.sock)
    bad.sendall(b'{"method": nope\0')
    bad.settimeout(5)
    assert bad.recv(100) == b""  # closed
    reply = json.loads(raw_call(good, b'{"method":"org.varlink.service.GetInfo"}'))
    assert reply["parameters"]["product"] == "riegeld"
    assert daemon.proc.poll() is None


def test_oversized_message_closes_the_connection_and_daemon_goes_on(daemon):
    big = raw_connect(daemon.sock)
    try:
        big.sendall(b'{"method":"org.varlink.service.GetInfo","parameters":{"x":"' + b"a" * (2 << 20))
    except (BrokenPipeError, ConnectionResetError):
        pass
    big.settimeout(5)
    try:
        assert big.recv(100) == b""
    except ConnectionResetError:
        pass
    other = raw_connect(daemon.sock)
    reply = json.loads(raw_call(other, b'{"method":"org.varlink.service.GetInfo"}'))
    assert reply["parameters"]["product"] == "riegeld"


def test_pipelined_calls_are_answered_in_order(daemon):
    s = raw_connect(daemon.sock)
    calls = [
        b'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.riegel.Audit"}}',
        b'{"method":"org.varlink.service.GetInfo"}',
        b'{"method":"io.riegel.Nope.X"}',
        b'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.riegel.Admin"}}',
    ]
    s.sendall(b"\0".join(calls) + b"\0")
    buf = b""
    while buf.count(b"\0") < 4:
        chunk = s.recv(65536)
        assert chunk
        buf += chunk
    replies = [json.loads(m) for m in buf.split(b"\0")[:4]]
    assert "interface io.riegel.Audit" in replies[0]["parameters"]["description"]
    assert replies[1]["parameters"]["product"] == "riegeld"
    assert replies[2]["error"] == "org.varlink.service.InterfaceNotFound"
    assert "interface io.riegel.Admin" in replies[3]["parameters"]["description"]


def test_oneway_call_gets_no_reply(daemon):
    s = raw_connect(daemon.sock)
    s.sendall(b'{"method":"org.varlink.service.GetInfo","oneway":true}\0')
    reply = json.loads(raw_call(s, b'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.riegel.Auth"}}'))
    assert "description" in reply["parameters"], "the first reply must belong to the second call"
