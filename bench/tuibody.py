#!/usr/bin/env python3
"""Time from Enter in keyhole's TUI to the response shown, and peak memory.

Usage: tuibody.py RUNS URL -- KEYHOLE
Each run starts KEYHOLE URL in a real pseudo-terminal (TMPDIR a fresh
folder, for the spill), waits for the first frame, presses Enter and times
until "200 OK" is on the terminal: the body is formatted before the
response is shown. The peak RSS is the process's VmHWM then. curl fetching
the same URL to /dev/null is timed alternately, run by run, as the floor.
Prints: median keyhole ms, median curl ms, median ratio, largest VmHWM MiB.
"""
import os, pty, re, select, shutil, signal, statistics, subprocess, sys, tempfile, time

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[PX^_].*?\x1b\\|\x1b.")

def wait(fd, marker, deadline):
    seen = b""
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.02)
        if not r:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return False
        if b"\x1b]11;?" in chunk:
            os.write(fd, b"\x1b]11;rgb:0000/0000/0000\x07")
        seen = seen[-4096:] + chunk
        if marker in ANSI.sub(b"", seen):
            return True
    return False

def hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")

def keyhole(cmd, url):
    tmp = tempfile.mkdtemp()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", TMPDIR=tmp, HOME=tmp)
        os.environ.pop("TMUX", None)
        os.execvp(cmd[0], cmd + [url])
    import fcntl, struct, termios
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        if not wait(fd, b"enter sends", time.perf_counter() + 20):
            raise SystemExit("keyhole showed no first frame")
        start = time.perf_counter()
        os.write(fd, b"\r")
        if not wait(fd, b"200 OK", start + 120):
            raise SystemExit("keyhole never showed 200 OK")
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, hwm(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
        shutil.rmtree(tmp, ignore_errors=True)

def curl(url):
    t = time.perf_counter()
    subprocess.run(["curl", "-s", "-o", "/dev/null", url], check=True)
    return (time.perf_counter() - t) * 1000

def main():
    runs, url = int(sys.argv[1]), sys.argv[2]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    curl(url)
    ks, cs, ratios, peak = [], [], [], 0
    for i in range(runs):
        if i % 2 == 0:
            k, m = keyhole(cmd, url); c = curl(url)
        else:
            c = curl(url); k, m = keyhole(cmd, url)
        ks.append(k); cs.append(c); ratios.append(k / c); peak = max(peak, m)
    print(f"{statistics.median(ks):.0f} {statistics.median(cs):.0f} {statistics.median(ratios):.1f} {peak:.0f}")

if __name__ == "__main__":
    main()
