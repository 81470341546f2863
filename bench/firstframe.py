#!/usr/bin/env python3
"""Time from launch to a program's first frame, in a real pseudo-terminal.

Usage: firstframe.py RUNS MARKER -- COMMAND [ARGS...] [-- PEER [ARGS...]]
One command: prints one wall time in milliseconds per run. With a peer:
runs the two alternately, run by run, and prints the median of each (ms)
and the median of the per-pair ratios COMMAND/PEER. A time runs from just
before exec to the first read in which MARKER (text of the first frame)
has appeared on the terminal, escape sequences stripped; the program is
then killed.
"""
import os, pty, re, select, signal, statistics, sys, time

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[PX^_].*?\x1b\\|\x1b.")

def once(cmd, marker):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ["COLUMNS"], os.environ["LINES"] = "120", "40"
        os.execvp(cmd[0], cmd)
    start = time.perf_counter()
    import fcntl, struct, termios
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    elapsed = None
    deadline = start + 10
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        # Answer terminal queries so programs that wait for replies go on.
        if b"\x1b[6n" in chunk:
            os.write(fd, b"\x1b[1;1R")
        if b"\x1b]11;?" in chunk:
            os.write(fd, b"\x1b]11;rgb:0000/0000/0000\x07")
        seen += chunk
        if marker.encode() in ANSI.sub(b"", seen):
            elapsed = (time.perf_counter() - start) * 1000
            break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return elapsed

def main():
    runs, marker = int(sys.argv[1]), sys.argv[2]
    seps = [i for i, a in enumerate(sys.argv) if a == "--"]
    cmd = sys.argv[seps[0] + 1:seps[1]] if len(seps) > 1 else sys.argv[seps[0] + 1:]
    if len(seps) == 1:
        for _ in range(runs):
            t = once(cmd, marker)
            print("nan" if t is None else f"{t:.2f}", flush=True)
        return
    peer = sys.argv[seps[1] + 1:]
    once(cmd, marker); once(peer, marker)  # warm the page cache
    ta, tb, ratios = [], [], []
    for i in range(runs):
        # alternate which goes first, so neither always runs on a quieter machine
        if i % 2 == 0:
            a = once(cmd, marker); b = once(peer, marker)
        else:
            b = once(peer, marker); a = once(cmd, marker)
        if a is None or b is None:
            continue
        ta.append(a); tb.append(b); ratios.append(a / b)
    print(f"{statistics.median(ta):.2f} {statistics.median(tb):.2f} {statistics.median(ratios):.2f}")

if __name__ == "__main__":
    main()
