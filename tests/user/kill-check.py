#!/usr/bin/env python3
"""Checks for tests/user/22-kill-apply-revert.sh, after an lpatch run was killed.

usage: kill-check.py LPATCH PID:BINARY:FUNC...
       kill-check.py LPATCH --serve     (the same for each line of specs on stdin)

For each process: it is alive (not a zombie); within a short grace nobody traces
it and none of its threads is stopped (state t or T); `lpatch ps --pid PID
--json` agrees with the code in memory: the entry of FUNC (from BINARY's symbol
table and the process's load address) holds a jump to the new code of the one
patch ps calls live, or the original bytes when ps calls none live.
Prints, per process, what the next operation must be: "revert" when ps lists
any patch (active, interrupted or stale), else "apply". Exit 1 on a failure;
with --serve, one line per request: "ok PID OP..." or "FAIL: why".
"""
import functools
import json
import os
import struct
import subprocess
import sys
import time


class Failed(Exception):
    pass


def fail(msg):
    raise Failed(msg)


@functools.lru_cache(maxsize=None)
def symbol(binary, func):
    out = subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == func and f[1] in "tT":
            return int(f[0], 16)
    fail("%s has no function %s" % (binary, func))


@functools.lru_cache(maxsize=None)
def file_bytes(binary, vaddr, n):
    # the executable segment's file offset for vaddr, from the program headers
    with open(binary, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_vaddr <= vaddr < p_vaddr + p_filesz:
            off = p_offset + vaddr - p_vaddr
            return data[off:off + n]
    fail("%s: no segment holds %#x" % (binary, vaddr))


def load_bias(pid, binary):
    real = os.path.realpath(binary)
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and fields[5] == real and int(fields[2], 16) == 0:
                return int(fields[0].split("-")[0], 16)
    fail("process %d does not map %s" % (pid, real))


def thread_states(pid):
    states = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                states[tid] = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            pass
    return states


def tracer(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return 0


def check(lpatch, pid, binary, func):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        fail("process %d died" % pid)
    if st in ("Z", "X"):
        fail("process %d died (state %s)" % (pid, st))
    # the kernel lets the threads go when the tracer dies: give it a moment
    deadline = time.time() + 1.0
    while True:
        tr, states = tracer(pid), thread_states(pid)
        stopped = {t: s for t, s in states.items() if s in ("t", "T")}
        if tr == 0 and not stopped:
            break
        if time.time() > deadline:
            fail("process %d: traced by %d, threads stopped: %s" % (pid, tr, stopped))
        time.sleep(0.01)

    out = subprocess.run([lpatch, "ps", "--pid", str(pid), "--json"], capture_output=True,
                         text=True)
    if out.returncode != 0:
        fail("lpatch ps --pid %d exited %d: %s" % (pid, out.returncode, out.stderr))
    procs = json.loads(out.stdout)
    patches = procs[0]["patches"] if procs else []

    addr = symbol(binary, func)
    orig = file_bytes(binary, addr, 9)
    site_off = 4 if orig[:4] == b"\xf3\x0f\x1e\xfa" else 0
    entry = load_bias(pid, binary) + addr
    with open("/proc/%d/mem" % pid, "rb") as m:
        m.seek(entry + site_off)
        cur = m.read(5)
    live = []
    for p in patches:
        for fn in p["functions"]:
            if int(fn["old"], 16) != entry:
                fail("ps says %s of patch %s is at %s, the binary's symbol table says %#x"
                     % (fn["name"], p["name"], fn["old"], entry))
            if fn["live"]:
                live.append((p, fn))
    # the record agrees too: an active patch's function jumps to it unless a newer
    # live patch owns it; a loaded (stale) region's never does
    for p in patches:
        for fn in p["functions"]:
            newer = [q for q in patches if q["seq"] > p["seq"]
                     and q["state"] in ("active", "applying", "reverting")]
            if p["state"] == "active" and not fn["live"] and not newer:
                fail("process %d: ps says patch %s is active, but %s does not jump to it"
                     % (pid, p["name"], fn["name"]))
            if p["state"] == "loaded" and fn["live"]:
                fail("process %d: ps says patch %s is only loaded, but %s jumps to it"
                     % (pid, p["name"], fn["name"]))
    if len(live) > 1:
        fail("ps calls %d patches of %s live in process %d" % (len(live), func, pid))
    if live:
        p, fn = live[0]
        site = entry + site_off
        if cur[0] != 0xe9:
            fail("process %d: ps says %s jumps to patch %s, but its entry holds %s"
                 % (pid, func, p["name"], cur.hex()))
        target = (site + 5 + struct.unpack("<i", cur[1:5])[0]) & (2**64 - 1)
        if target != int(fn["new"], 16):
            fail("process %d: %s jumps to %#x, ps says %s" % (pid, func, target, fn["new"]))
    elif cur != orig[site_off:site_off + 5]:
        fail("process %d: ps says %s is not patched, but its entry holds %s (original %s)"
             % (pid, func, cur.hex(), orig[site_off:site_off + 5].hex()))
    return "revert" if patches else "apply"


def run(lpatch, specs):
    out = []
    for spec in specs:
        pid, binary, func = spec.split(":")
        out += [pid, check(lpatch, int(pid), binary, func)]
    return " ".join(out)


def main():
    lpatch = sys.argv[1]
    if sys.argv[2:] == ["--serve"]:
        for line in sys.stdin:
            try:
                print("ok " + run(lpatch, line.split()), flush=True)
            except Failed as e:
                print("FAIL: %s" % e, flush=True)
        return
    try:
        print(run(lpatch, sys.argv[2:]))
    except Failed as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)


main()
