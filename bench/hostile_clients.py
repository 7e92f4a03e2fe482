#!/usr/bin/env python3
"""One misbehaving client of each kind of issue 22, run beside the soak's normal load
(bench/soak.sh) for SECONDS against the mock on PORT. Standard library only.

Kinds: clients that send half the HTTP/2 preface and leave; slowloris over HTTP/1.1 (8
connections, a header byte a second); an HTTP/2 connection with 100 unfinished 256 KiB
uploads; an HTTP/2 client with a flow-control window of 0 asking for GET /_mock/requests on
100 streams; a rule regex that backtracks (^(a+)+$ against 200 "a"s and "!"); HTTP/1.1
framing that lies (conflicting Content-Length, Content-Length with Transfer-Encoding,
Expect: 100-continue over the limit, 2000 query arguments).

Prints tab-separated lines for soak.sh: "hostile-sent KIND N", "hostile-unexpected N" (a
framing or regex answer other than the documented one) and "hostile-journaled N" (answers the
mock counted in its journal, which soak.sh adds to wrk's for its counter check).
"""
import json
import socket
import struct
import sys
import threading
import time
import urllib.request

PORT = int(sys.argv[1])
SECONDS = float(sys.argv[2])
END = time.time() + SECONDS
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
CONVERSE = b"/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
HELLO = b'{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}'
lock = threading.Lock()
counts = {"sent": {}, "unexpected": 0, "journaled": 0}


def note(kind, unexpected=False, journaled=False):
    with lock:
        counts["sent"][kind] = counts["sent"].get(kind, 0) + 1
        counts["unexpected"] += unexpected
        counts["journaled"] += journaled


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    return s


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def header_block(post, path):
    b = bytes([0x83 if post else 0x82, 0x86, 0x04, len(path)]) + path + bytes([0x01, 1]) + b"x"
    return b + (bytes([0x0F, 16, 16]) + b"application/json" if post else b"")


def until_close(s):
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except OSError:
        pass
    s.close()
    return out


def half_prefaces():
    while time.time() < END:
        try:
            s = connect()
            s.sendall(PREFACE[:16])
            s.close()
            note("half_preface")
        except OSError:
            pass
        time.sleep(0.05)


def slowloris():
    socks = []
    msg = b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10000
    at = 0
    while time.time() < END:
        while len(socks) < 8:
            try:
                socks.append(connect())
                note("slowloris")
            except OSError:
                break
        for s in list(socks):
            try:
                s.send(msg[at % len(msg):at % len(msg) + 1])
            except OSError:
                socks.remove(s)  # closed at the head deadline: open another
        at += 1
        time.sleep(1)
    for s in socks:
        s.close()


def h2_uploads():
    s = connect()
    s.sendall(PREFACE + frame(4, 0, 0))
    chunk = b"a" * 16384
    for i in range(100):
        sid = 1 + 2 * i
        s.sendall(frame(1, 4, sid, header_block(True, CONVERSE)))
        for _ in range(16):
            s.sendall(frame(0, 0, sid, chunk))
        note("h2_unfinished_upload")
    while time.time() < END:
        try:
            s.recv(65536)  # RST_STREAM, WINDOW_UPDATE, PING: read and dropped
        except OSError:
            time.sleep(0.1)
    s.close()


def h2_zero_window():
    s = connect()
    s.sendall(PREFACE + frame(4, 0, 0, bytes([0, 4, 0, 0, 0, 0])))
    for i in range(100):
        s.sendall(frame(1, 5, 1 + 2 * i, header_block(False, b"/_mock/requests")))
        note("h2_zero_window")
    while time.time() < END:
        time.sleep(0.5)
    s.close()


def regex():
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "a" * 200 + "!"}]}]}).encode()
    while time.time() < END:
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (PORT, CONVERSE.decode()), data=body,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer x"})
        try:
            status = urllib.request.urlopen(req, timeout=30).status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = 0
        note("regex", unexpected=status != 200, journaled=status != 0)
        time.sleep(0.2)


FRAMING = [
    ("conflicting_length", b"POST " + CONVERSE + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 59\r\n"
     b"Content-Length: 5\r\n\r\n" + HELLO, b"HTTP/1.1 400", False),
    ("length_and_chunked", b"POST " + CONVERSE + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n"
     b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3b\r\n" + HELLO + b"\r\n0\r\n\r\n", b"HTTP/1.1 200", True),
    ("expect_too_large", b"POST " + CONVERSE + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n"
     b"Content-Length: 1000000000000\r\n"
     b"Expect: 100-continue\r\n\r\n", b"HTTP/1.1 413", True),
    ("query_arguments", b"GET /_mock/health?" + b"&".join(b"a%d=b" % i for i in range(2000)) +
     b" HTTP/1.1\r\nHost: x\r\n\r\n", b"HTTP/1.1 400", False),
]


def framing():
    while time.time() < END:
        for kind, request, want, journaled in FRAMING:
            try:
                s = connect()
                s.sendall(request)
                answer = until_close(s)  # each one is answered, then closed
            except OSError:
                answer = b""
            note(kind, unexpected=not answer.startswith(want), journaled=journaled and answer.startswith(want))
        time.sleep(0.2)


def main():
    rule = json.dumps({"id": "hostile-regex", "match": {"textRegex": "^(a+)+$"}, "error": "ModelErrorException"})
    urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/_mock/rules" % PORT, data=rule.encode(),
                                                  headers={"Content-Type": "application/json"}), timeout=30).read()
    threads = [threading.Thread(target=f) for f in (half_prefaces, slowloris, h2_uploads, h2_zero_window, regex, framing)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for kind, n in sorted(counts["sent"].items()):
        print("hostile-sent\t%s\t%d" % (kind, n))
    print("hostile-unexpected\t%d" % counts["unexpected"])
    print("hostile-journaled\t%d" % counts["journaled"])


if __name__ == "__main__":
    main()
