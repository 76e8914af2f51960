#!/usr/bin/env python3
"""Benchmarks of a whole install of the real system (tests/real/) onto a loop-attached disk
image: the installer against tests/bench/real-baseline (the same work as a plain script),
from the local repository and over HTTP with 50 ms added to every request; the payload's
write rate against the loop device's own (dd); the installer's peak RSS (dnf excluded).
Median of RUNS runs (default 3); one line per figure.

Usage (as root): tests/bench/real.py INSTALLER REAL_REPO_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = int(os.environ.get("RUNS", "3"))
GIB = 1 << 30


def answer(image, url, key):
    return f'''version = 1
[install]
confirm = false
finish = "none"
[target]
path = "{image}"
wipe = true
firmware = "uefi"
[storage]
swap = "none"
[[repos]]
name = "real"
url = "{url}"
gpg_keys = ["file://{key}"]
[packages]
install = ["sudo", "iproute", "procps-ng"]
[kernel]
cmdline = ["console=ttyS0,115200"]
[selinux]
mode = "enforcing"
policy = "default"
[system]
hostname = "bench.example.com"
[[users]]
name = "admin"
groups = ["wheel"]
password = {{ hash = '$y$j9T$qApi/fD0ucJ538ZLFMG990$dNcDDGA2SMW2uGJf1VXVHeIwJaV.oq3drhbEp8RjlSB' }}
'''


def peak_rss_kib(pid, stop):
    """VmHWM of the installer itself while it runs (its children, dnf, are not in it)."""
    peak = 0
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                m = re.search(r"VmHWM:\s+(\d+)", f.read())
                if m:
                    peak = max(peak, int(m.group(1)))
        except OSError:
            break
        time.sleep(0.05)
    return peak


def ours(installer, url, key, work):
    img = os.path.join(work, "disk.img")
    with open(img, "wb") as f:
        f.truncate(8 * GIB)
    a = os.path.join(work, "answer.toml")
    with open(a, "w") as f:
        f.write(answer(img, url, key))
    env = dict(os.environ, AZL_RUN_DIR=os.path.join(work, "run"))
    t0 = time.monotonic()
    p = subprocess.Popen([installer, "install", "--yes", "--progress", "json",
                          "--sysimage", os.path.join(work, "sysimage"), a],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    stop = threading.Event()
    rss = {}
    t = threading.Thread(target=lambda: rss.update(kib=peak_rss_kib(p.pid, stop)))
    t.start()
    payload, initramfs = {}, 0.0
    for line in p.stdout:
        e = json.loads(line)
        if e.get("step") == "payload" and e["event"] in ("started", "finished"):
            payload[e["event"]] = time.monotonic()
        m = re.search(r": initramfs .* in ([0-9.]+) s$", e.get("message", ""))
        if m:
            initramfs += float(m.group(1))
    rc = p.wait()
    total = time.monotonic() - t0
    stop.set()
    t.join()
    if rc != 0:
        sys.exit(f"the installer failed (exit {rc}) in {work}")
    os.remove(img)
    return total, payload["finished"] - payload["started"], rss.get("kib", 0), initramfs


def baseline(url, key, packages, work):
    img = os.path.join(work, "disk.img")
    with open(img, "wb") as f:
        f.truncate(8 * GIB)
    t0 = time.monotonic()
    subprocess.run([os.path.join(HERE, "real-baseline"), img, url, key, work] + packages, check=True)
    total = time.monotonic() - t0
    os.remove(img)
    with open(os.path.join(work, "phases")) as f:
        phases = dict((k, float(v)) for k, v in (l.split() for l in f))
    return total, phases["initramfs"]


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def dd_rate(work):
    """Sequential direct writes to a loop device over a sparse file on the same disk: MiB/s."""
    img = os.path.join(work, "dd.img")
    with open(img, "wb") as f:
        f.truncate(2 * GIB)
    lo = subprocess.run(["losetup", "-f", "--show", img], check=True, capture_output=True, text=True).stdout.strip()
    try:
        t0 = time.monotonic()
        subprocess.run(["dd", "if=/dev/zero", f"of={lo}", "bs=4M", "count=256", "oflag=direct", "conv=fsync"],
                       check=True, capture_output=True)
        return 1024 / (time.monotonic() - t0)
    finally:
        subprocess.run(["losetup", "-d", lo])
        os.remove(img)


def main():
    installer, real = sys.argv[1], os.path.abspath(sys.argv[2])
    repo, key = os.path.join(real, "repo"), os.path.join(real, "RPM-GPG-KEY-real")
    with tempfile.TemporaryDirectory(prefix="bench-real.") as work:
        probe = os.path.join(work, "plan.toml")
        with open(probe, "w") as f:
            f.write(answer(os.path.join(work, "none.img"), f"file://{repo}", key))
        open(os.path.join(work, "none.img"), "wb").truncate(8 * GIB)
        plan = json.loads(subprocess.run([installer, "plan", "--json", probe], check=True,
                                         capture_output=True, text=True).stdout)
        packages = plan["payload"]["packages"]
        installed = plan["payload"]["installed_bytes"]

        server = subprocess.Popen([sys.executable, os.path.join(HERE, "slow-server.py"), repo, "50"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            port = server.stdout.readline().strip()
            for name, url in [("real-install-local", f"file://{repo}"),
                              ("real-install-http-50ms", f"http://127.0.0.1:{port}/")]:
                o, b, pay, rss, oi, bi = [], [], [], [], [], []
                for i in range(RUNS):
                    d = tempfile.mkdtemp(dir=work)
                    total, payload, kib, initramfs = ours(installer, url, key, d)
                    o.append(total), pay.append(payload), rss.append(kib), oi.append(initramfs)
                    d = tempfile.mkdtemp(dir=work)
                    total, initramfs = baseline(url, key, packages, d)
                    b.append(total), bi.append(initramfs)
                print(f"{name}: ratio {median(o) / median(b):.2f} (ours {median(o):.1f} s / baseline {median(b):.1f} s)", flush=True)
                # The same without the initramfs, which the installer compresses fast and
                # the baseline (dracut's default) does not: what the rest of the install wins.
                ro = [t - i for t, i in zip(o, oi)]
                rb = [t - i for t, i in zip(b, bi)]
                print(f"  without the initramfs: ratio {median(ro) / median(rb):.2f} (ours {median(ro):.1f} s / baseline {median(rb):.1f} s;"
                      f" initramfs ours {median(oi):.1f} s / baseline {median(bi):.1f} s)", flush=True)
                if name.endswith("local"):
                    rate = installed / median(pay) / (1 << 20)
                    disk = dd_rate(work)
                    print(f"real-payload-write-rate: ratio {rate / disk:.2f} (payload {rate:.0f} MiB/s installed / dd {disk:.0f} MiB/s)", flush=True)
                    print(f"installer-peak-rss: {max(rss) / 1024:.1f} MiB (goal < 40 MiB, dnf excluded)", flush=True)
        finally:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
