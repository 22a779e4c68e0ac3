#!/usr/bin/env python3
"""Load a key-value server (memcached or redis, text protocols) and check every reply.

kvload.py PROTO PORT CONNS STOPFILE: CONNS connections, each in its own thread,
set and get their own keys until STOPFILE exists (STOPFILE.ready is
created once every connection made its first request); every reply is checked (a
wrong value, an error reply, a closed connection count as failed requests).
Prints one line: "requests N failed F" (and the first failures on stderr);
exit 0 when F is 0.
kvload.py PROTO PORT probe: print what the server says to a probe: memcached
the version `stats` reports, redis its reply to PING.
"""
import os
import socket
import sys
import threading
import time


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buf += chunk
        out, self.buf = self.buf.split(b"\r\n", 1)
        return out

    def exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n + 2:]
        return out

    def send(self, data):
        self.s.sendall(data)


def set_get(c, proto, key, val):
    if proto == "memcached":
        c.send(b"set %s 0 0 %d\r\n%s\r\nget %s\r\n" % (key, len(val), val, key))
        r = c.line()
        if r != b"STORED":
            return "set: %r" % r
        r = c.line()
        if not r.startswith(b"VALUE " + key + b" "):
            return "get: %r" % r
        got = c.exact(int(r.split()[3]))
        if c.line() != b"END":
            return "get: no END"
    else:
        c.send(b"SET %s %s\r\nGET %s\r\n" % (key, val, key))
        r = c.line()
        if r != b"+OK":
            return "SET: %r" % r
        r = c.line()
        if not r.startswith(b"$"):
            return "GET: %r" % r
        got = c.exact(int(r[1:]))
    return None if got == val else "value %r, expected %r" % (got, val)


def probe(proto, port):
    c = Conn(port)
    if proto == "memcached":
        c.send(b"stats\r\n")
        while True:
            r = c.line()
            if r == b"END":
                return None
            if r.startswith(b"STAT version "):
                return r.split()[2].decode()
    c.send(b"PING\r\n")
    return c.line()[1:].decode()


def main():
    proto, port = sys.argv[1], int(sys.argv[2])
    if sys.argv[3] == "probe":
        print(probe(proto, port))
        return 0
    conns, stop = int(sys.argv[3]), sys.argv[4]
    counts = [0] * conns
    fails = []
    started = threading.Semaphore(0)

    def worker(i):
        try:
            c = Conn(port)
        except OSError as e:
            fails.append("connect: %s" % e)
            started.release()
            return
        n = 0
        while not os.path.exists(stop):
            key = b"lp:%d:%d" % (i, n % 100)
            try:
                err = set_get(c, proto, key, b"v%d-%d" % (i, n))
            except (OSError, ValueError, IndexError) as e:
                err = "%s: %s" % (type(e).__name__, e)
            if n == 0:
                started.release()
            if err:
                fails.append(err)
                try:
                    c = Conn(port)
                except OSError as e:
                    fails.append("reconnect: %s" % e)
                    time.sleep(0.1)
            n += 1
            counts[i] = n

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        started.acquire()
    open(stop + ".ready", "w").close()
    for t in threads:
        t.join()
    print("requests %d failed %d" % (sum(counts), len(fails)))
    for f in fails[:5]:
        print("failed: %s" % f, file=sys.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
