#!/usr/bin/env python3
"""garage-sync benchmark against its peers, all measured in the same run on the same machine.

    python3 bench/run.py            # builds the jar if needed, installs restic/wrk/zstd if missing
    python3 bench/run.py --quick    # fewer repetitions
    python3 bench/run.py --only devices   # only the "several devices" rows (merge, changes feed, PouchDB)
    python3 bench/run.py --only records   # only the records rows (history, diff, search; restic dump + diff)
        # (BENCH_RECORDS_VERSIONS=N: history over N versions instead of 1,000, on a loaded machine)
    python3 bench/run.py --only drill     # only the restore drill row (S3 target on s3proxy; restic check --read-data)
    python3 bench/run.py --only ingest    # only the big-POST rows (first 50 MB of a new user, peak RSS, allocation)

Prints a table of medians and ratios and writes bench/RESULTS.md. Peers: restic (backup/restore of
the same file), and the floor: `zstd -1` + write + fsync of the same bytes."""
import concurrent.futures
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / "target" / "garage-sync.jar"
def free_port():
    """A port nobody listens on now: other work may share this machine, so no fixed port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
RUNS = 3 if "--quick" in sys.argv else 5
# unmeasured /api/changes requests before its figure: the JIT has compiled the diff on a daemon that has been serving
CHANGES_WARMUP = 30


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=True, capture_output=True, text=True, **kw)


def ensure_tools():
    missing = [pkg for tool, pkg in (("restic", "restic"), ("wrk", "wrk"), ("zstd", "zstd")) if not shutil.which(tool)]
    if missing:
        print(f"installing with apt-get: {' '.join(missing)}")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not JAR.exists():
        print("building target/garage-sync.jar")
        subprocess.run(["mvn", "-B", "-q", "package", "-DskipTests"], cwd=ROOT, check=True)


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def curl_time(args):
    out = sh(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}"] + args).stdout.split()
    return int(out[0]), float(out[1])


def rss_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


class Daemon:
    def __init__(self, data_dir, xmx="512m", props=()):
        self.data_dir = data_dir
        self.xmx = xmx
        self.props = list(props)

    def start(self):
        t = time.perf_counter()
        self.proc = subprocess.Popen(["java", f"-Xmx{self.xmx}", f"-Dcamel.server.port={PORT}",
                                      f"-Dgaragesync.data-dir={self.data_dir}"] + [f"-D{p}" for p in self.props]
                                     + ["-jar", str(JAR)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.data_dir.parent)
        while True:
            try:
                with urllib.request.urlopen(BASE + "/api/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - t
            except Exception:
                if self.proc.poll() is not None:
                    raise SystemExit("daemon exited during start-up")
                time.sleep(0.01)

    def await_warmup(self):
        """Seconds the background warm-up took, once /api/metrics reports it done."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with urllib.request.urlopen(BASE + "/api/metrics", timeout=5) as r:
                m = re.search(r"^garagesync_warmup_seconds (\S+)$", r.read().decode(), re.M)
            if m and float(m.group(1)) >= 0:
                return float(m.group(1))
            time.sleep(0.05)
        raise SystemExit("the daemon's warm-up did not finish in 120 s (see its log)")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def median(xs):
    return statistics.median(xs)


def main():
    ensure_tools()
    ensure_devices_tools()
    work = Path(tempfile.mkdtemp(prefix="gs-bench-"))
    results = {}
    try:
        datasets = {}
        for mb in (1, 10, 50):
            f = work / f"garage-{mb}mb.json"
            # stay just under the 50 MiB default limit
            size = 49.5 if mb == 50 else mb
            f.write_bytes(sh([sys.executable, str(ROOT / "bench" / "gen_dataset.py"), str(size)]).stdout.encode())
            datasets[mb] = f
        big = datasets[50]
        mb50 = big.stat().st_size / 1e6

        # start-up and idle memory
        starts, idle = [], []
        for i in range(RUNS):
            d = Daemon(work / f"start-{i}" / "data")
            d.data_dir.mkdir(parents=True)
            starts.append(d.start())
            time.sleep(1)  # let start-up settle before reading idle memory (a reading, not a wait for a condition)
            idle.append(rss_kb(d.proc.pid, "VmRSS"))
            d.stop()
        results["start"] = (median(starts), median(idle) / 1024)

        # store, re-post, read 50 MB
        d = Daemon(work / "main" / "data")
        d.data_dir.mkdir(parents=True)
        d.start()
        def post(user, expected):
            code, t = curl_time(["-X", "POST", BASE + "/api/backup", "-H", "Content-Type: application/json",
                                 "-H", f"X-User-Id: {user}", "--data-binary", f"@{big}"])
            assert code == expected, code
            return t

        for w in range(2):  # warm-up: JIT and zstd's native library, as on a long-running daemon
            post(f"warm{w}", 201)
        store = [post(f"u{i}", 201) for i in range(RUNS)]
        peak = rss_kb(d.proc.pid, "VmHWM") / 1024
        unchanged = [post(f"u{i}", 200) for i in range(RUNS)]
        reads = []
        for i in range(RUNS):
            code, t = curl_time([BASE + "/api/backup", "-H", f"X-User-Id: u{i}"])
            assert code == 200, code
            reads.append(t)
        stored_size = sum(p.stat().st_size for p in (d.data_dir / "users" / "u0" / "versions").glob("*.gsv"))

        # load: 64 clients posting ~20 KB backups for 500 users, then reading status. A first run of
        # the same load is not measured: like the two warm-up posts above, it lets the JIT compile the
        # small-request path, as on a daemon that has been running (measured: from a cold path, three
        # successive runs went 1115, 1458, 1936 req/s while CPU per request fell from 1.6 to 0.9 ms)
        sh(["wrk", "-t2", "-c64", "-d10s", "-s", str(ROOT / "bench" / "post-small.lua"), BASE])
        # three measured runs each, reported as medians with the spread: on this machine one run of the
        # same load on the same build measured anywhere from 1,090 to 1,540 req/s
        wrk_post = [sh(["wrk", "-t2", "-c64", "-d10s", "--latency", "-s", str(ROOT / "bench" / "post-small.lua"), BASE]).stdout
                    for _ in range(3)]
        wrk_get = [sh(["wrk", "-t2", "-c64", "-d10s", "--latency", "-s", str(ROOT / "bench" / "get-status.lua"), BASE]).stdout
                   for _ in range(3)]
        d.stop()

        # peers
        env = dict(os.environ, RESTIC_PASSWORD="bench")
        restic_backup, restic_restore, floor = [], [], []
        for i in range(RUNS):
            repo = work / f"restic-{i}"
            subprocess.run(["restic", "init", "-q", "-r", str(repo)], env=env, check=True, capture_output=True)
            t = time.perf_counter()
            subprocess.run(["restic", "backup", "-q", "-r", str(repo), str(big)], env=env, check=True, capture_output=True)
            restic_backup.append(time.perf_counter() - t)
            target = work / f"restore-{i}"
            t = time.perf_counter()
            subprocess.run(["restic", "restore", "-q", "-r", str(repo), "latest", "--target", str(target)],
                           env=env, check=True, capture_output=True)
            restic_restore.append(time.perf_counter() - t)
            out = work / f"floor-{i}.zst"
            floor.append(timed(f"zstd -1 -q -c {big} > {out} && sync {out}"))
        restic_size = sum(f.stat().st_size for f in (work / "restic-0").rglob("*") if f.is_file())

        days = days_growth(work, big, env)
        sync = sync_figures(big, work / "day-1.json")

        rows = []
        s, fl, rb = median(store), median(floor), median(restic_backup)
        rows.append(("store a 50 MB backup (POST, fsync)", f"{s:.2f} s, {mb50 / s:.0f} MB/s, peak RSS {peak:.0f} MB",
                     f"restic backup {rb:.2f} s; floor zstd -1+write+fsync {fl:.2f} s",
                     f"{faster(rb, s)} than restic; {s / fl:.1f}x the floor"))
        r, rr = median(reads), median(restic_restore)
        rows.append(("read the latest 50 MB (GET)", f"{r:.2f} s", f"restic restore {rr:.2f} s", f"{faster(rr, r)} than restic"))
        rows.append(("re-POST an unchanged 50 MB backup", f"{median(unchanged):.2f} s", "", ""))
        rows.append(("stored size of the 50 MB version", f"{stored_size / 1e6:.1f} MB", f"restic repo {restic_size / 1e6:.1f} MB", ""))
        rows.append(("64 clients POST ~20 KB, 500 users", wrk_summary(wrk_post), "", ""))
        rows.append(("64 clients GET /api/sync/status", wrk_summary(wrk_get), "", ""))
        rows.append(("growth per 1%-change day (10 days)", f"{days['gs_growth'] / 1e3:.0f} KB/day "
                     f"(first version {days['gs_first'] / 1e6:.1f} MB)",
                     f"restic {days['restic_growth'] / 1e3:.0f} KB/day (first {days['restic_first'] / 1e6:.1f} MB)",
                     f"{days['restic_growth'] / days['gs_growth']:.0f}x less than restic"))
        rows.append(("store a 1%-change day (POST, delta)", f"{days['gs_post']:.2f} s", f"restic backup {days['restic_backup']:.2f} s",
                     f"{faster(days['restic_backup'], days['gs_post'])} than restic"))
        rows.append(("read the latest of 11 days, daemon running", f"{days['gs_latest_warm']:.2f} s",
                     f"restic restore latest {days['restic_latest']:.2f} s", f"{faster(days['restic_latest'], days['gs_latest_warm'])} than restic"))
        rows.append(("read the latest of 11 days, first request after a restart (median of 3 restarts)", f"{days['gs_latest_cold']:.2f} s", "",
                     f"{faster(days['restic_latest'], days['gs_latest_cold'])} than restic"))
        rows.append(("same, once the start-up warm-up is done", f"{days['gs_latest_after_warmup']:.2f} s (warm-up took {days['gs_warmup']:.2f} s)", "",
                     f"{faster(days['restic_latest'], days['gs_latest_after_warmup'])} than restic"))
        rows.append(("read the oldest of 11 days", f"{days['gs_oldest']:.2f} s", f"restic restore oldest {days['restic_oldest']:.2f} s",
                     f"{faster(days['restic_oldest'], days['gs_oldest'])} than restic"))
        rows.append(("sync the first 50 MB version to S3 (s3proxy, loopback)",
                     f"{sync['first_ms'] / 1000:.2f} s, {sync['first_bytes'] / 1e6:.1f} MB sent", "", ""))
        rows.append(("sync a 1%-change day to S3", f"{sync['day_ms'] / 1000:.2f} s, {sync['day_bytes'] / 1e3:.0f} KB sent",
                     f"restic repository growth for that day {days['restic_growth'] / 1e3:.0f} KB",
                     f"{days['restic_growth'] / sync['day_bytes']:.0f}x fewer bytes than restic would upload"))
        rows.append(("restore both versions from S3 into a fresh daemon", f"{sync['restore_ms'] / 1000:.2f} s", "", ""))
        st, rss = results["start"]
        rows.append(("start to first healthy response", f"{st:.2f} s, idle RSS {rss:.0f} MB", "", ""))
        rows += devices_rows(work, big)  # several devices, one garage: also runs alone with --only devices
        report(rows, mb50)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def days_growth(work, first, env):
    """Ten working days of ~1% edits: storage growth and read times, garage-sync against restic."""
    files = [first]
    for day in range(1, 11):
        nxt = work / f"day-{day}.json"
        subprocess.run([sys.executable, str(ROOT / "bench" / "edit_day.py"), str(files[-1]), str(nxt), str(day)], check=True)
        files.append(nxt)
    keep_all = [f"garagesync.retention.keep-{k}=0" for k in ("last", "hourly", "daily", "weekly", "monthly")]
    d = Daemon(work / "days" / "data", props=keep_all)
    d.data_dir.mkdir(parents=True)
    d.start()
    versions = d.data_dir / "users" / "days" / "versions"
    sizes, posts = [], []
    for f in files:
        code, t = curl_time(["-X", "POST", BASE + "/api/backup", "-H", "Content-Type: application/json",
                             "-H", "X-User-Id: days", "--data-binary", f"@{f}"])
        assert code == 201, code
        posts.append(t)
        sizes.append(sum(p.stat().st_size for p in versions.glob("*.gsv")))
    warm = median([curl_time([BASE + "/api/backup", "-H", "X-User-Id: days"])[1] for _ in range(RUNS)])
    # the very first read after a restart, one sample per restart: the median of three
    colds = []
    for _ in range(3):
        d.stop()
        d.start()
        colds.append(curl_time([BASE + "/api/backup", "-H", "X-User-Id: days"])[1])
    cold = median(colds)
    d.stop()
    d.start()
    warmup = d.await_warmup()
    after_warmup = curl_time([BASE + "/api/backup", "-H", "X-User-Id: days"])[1]
    oldest = median([curl_time([BASE + "/api/backup?version=1", "-H", "X-User-Id: days"])[1] for _ in range(RUNS)])
    with urllib.request.urlopen(urllib.request.Request(BASE + "/api/backup", headers={"X-User-Id": "days"})) as r:
        assert r.read() == files[-1].read_bytes(), "latest version differs from day 10"
    d.stop()

    repo = work / "restic-days"
    subprocess.run(["restic", "init", "-q", "-r", str(repo)], env=env, check=True, capture_output=True)
    target = work / "garage.json"
    repo_sizes, backups = [], []
    for f in files:
        shutil.copyfile(f, target)
        t = time.perf_counter()
        subprocess.run(["restic", "backup", "-q", "-r", str(repo), str(target)], env=env, check=True, capture_output=True)
        backups.append(time.perf_counter() - t)
        repo_sizes.append(sum(p.stat().st_size for p in repo.rglob("*") if p.is_file()))
    snaps = json.loads(sh(["restic", "snapshots", "--json", "-q", "-r", str(repo)], env=env).stdout)
    snaps.sort(key=lambda s: s["time"])

    def restore(snapshot_id, i):
        out = work / f"restore-days-{snapshot_id[:8]}-{i}"
        t = time.perf_counter()
        subprocess.run(["restic", "restore", "-q", "-r", str(repo), snapshot_id, "--target", str(out)],
                       env=env, check=True, capture_output=True)
        return time.perf_counter() - t

    return {
        "gs_first": sizes[0], "gs_growth": (sizes[-1] - sizes[0]) / 10, "gs_post": median(posts[1:]),
        "gs_latest_warm": warm, "gs_latest_cold": cold, "gs_oldest": oldest,
        "gs_latest_after_warmup": after_warmup, "gs_warmup": warmup,
        "restic_first": repo_sizes[0], "restic_growth": (repo_sizes[-1] - repo_sizes[0]) / 10,
        "restic_backup": median(backups[1:]),
        "restic_latest": median([restore(snaps[-1]["id"], i) for i in range(RUNS)]),
        "restic_oldest": median([restore(snaps[0]["id"], i) for i in range(RUNS)]),
    }


def sync_figures(first, day):
    """Off-site sync through the daemon to s3proxy (run in the test JVM by SyncFiguresBench): bytes and times."""
    out = sh(["mvn", "-B", "-q", "test", "-Dtest=SyncFiguresBench", "-Dsurefire.failIfNoSpecifiedTests=false",
              f"-Dbench.first={first}", f"-Dbench.day={day}"], cwd=ROOT).stdout
    first_m = re.search(r"FIGURE first version: \d+ bytes of JSON, (\d+) ms, (\d+) bytes written", out)
    day_m = re.search(r"FIGURE one-day change: (\d+) ms, (\d+) bytes written", out)
    restore_m = re.search(r"FIGURE restore of both versions into a fresh daemon: (\d+) ms", out)
    if not (first_m and day_m and restore_m):
        raise SystemExit("SyncFiguresBench printed no figures:\n" + out[-3000:])
    return {"first_ms": int(first_m.group(1)), "first_bytes": int(first_m.group(2)),
            "day_ms": int(day_m.group(1)), "day_bytes": int(day_m.group(2)), "restore_ms": int(restore_m.group(1))}


def faster(peer, ours):
    """How a peer's time compares with ours, said the right way round."""
    r = peer / ours
    return f"{r:.1f}x faster" if r >= 1 else f"{1 / r:.1f}x slower"


def wrk_summary(outs):
    """Median requests/s and median p99 of several wrk runs, with each run's rate; errors of all runs."""
    rates, p99s, extra = [], [], ""
    for out in outs:
        rates.append(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))
        value, unit = re.search(r"99%\s+([\d.]+)(\w+)", out).groups()
        p99s.append(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit])
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        sock = re.search(r"Socket errors: (.*)", out)
        extra += (f", non-2xx {errors.group(1)}" if errors else "") + (f", socket errors: {sock.group(1)}" if sock else "")
    runs = ", ".join(f"{r:.0f}" for r in rates)
    return f"{median(rates):.0f} req/s, p99 {median(p99s):.1f} ms (median of {len(outs)} runs of 10 s: {runs} req/s){extra}"


def report(rows, mb50):
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    restic = sh(["restic", "version"]).stdout.strip()
    head = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()}: {os.cpu_count()} cores, "
            f"{platform.machine()}, {java}, {restic}, dataset {mb50:.1f} MB (bench/gen_dataset.py), "
            f"medians of {RUNS} runs, daemon -Xmx512m, load runs after a 10 s unmeasured run of the same load; "
            f"load average at start {os.getloadavg()[0]:.1f}.")
    write_results(head, rows)


# ---------------------------------------------------------------------------------------------------
# Several devices, one garage (issue 11): merging onto a 50 MB latest, the changes feed, 200 eventsource
# listeners, and the PouchDB peer (the same garage as one document per record) catching up the same day.
# Runs alone with --only devices.

BENCH = ROOT / "bench"
LISTENERS = 200


def ensure_devices_tools():
    if not JAR.exists():
        print("building target/garage-sync.jar")
        subprocess.run(["mvn", "-B", "-q", "package", "-DskipTests"], cwd=ROOT, check=True)
    if not (BENCH / "node_modules" / "express-pouchdb").exists():
        print("installing the PouchDB peer (npm ci in bench/)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)


def curl(args):
    """One request: status, seconds, bytes on the wire both ways (headers and bodies, as curl counts them)."""
    fmt = "%{http_code} %{time_total} %{size_request} %{size_upload} %{size_header} %{size_download}"
    out = sh(["curl", "-s", "-o", "/dev/null", "-w", fmt] + args).stdout.split()
    return int(out[0]), float(out[1]), sum(int(x) for x in out[2:])


def curl_json(args):
    out = sh(["curl", "-s", "-w", "\n%{http_code}"] + args).stdout
    body, code = out.rsplit("\n", 1)
    return int(code), json.loads(body) if body else None


def by_id(doc):
    """{collection: {id: record}} keyed by (type, id): the store tells string "1" from number 1."""
    return {name: {(type(e["id"]).__name__, e["id"]): e for e in items}
            for name, items in doc["data"].items() if isinstance(items, list)}


def change_set(base, day, base_version):
    """The PATCH body a device sends for its day: what changed from base to day, by record."""
    before, after = by_id(base), by_id(day)
    upserts, deletes = {}, {}
    for name, records in after.items():
        old = before.get(name, {})
        changed = [e for key, e in records.items() if old.get(key) != e]
        if changed:
            upserts[name] = changed
        gone = [key[1] for key in old if key not in records]
        if gone:
            deletes[name] = gone
    cs = {"baseVersion": base_version, "upserts": upserts, "deletes": deletes}
    if day.get("garage") != base.get("garage"):
        cs["garage"] = day["garage"]
    if day["data"].get("settings") != base["data"].get("settings"):
        cs["settings"] = day["data"]["settings"]
    if day.get("timestamp") != base.get("timestamp"):
        cs["timestamp"] = day["timestamp"]
    return cs


def apply_changes(base, changes):
    """A replica applying /api/changes to its copy of version `from` (the contract: it gives the latest)."""
    doc = json.loads(json.dumps(base))
    data = doc["data"]
    for name, ids in changes.get("deletes", {}).items():
        gone = {(type(i).__name__, i) for i in ids}
        data[name] = [e for e in data.get(name, []) if (type(e["id"]).__name__, e["id"]) not in gone]
    for name, records in changes.get("upserts", {}).items():
        items = data.setdefault(name, [])
        at = {(type(e["id"]).__name__, e["id"]): i for i, e in enumerate(items)}
        for e in records:
            key = (type(e["id"]).__name__, e["id"])
            if key in at:
                items[at[key]] = e
            else:
                at[key] = len(items)
                items.append(e)
    if "garage" in changes:
        doc["garage"] = changes["garage"]
    if "settings" in changes:
        data["settings"] = changes["settings"]
    if "timestamp" in changes:
        doc["timestamp"] = changes["timestamp"]
    return doc


def edited_day(src, dst, seed):
    subprocess.run([sys.executable, str(BENCH / "edit_day.py"), str(src), str(dst), str(seed)], check=True)
    return dst


def route_seconds(route_id):
    """(seconds, requests) the daemon reports for one route: Camel's route policy timer in /api/metrics."""
    with urllib.request.urlopen(BASE + "/api/metrics", timeout=10) as r:
        text = r.read().decode()
    def value(name):
        m = re.search(rf'^camel_route_policy_seconds_{name}{{[^}}]*route_id="{route_id}"[^}}]*}} (\S+)$', text, re.M)
        if not m:
            raise SystemExit(f"/api/metrics has no camel_route_policy_seconds_{name} for route {route_id}")
        return float(m.group(1))
    return value("sum"), int(value("count"))


class OutOfHeap(Exception):
    """The daemon answered a merge 503 busy (it logs: out of heap, consider a larger -Xmx)."""


def devices_inputs(work, big):
    """The device's day, another device's day stored meanwhile, and the device's day as a PATCH on version 1."""
    day = edited_day(big, work / "device-day.json", 1)
    other = edited_day(big, work / "other-day.json", 2)
    base_doc, day_doc = json.loads(big.read_text(encoding="utf-8")), json.loads(day.read_text(encoding="utf-8"))
    patch = work / "device-day-patch.json"
    patch.write_text(json.dumps(change_set(base_doc, day_doc, 1), ensure_ascii=False, separators=(",", ":")),
                     encoding="utf-8")
    return {"big": big, "day": day, "other": other, "patch": patch, "base_doc": base_doc, "day_doc": day_doc}


def devices_figures(work, inputs, xmx):
    """Merge, If-Match and changes-feed figures on the 50 MB garage, one daemon, medians of RUNS."""
    big, day, other, patch = inputs["big"], inputs["day"], inputs["other"], inputs["patch"]
    keep_all = [f"garagesync.retention.keep-{k}=0" for k in ("last", "hourly", "daily", "weekly", "monthly")]
    d = Daemon(work / f"devices-{xmx}" / "data", xmx=xmx, props=keep_all)
    d.data_dir.mkdir(parents=True)
    d.start()
    json_h = ["-H", "Content-Type: application/json"]

    def checked(code, what):
        if code == 503:
            raise OutOfHeap(what)
        assert code in (200, 201), (what, code)
        return code

    def post(user, f, expected, *extra):
        code, t, _ = curl(["-X", "POST", BASE + "/api/backup", "-H", f"X-User-Id: {user}", *json_h, *extra,
                           "--data-binary", f"@{f}"])
        assert checked(code, f"POST {f.name} {' '.join(extra)}") == expected, (user, f.name, code)
        return t

    def stale(user):
        """version 1 = the base every device started from, version 2 = another device's day"""
        post(user, big, 201)
        post(user, other, 201)

    unchanged, merge_patch, if_match, plain = [], [], [], []
    try:
        for i in range(RUNS + 1):  # the first round is not measured: JIT, as on a daemon that has been running
            stale(f"s{i}")
            u = post(f"s{i}", other, 200)
            code, t, _ = curl(["-X", "PATCH", BASE + "/api/backup", "-H", f"X-User-Id: s{i}", *json_h,
                               "--data-binary", f"@{patch}"])
            assert checked(code, "PATCH on a stale base") == 201, ("PATCH on a stale base", code)
            stale(f"m{i}")
            m = post(f"m{i}", day, 201, "-H", 'If-Match: "1"')
            stale(f"p{i}")
            p = post(f"p{i}", day, 201)
            if i:
                unchanged.append(u)
                merge_patch.append(t)
                if_match.append(m)
                plain.append(p)
        code, answer = curl_json([BASE + "/api/backup/versions", "-H", "X-User-Id: m1"])
        merged = next((v.get("merged") for v in answer["versions"] if v.get("merged")), None) if code == 200 else None
        assert merged and merged["base"] == 1 and merged["onto"] == 2, ("If-Match POST not recorded as a merge", answer)

        # the changes feed: a replica at version 1 (the base) catching up the device's day (version 2)
        post("feed", big, 201)
        post("feed", day, 201)
        feed = BASE + "/api/changes?since=1"
        code, changes = curl_json([feed, "-H", "X-User-Id: feed"])
        assert code == 200 and changes.get("exact") is True, ("/api/changes", code, changes.get("exact"))
        assert apply_changes(inputs["base_doc"], changes) == inputs["day_doc"], "/api/changes applied to version 1 is not version 2"
        curl([feed, "-H", "X-User-Id: feed"])  # warm-up
        # the first requests of the route run while the JIT still compiles the diff: measured apart, then the
        # figure of a daemon that has served its devices for a while, after CHANGES_WARMUP more requests
        cold_before = route_seconds("changes")
        for _ in range(RUNS):
            curl([feed, "-H", "X-User-Id: feed"])
        cold_after = route_seconds("changes")
        for _ in range(CHANGES_WARMUP):
            curl([feed, "-H", "X-User-Id: feed"])
        before = route_seconds("changes")
        samples = [curl([feed, "-H", "X-User-Id: feed"]) for _ in range(RUNS)]
        after = route_seconds("changes")
        assert after[1] - before[1] == RUNS and cold_after[1] - cold_before[1] == RUNS, (before, after)
        assert all(s[0] == 200 for s in samples)
        gz = curl([feed, "-H", "X-User-Id: feed", "--compressed", "-D", str(work / "feed-headers.txt")])
        gzipped = "content-encoding: gzip" in (work / "feed-headers.txt").read_text().lower()
        body = len(sh(["curl", "-s", feed, "-H", "X-User-Id: feed"]).stdout.encode())
        return {"unchanged": median(unchanged), "merge_patch": median(merge_patch),
                "patch_bytes": patch.stat().st_size, "if_match": median(if_match), "plain": median(plain),
                "changes_s": median(s[1] for s in samples), "changes_server_s": (after[0] - before[0]) / RUNS,
                "changes_server_cold_s": (cold_after[0] - cold_before[0]) / RUNS, "changes_wire": samples[0][2],
                "changes_wire_gzip": gz[2] if gzipped else None, "changes_body": body, "day_size": day.stat().st_size,
                "xmx": xmx}
    finally:
        d.stop()


async def sse_listener(path, user, ready, seen):
    """One eventsource client over a raw socket: records when each version's event arrives."""
    import asyncio
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nX-User-Id: {user}\r\n"
                 f"Accept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
    if " 200 " not in head.split("\r\n", 1)[0] + " ":
        raise RuntimeError("eventsource answered " + head.split("\r\n", 1)[0])
    chunked = "transfer-encoding: chunked" in head
    ready.append(1)
    buf = b""
    try:
        while True:
            if chunked:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    return
                data = await reader.readexactly(size)
                await reader.readexactly(2)
            else:
                data = await reader.read(65536)
                if not data:
                    return
            buf = (buf + data).replace(b"\r\n", b"\n")
            while b"\n\n" in buf:
                event, buf = buf.split(b"\n\n", 1)
                lines = event.decode("utf-8").split("\n")
                if "event: change" in lines or "event:change" in lines:
                    for line in lines:
                        if line.startswith("data:"):
                            seen.setdefault(json.loads(line[5:])["version"], []).append(time.perf_counter())
    finally:
        writer.close()


def eventsource_figures(work):
    """200 listeners on one user's eventsource feed: how long each new version takes to reach all of them
    (from the moment its POST is sent), and the daemon's RSS growth from before they connected."""
    import asyncio
    small = work / "small.json"
    small.write_bytes(sh([sys.executable, str(BENCH / "gen_dataset.py"), "0.02"]).stdout.encode())
    doc = json.loads(small.read_text(encoding="utf-8"))
    d = Daemon(work / "listeners" / "data")
    d.data_dir.mkdir(parents=True)
    d.start()
    rounds = RUNS

    def post_version(n):
        doc["timestamp"] = f"2026-11-30T10:{n:02d}:00.000Z"
        doc["data"]["stock"][0]["qty"] = n  # a change in the data: the store takes a new timestamp alone as unchanged
        f = work / f"small-{n}.json"
        f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        code, body = curl_json(["-X", "POST", BASE + "/api/backup", "-H", "X-User-Id: es",
                                "-H", "Content-Type: application/json", "--data-binary", f"@{f}"])
        assert code == 201, code
        return body["version"]

    async def run():
        loop = asyncio.get_running_loop()
        for n in range(20):  # warm-up: the small-request path compiled before the RSS reading
            await loop.run_in_executor(None, post_version, n)
        latest = await loop.run_in_executor(None, post_version, 20)
        rss_before = rss_kb(d.proc.pid, "VmRSS")
        ready, seen = [], {}
        tasks = [asyncio.create_task(sse_listener(f"/api/changes?since={latest}&feed=eventsource", "es", ready, seen))
                 for _ in range(LISTENERS)]
        deadline = time.monotonic() + 60
        while len(ready) < LISTENERS:
            if any(t.done() for t in tasks):
                [t.result() for t in tasks if t.done()]  # raises the listener's error
                raise SystemExit("an eventsource listener ended before the first version")
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(ready)} of {LISTENERS} eventsource listeners connected in 60 s")
            await asyncio.sleep(0.01)
        delays, missed, posts = [], 0, []
        for r in range(rounds):
            sent = time.perf_counter()
            version = await loop.run_in_executor(None, post_version, 21 + r)
            posts.append(time.perf_counter() - sent)
            deadline = time.monotonic() + 30
            while len(seen.get(version, [])) < LISTENERS and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            got = seen.get(version, [])
            missed += LISTENERS - len(got)
            delays += [t - sent for t in got]
        rss_after = rss_kb(d.proc.pid, "VmRSS")
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return delays, missed, posts, rss_before, rss_after

    try:
        delays, missed, posts, rss_before, rss_after = asyncio.run(run())
    finally:
        d.stop()
    delays.sort()
    p99 = delays[max(0, int(len(delays) * 0.99) - 1)] if delays else float("nan")
    return {"rounds": rounds, "p99": p99, "p50": median(delays) if delays else float("nan"), "max": delays[-1] if delays else float("nan"),
            "missed": missed, "post": median(posts), "rss_growth": (rss_after - rss_before) / 1024, "rss_before": rss_before / 1024}


class PouchPeer:
    """bench/pouchdb-peer.js: a PouchDB server that counts the bytes crossing its sockets."""

    def __init__(self, directory):
        self.proc = subprocess.Popen(["node", str(BENCH / "pouchdb-peer.js"), str(directory)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{json.loads(self.proc.stdout.readline())['port']}/garage"

    def bytes(self):
        self.proc.stdin.write("bytes\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())["bytes"]

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def replica(*args):
    return json.loads(sh(["node", str(BENCH / "pouchdb-replica.js"), *map(str, args)]).stdout)


def pouchdb_figures(work, big, day):
    """A PouchDB server holding the base garage, one device's day written to it, and a second replica
    (seeded with the base and checkpointed) pulling that day: bytes both ways and time, medians of RUNS
    pulls, each from the same seeded copy."""
    peer = PouchPeer(mkdir(work / "pouch-server"))
    try:
        seeded = mkdir(work / "pouch-seeded")
        # the server's base and the replica's copy of it are loaded side by side (separate processes)
        seeding = subprocess.Popen(["node", str(BENCH / "pouchdb-replica.js"), "seed", str(seeded), str(big)],
                                   stdout=subprocess.PIPE, text=True)
        loaded = replica("load", peer.url, big)
        seed = json.loads(seeding.communicate()[0])
        assert seeding.returncode == 0 and seed["docCount"] == loaded["docCount"], (seed, loaded)
        replica("checkpoint", seeded, peer.url)
        edits = replica("day", peer.url, big, day)
        pulls, wires = [], []
        pristine = work / "pouch-pristine"
        shutil.copytree(seeded, pristine)
        for i in range(RUNS):
            shutil.rmtree(seeded)
            shutil.copytree(pristine, seeded)
            before = peer.bytes()
            pull = replica("catchup", seeded, peer.url)
            wires.append(peer.bytes() - before)
            assert pull["docCount"] == edits["expectedDocCount"], (pull, edits)
            assert pull["read"] == edits["updated"] + edits["inserted"] + edits["deleted"], (pull, edits)
            pulls.append(pull["ms"] / 1000)
        return {"docs": loaded["docCount"], "changed": pull["read"], "s": median(pulls), "wire": median(wires)}
    finally:
        peer.stop()


def ratio_words(peer, ours, fewer, more):
    r = peer / ours
    return f"{r:.1f}x {fewer}" if r >= 1 else f"{1 / r:.1f}x {more}"


def mkdir(p):
    p.mkdir(parents=True)
    return p


def devices_rows(work, big):
    es = eventsource_figures(work)
    inputs = devices_inputs(work, big)
    # the heap the rest of the bench gives the daemon first; a merge of 50 MB may need more
    try:
        f, short = devices_figures(work, inputs, "512m"), None
    except OutOfHeap as e:
        f, short = devices_figures(work, inputs, "2g"), str(e)
    pouch = pouchdb_figures(work, big, inputs["day"])
    mb = big.stat().st_size / 1e6
    gz = f["changes_wire_gzip"]
    heap = f" (daemon -Xmx{f['xmx']})" if f["xmx"] != "512m" else ""
    rows = []
    if short:
        rows.append(("a merge onto a 50 MB latest, daemon -Xmx512m", f"503 busy, out of heap ({short}): "
                     "the merge rows below and the /api/changes rows come from a daemon run again with -Xmx2g", "", ""))
    rows += [
        ("merge a 1%-day change-set onto a 50 MB latest (PATCH on a stale base)" + heap,
         f"{f['merge_patch']:.2f} s (change-set {f['patch_bytes'] / 1e3:.0f} KB)",
         f"re-POST of the unchanged 50 MB latest {f['unchanged']:.2f} s",
         f"{f['merge_patch'] / f['unchanged']:.1f}x the unchanged re-post (target ≤2x)"),
        ("POST 50 MB with If-Match on a stale base (merged)" + heap, f"{f['if_match']:.2f} s",
         f"plain POST of the same 50 MB {f['plain']:.2f} s",
         f"{f['if_match'] / f['plain']:.2f}x the plain POST (target ≤1.5x)"),
        ("GET /api/changes for a 1%-day" + heap, f"{f['changes_body'] / 1e3:.0f} KB body, "
         f"{f['changes_body'] / f['day_size'] * 100:.1f}% of the {mb:.1f} MB document (target ≤5%); "
         f"server time {f['changes_server_s'] * 1000:.0f} ms (target ≤50 ms; the daemon's own figure: "
         f"camel_route_policy_seconds of route changes, mean of {RUNS} after {CHANGES_WARMUP + RUNS + 1} unmeasured; "
         f"{f['changes_server_cold_s'] * 1000:.0f} ms for the {RUNS} right after the first, while the JIT compiles the diff); "
         f"{f['changes_s'] * 1000:.0f} ms client-side on loopback (median)",
         "", ""),
        (f"{LISTENERS} eventsource listeners, a new version posted ({es['rounds']} versions)",
         f"reaches all: p99 {es['p99'] * 1000:.0f} ms, median {es['p50'] * 1000:.0f} ms, max {es['max'] * 1000:.0f} ms"
         f"{'' if not es['missed'] else ', ' + str(es['missed']) + ' events never arrived'} (from the POST being sent; the POST itself took {es['post'] * 1000:.0f} ms, median); "
         f"daemon RSS growth {es['rss_growth']:.0f} MB (from {es['rss_before']:.0f} MB)", "",
         "targets: p99 < 1 s, RSS growth < 50 MB"),
        ("a second replica catches up a 1%-day (bytes both ways, headers included)",
         f"GET /api/changes: {f['changes_wire'] / 1e3:.0f} KB on the wire"
         + (f" ({gz / 1e3:.0f} KB with gzip)" if gz else " (not compressed: the daemon answered no gzip to Accept-Encoding)")
         + f", {f['changes_s']:.2f} s (the fetch, client-side)",
         f"PouchDB replica ({pouch['changed']} of {pouch['docs']} documents changed): "
         f"{pouch['wire'] / 1e3:.0f} KB on the wire (its server gzips), {pouch['s']:.2f} s (the pull, written to its leveldb)",
         f"{ratio_words(pouch['wire'], gz or f['changes_wire'], 'fewer bytes', 'more bytes')}"
         + (" (both gzip)" if gz else " (ours uncompressed)") + f", {faster(pouch['s'], f['changes_s'])} than PouchDB"),
    ]
    return rows


def devices_main():
    ensure_devices_tools()
    work = Path(tempfile.mkdtemp(prefix="gs-bench-devices-"))
    load = os.getloadavg()[0]
    try:
        big = work / "garage-50mb.json"
        big.write_bytes(sh([sys.executable, str(BENCH / "gen_dataset.py"), "49.5"]).stdout.encode())
        rows = devices_rows(work, big)
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
        node = sh(["node", "--version"]).stdout.strip()
        head = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()}: {os.cpu_count()} cores, "
                f"{platform.machine()}, {java}, node {node}, pouchdb 9.0.0 + express-pouchdb 4.2.0 (leveldb, express 4), "
                f"dataset {big.stat().st_size / 1e6:.1f} MB (bench/gen_dataset.py), one day = bench/edit_day.py; "
                f"devices section only (`--only devices`), medians of {RUNS} runs after one unmeasured, "
                f"daemon -Xmx512m unless a row says otherwise; load average at start {load:.1f}, "
                f"at end {os.getloadavg()[0]:.1f}.")
        write_results(head, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# Records (issue 12): history of one record over 1,000 versions against rebuilding each version, a diff
# of two 50 MB versions ten days apart against what an admin does today (restic dump of both snapshots and
# a JSON diff in Python), and a search over the 50 MB latest. Runs alone with --only records.
HISTORY_VERSIONS = int(os.environ.get("BENCH_RECORDS_VERSIONS", "1000"))
RECORDS_SMALL_MB = float(os.environ.get("BENCH_RECORDS_SMALL_MB", "5"))
RECORDS_BIG_MB = float(os.environ.get("BENCH_RECORDS_BIG_MB", "49.5"))
TRACKED_EVERY = 10  # the tracked customer is edited in one version out of ten


def bench_module(name):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Client:
    """One keep-alive HTTP connection to the daemon, as a user: (status, body, seconds) per request."""

    def __init__(self, user):
        import http.client
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        self.user = user

    def request(self, method, path, body=None):
        headers = {"X-User-Id": self.user}
        if body is not None:
            headers["Content-Type"] = "application/json"
        t = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, data, time.perf_counter() - t

    def ok(self, method, path, body=None, expected=(200, 201)):
        status, data, seconds = self.request(method, path, body)
        if status not in expected:
            raise SystemExit(f"{method} {path}: {status} {data[:300]!r}")
        return data, seconds


def json_diff(a, b):
    """What an admin scripts today: per collection, the ids inserted, updated and deleted between two backups."""
    out = {}
    for name in set(a["data"]) | set(b["data"]):
        x, y = a["data"].get(name), b["data"].get(name)
        if not isinstance(x, list) or not isinstance(y, list):
            continue
        xs = {json.dumps(e.get("id")): e for e in x if isinstance(e, dict)}
        ys = {json.dumps(e.get("id")): e for e in y if isinstance(e, dict)}
        out[name] = {"inserted": sorted(ys.keys() - xs.keys()), "deleted": sorted(xs.keys() - ys.keys()),
                     "updated": sorted(k for k in xs.keys() & ys.keys() if xs[k] != ys[k])}
    return out


def history_figures(work):
    """1,000 versions of a 5 MB garage, a few records edited a day and one customer in every tenth version."""
    gen, edit = bench_module("gen_dataset"), bench_module("edit_day")
    doc = gen.build(RECORDS_SMALL_MB)
    keep_all = [f"garagesync.retention.keep-{k}=0" for k in ("last", "hourly", "daily", "weekly", "monthly")]
    d = Daemon(mkdir(work / "records-history" / "data"), props=keep_all)
    d.start()
    try:
        c = Client("history")
        tracked = dict(doc["data"]["customers"][7])
        c.ok("POST", "/api/backup", json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())
        # the index is built on the first records request; from then on each backup is followed by it
        c.ok("GET", "/api/records/customers/c7/history")
        size = 0
        for v in range(2, HISTORY_VERSIONS + 1):
            edit.edit_day(doc, v, share=0.0005)
            if v % TRACKED_EVERY == 0:
                tracked["phone"] = f"06 00 00 {v // 100 % 100:02d} {v % 100:02d}"
            # the tracked customer changes only here: the day's random edits of it (or its deletion) are undone
            customers = doc["data"]["customers"]
            at = next((i for i, e in enumerate(customers) if e["id"] == "c7"), None)
            if at is None:
                customers.insert(7, dict(tracked))
            else:
                customers[at] = dict(tracked)
            body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
            size = len(body)
            c.ok("POST", "/api/backup", body)
        # the index follows each backup off the request's path: one history request catches up what is left
        c.ok("GET", "/api/records/customers/c7/history")
        times, entries = [], 0
        for _ in range(RUNS):
            data, t = c.ok("GET", "/api/records/customers/c7/history")
            times.append(t)
            entries = len(json.loads(data)["history"])
        assert entries == HISTORY_VERSIONS // TRACKED_EVERY + 1, entries
        # the same answer by rebuilding: each version fetched whole and the record looked up in it
        t = time.perf_counter()
        changes, before = 0, None
        for v in range(1, HISTORY_VERSIONS + 1):
            data, _ = c.ok("GET", f"/api/backup?version={v}")
            record = next((e for e in json.loads(data)["data"]["customers"] if e["id"] == "c7"), None)
            changes += record != before
            before = record
        rebuild = time.perf_counter() - t
        assert changes == entries, (changes, entries)
        return {"history": median(times), "entries": entries, "rebuild": rebuild, "size": size}
    finally:
        d.stop()


def diff_search_figures(work, env):
    """Eleven versions of the 50 MB garage, a working day of edits apart: diff, search, and the restic way."""
    gen, edit = bench_module("gen_dataset"), bench_module("edit_day")
    doc = gen.build(RECORDS_BIG_MB)
    records = sum(len(v) for v in doc["data"].values() if isinstance(v, list))
    files = []
    for day in range(11):
        if day:
            edit.edit_day(doc, day)
        f = work / f"records-day-{day}.json"
        f.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        files.append(f)
    keep_all = [f"garagesync.retention.keep-{k}=0" for k in ("last", "hourly", "daily", "weekly", "monthly")]
    d = Daemon(mkdir(work / "records-diff" / "data"), props=keep_all)
    d.start()
    try:
        c = Client("diff")
        for f in files:
            c.ok("POST", "/api/backup", f.read_bytes())
        first, _ = c.ok("GET", "/api/diff?from=1&to=11")  # builds the index: one pass over the 11 versions
        diffs = [c.ok("GET", "/api/diff?from=1&to=11")[1] for _ in range(RUNS)]
        answer = json.loads(first)
        changed = sum(len(k[kind]) for k in answer["collections"].values() for kind in ("inserted", "updated", "deleted"))
        with_records = [c.ok("GET", "/api/diff?from=1&to=11&records=true")[1] for _ in range(RUNS)]
        email = doc["data"]["customers"][len(doc["data"]["customers"]) // 2]["email"]
        plate = doc["data"]["vehicles"][-3]["plate"]
        _, search_cold = c.ok("GET", f"/api/records/customers?q={urllib.parse.quote(email)}")
        searches, found = [], 0
        for q, collection in ((email, "customers"), (plate.lower(), "vehicles"), ("zzz-nowhere", "customers")):
            for _ in range(RUNS):
                data, t = c.ok("GET", f"/api/records/{collection}?q={urllib.parse.quote(q)}")
                searches.append(t)
                found += len(json.loads(data)["records"])
        assert found >= 2 * RUNS, found
    finally:
        d.stop()
    # the peer: two restic snapshots of the same file, dumped back and compared in Python
    repo, target = work / "restic-records", work / "garage.json"
    subprocess.run(["restic", "init", "-q", "-r", str(repo)], env=env, check=True, capture_output=True)
    for f in (files[0], files[-1]):
        shutil.copyfile(f, target)
        subprocess.run(["restic", "backup", "-q", "-r", str(repo), str(target)], env=env, check=True, capture_output=True)
    snaps = sorted(json.loads(sh(["restic", "snapshots", "--json", "-q", "-r", str(repo)], env=env).stdout),
                   key=lambda s: s["time"])
    peers = []
    for _ in range(RUNS):
        t = time.perf_counter()
        docs = [json.loads(subprocess.run(["restic", "dump", "-q", "-r", str(repo), s["id"], str(target)], env=env,
                                          check=True, capture_output=True).stdout) for s in (snaps[0], snaps[-1])]
        peer_diff = json_diff(*docs)
        peers.append(time.perf_counter() - t)
    peer_changed = sum(len(k[kind]) for k in peer_diff.values() for kind in ("inserted", "updated", "deleted"))
    assert peer_changed == changed, (peer_changed, changed)
    return {"diff": median(diffs), "with_records": median(with_records), "changed": changed, "peer": median(peers),
            "search": median(searches), "search_max": max(searches), "search_cold": search_cold, "records": records,
            "size": files[-1].stat().st_size, "customers": len(doc["data"]["customers"])}


def records_rows(work):
    env = dict(os.environ, RESTIC_PASSWORD="bench")
    h = history_figures(work)
    f = diff_search_figures(work, env)
    return [
        (f"history of one record over {HISTORY_VERSIONS:,} versions of a {h['size'] / 1e6:.1f} MB garage "
         f"({h['entries']} entries: edited in every {TRACKED_EVERY}th version)",
         f"{h['history'] * 1000:.0f} ms (target ≤50 ms)",
         f"rebuilding: GET each version and look the record up, {h['rebuild']:.1f} s",
         f"{h['rebuild'] / h['history']:.0f}x faster than rebuilding (target ≥20x)"),
        (f"diff of two {f['size'] / 1e6:.1f} MB versions ten days apart ({f['changed']:,} records changed)",
         f"{f['diff'] * 1000:.0f} ms (target ≤300 ms); with before/after of every record {f['with_records']:.2f} s",
         f"restic dump of both snapshots + JSON diff in Python {f['peer']:.1f} s",
         f"{faster(f['peer'], f['diff'])} than restic + Python"),
        (f"search the 50 MB latest ({f['records']:,} records; customers {f['customers']:,}): an email, a plate, "
         "nothing found", f"{f['search'] * 1000:.0f} ms median, {f['search_max'] * 1000:.0f} ms max (target ≤100 ms); "
         f"first search after a new version {f['search_cold'] * 1000:.0f} ms", "", ""),
    ]


def records_main():
    ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="gs-bench-records-"))
    uptime = sh(["uptime"]).stdout.strip()
    overrides = " ".join(f"{k}={os.environ[k]}" for k in ("BENCH_RECORDS_VERSIONS", "BENCH_RECORDS_SMALL_MB",
                                                          "BENCH_RECORDS_BIG_MB") if k in os.environ)
    command = (overrides + " " if overrides else "") + "python3 bench/run.py " + " ".join(sys.argv[1:])
    try:
        rows = records_rows(work)
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
        restic = sh(["restic", "version"]).stdout.strip()
        head = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()}: {os.cpu_count()} cores, "
                f"{platform.machine()}, {java}, {restic}; records section only (`{command}`), "
                f"medians of {RUNS} runs after one unmeasured, daemon -Xmx512m; datasets bench/gen_dataset.py, "
                f"versions edited with bench/edit_day.py; `uptime` at start: {uptime}; "
                f"load average at end {os.getloadavg()[0]:.1f} (machine shared with other work).")
        write_results(head, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# Restore drill (issue 13): POST /api/drill of a 50 MB garage from an S3 target (s3proxy as its own process
# over a folder, reached through a counting TCP relay), against `restic check --read-data` of a restic
# repository holding the same file. Runs alone with --only drill.

DRILL_RUNS = 3  # measured drills (and restic checks), after one unmeasured
S3_BUCKET, S3_ACCESS, S3_SECRET = "garage-store", "bench-access", "bench-secret"
S3PROXY_VERSION = "4.1.0"
DRILL_MB = os.environ.get("BENCH_DRILL_MB", "49.5")  # smaller while debugging; the row is for 49.5 (50 MB)


def s3proxy_classpath():
    """s3proxy and its dependencies as Maven resolved them for the tests (cached in target/)."""
    cached = ROOT / "target" / "bench-s3proxy.classpath"
    if not cached.exists():
        subprocess.run(["mvn", "-B", "-q", "-o", "dependency:build-classpath", f"-Dmdep.outputFile={cached}",
                        "-Dmdep.includeScope=test"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    cp = cached.read_text().strip()
    if f"s3proxy-{S3PROXY_VERSION}.jar" not in cp:
        raise SystemExit(f"s3proxy {S3PROXY_VERSION} is not on the test classpath ({cached})")
    return cp


class S3ProxyServer:
    """s3proxy's own Main in its own JVM: a real S3 API over a filesystem blobstore, on a loopback port."""

    def __init__(self, directory):
        self.port = free_port()
        blobs = mkdir(directory / "blobs")
        mkdir(blobs / S3_BUCKET)  # the filesystem blobstore's bucket is a folder
        conf = directory / "s3proxy.conf"
        conf.write_text("\n".join([
            f"s3proxy.endpoint=http://127.0.0.1:{self.port}", "s3proxy.authorization=aws-v2-or-v4",
            f"s3proxy.identity={S3_ACCESS}", f"s3proxy.credential={S3_SECRET}",
            "jclouds.provider=filesystem-nio2", "jclouds.identity=unused", "jclouds.credential=unused",
            f"jclouds.filesystem.basedir={blobs}"]) + "\n")
        self.log = open(directory / "s3proxy.log", "w")
        # s3proxy's Main sends System.err to its logger, and slf4j-simple writes to System.err: without
        # logFile=System.out the two call each other until the stack overflows
        self.proc = subprocess.Popen(["java", "-Xmx512m", "-Dorg.slf4j.simpleLogger.logFile=System.out",
                                      "-cp", s3proxy_classpath(), "org.gaul.s3proxy.Main", "--properties", str(conf)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"s3proxy exited during start-up (see {directory / 's3proxy.log'})")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers (403 to an unsigned request): started
            except Exception:
                time.sleep(0.1)
        raise SystemExit("s3proxy did not answer in 120 s")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


class CountingRelay:
    """A TCP relay on a loopback port in front of the S3 server: counts the bytes the server sends back
    (HTTP headers included), which is what the drill reads from the target as the network sees it."""

    def __init__(self, upstream_port):
        import threading
        self.threading = threading
        self.upstream = upstream_port
        self.down = 0
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            self.threading.Thread(target=self.pump, args=(client, upstream, False), daemon=True).start()
            self.threading.Thread(target=self.pump, args=(upstream, client, True), daemon=True).start()

    def pump(self, src, dst, counted):
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
                if counted:
                    with self.lock:
                        self.down += len(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def bytes_down(self):
        with self.lock:
            return self.down

    def stop(self):
        self.server.close()


def drill_figures(work, big):
    key = work / "offsite.key"
    sh(["java", "-jar", str(JAR), "new-key", str(key)])
    s3 = S3ProxyServer(mkdir(work / "s3"))
    relay = CountingRelay(s3.port)
    t = "garagesync.target.offsite."
    d = Daemon(work / "drill" / "data", props=[
        f"{t}type=s3", f"{t}bucket={S3_BUCKET}", f"{t}endpoint=http://127.0.0.1:{relay.port}", f"{t}region=us-east-1",
        f"{t}access-key={S3_ACCESS}", f"{t}secret-key={S3_SECRET}", f"{t}path-style=true", f"{t}prefix=bench",
        "garagesync.sync.default-enabled=true", "garagesync.drill.interval=0", f"garagesync.encryption.key-file={key}"])
    d.data_dir.mkdir(parents=True)
    try:
        d.start()
        user = ["-H", "X-User-Id: drill"]
        code, _ = curl_time(["-X", "POST", BASE + "/api/backup", "-H", "Content-Type: application/json", *user,
                             "--data-binary", f"@{big}"])
        assert code == 201, code
        code, _ = curl_time(["-X", "POST", BASE + "/api/sync", *user])
        assert code == 202, code
        deadline = time.monotonic() + 600
        while True:
            status = json.loads(sh(["curl", "-s", BASE + "/api/sync/status", *user]).stdout)
            if status.get("offsite") == "ok" and status.get("waitingVersions") == 0:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the 50 MB version was not synced in 600 s: {status}")
            time.sleep(0.2)
        sent = relay.bytes_down()
        drills = []
        for i in range(DRILL_RUNS + 1):
            before = relay.bytes_down()
            t0 = time.perf_counter()
            out = sh(["curl", "-s", "-w", "\n%{http_code}", "-X", "POST", BASE + "/api/drill", *user]).stdout
            seconds = time.perf_counter() - t0
            body, code = out.rsplit("\n", 1)
            assert code == "200", (code, body)
            r = json.loads(body)["targets"]["offsite"]
            assert r["ok"] is True and not [p for p in r["problems"] if p.get("level") != "warning"], r
            if i:  # the first is not measured
                drills.append({"s": seconds, "daemon_ms": r["durationMillis"], "read": r["bytesRead"],
                               "wire": relay.bytes_down() - before, "warnings": len(r["problems"]), "version": r["version"]})
    finally:
        d.stop()
        relay.stop()
        s3.stop()
    objects = [f for f in (work / "s3" / "blobs").rglob("*") if f.is_file()]
    stored = sum(f.stat().st_size for f in objects)
    # "encrypted" in the row is checked, not assumed: no object on the target is a stored version (GSV1
    # header), a zstd frame or JSON
    plain = [f.name for f in objects if f.read_bytes()[:4] in (b"GSV1", b"\x28\xb5\x2f\xfd") or f.read_bytes()[:1] == b"{"]
    assert objects and not plain, f"objects on the target not encrypted: {plain}"

    # the peer: restic's own proof that its repository is intact, every pack read back
    env = dict(os.environ, RESTIC_PASSWORD="bench")
    repo = work / "restic-drill"
    subprocess.run(["restic", "init", "-q", "-r", str(repo)], env=env, check=True, capture_output=True)
    subprocess.run(["restic", "backup", "-q", "-r", str(repo), str(big)], env=env, check=True, capture_output=True)
    checks = []
    for i in range(DRILL_RUNS + 1):
        t0 = time.perf_counter()
        subprocess.run(["restic", "check", "--read-data", "-q", "-r", str(repo)], env=env, check=True, capture_output=True)
        if i:
            checks.append(time.perf_counter() - t0)
    packs = sum(f.stat().st_size for f in (repo / "data").rglob("*") if f.is_file())
    repo_size = sum(f.stat().st_size for f in repo.rglob("*") if f.is_file())
    return {"s": median([x["s"] for x in drills]), "daemon_ms": median([x["daemon_ms"] for x in drills]),
            "read": median([x["read"] for x in drills]), "wire": median([x["wire"] for x in drills]),
            "warnings": drills[-1]["warnings"], "version": drills[-1]["version"], "sync_wire": sent, "stored": stored,
            "all_s": [x["s"] for x in drills], "restic": median(checks), "restic_all": checks, "packs": packs,
            "repo": repo_size}


def drill_rows(work, big):
    f = drill_figures(work, big)
    runs = ", ".join(f"{x:.2f}" for x in f["all_s"])
    restic_runs = ", ".join(f"{x:.2f}" for x in f["restic_all"])
    return [(
        f"restore drill of a {big.stat().st_size / 1e6:.1f} MB garage from an S3 target (POST /api/drill; s3proxy "
        f"{S3PROXY_VERSION} as its own process over a folder, loopback; encrypted off-site copy)",
        f"{f['s']:.2f} s (runs {runs} s; the daemon's durationMillis {f['daemon_ms']:.0f} ms); bytesRead "
        f"{f['read'] / 1e6:.2f} MB, s3proxy sent {f['wire'] / 1e6:.2f} MB (HTTP included, index read too); proves "
        f"the latest version ({f['version']}) rebuilt from the target, decrypted, hash-compared with what was sent, "
        f"meaning checks run ({f['warnings']} warnings)",
        f"restic check --read-data {f['restic']:.2f} s (runs {restic_runs} s) of a repository holding the same file, "
        f"on local disk (no network), {f['packs'] / 1e6:.2f} MB of packs ({f['repo'] / 1e6:.2f} MB repository); "
        "proves every pack's bytes read, decrypted and checked",
        f"{faster(f['restic'], f['s'])} than restic check --read-data"),
    ]


def drill_main():
    ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="gs-bench-drill-"))
    uptime = sh(["uptime"]).stdout.strip()
    override = f"BENCH_DRILL_MB={DRILL_MB} " if "BENCH_DRILL_MB" in os.environ else ""
    command = override + "python3 bench/run.py " + " ".join(sys.argv[1:])
    try:
        big = work / "garage.json"
        big.write_bytes(sh([sys.executable, str(BENCH / "gen_dataset.py"), DRILL_MB]).stdout.encode())
        rows = drill_rows(work, big)
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
        restic = sh(["restic", "version"]).stdout.strip()
        head = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()}: {os.cpu_count()} cores, "
                f"{platform.machine()}, {java}, {restic}, s3proxy {S3PROXY_VERSION}; drill section only (`{command}`), "
                f"medians of {DRILL_RUNS} runs after one unmeasured; daemon -Xmx512m, one S3 target, "
                f"garagesync.encryption.key-file set; dataset bench/gen_dataset.py {DRILL_MB}; `uptime` at start: {uptime}; "
                f"load average at end {os.getloadavg()[0]:.1f} (machine shared with other work).")
        write_results(head, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# Ingest (issue 14, part A): the first 50 MB POST of a new user on a running daemon started with the
# README's command (no JVM flags; port and data directory from the environment), against `restic backup`
# of the same file and the floor (zstd -1 + write + fsync, plus a streaming parse of the file by jq).
# Peak RSS from /proc (VmHWM) around one POST on a fresh daemon; bytes allocated by all threads during
# that POST from JFR's per-thread allocation counters. Runs alone with --only ingest.

INGEST_RUNS = 3


def allocated_by_threads(jfr_file):
    """Bytes allocated between the first and last jdk.ThreadAllocationStatistics sample of each thread."""
    out = sh(["jfr", "print", "--json", "--events", "jdk.ThreadAllocationStatistics", str(jfr_file)]).stdout
    first, last = {}, {}
    for e in json.loads(out)["recording"]["events"]:
        v = e["values"]
        tid = (v.get("thread") or {}).get("javaThreadId", v.get("thread"))
        key = json.dumps(tid, sort_keys=True)
        first.setdefault(key, v["allocated"])
        last[key] = v["allocated"]
    return sum(last[k] - first[k] for k in last)


def ingest_main():
    ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="gs-bench-ingest-"))
    uptime = sh(["uptime"]).stdout.strip()
    command = "python3 bench/run.py " + " ".join(sys.argv[1:])
    try:
        big = work / "garage.json"
        big.write_bytes(sh([sys.executable, str(BENCH / "gen_dataset.py"), "49.5"]).stdout.encode())
        mb = big.stat().st_size / 1e6
        env = dict(os.environ, CAMEL_SERVER_PORT=str(PORT), GARAGESYNC_DATA_DIR=str(work / "data"))

        def start():
            shutil.rmtree(work / "data", ignore_errors=True)
            (work / "data").mkdir()
            proc = subprocess.Popen(["java", "-jar", str(JAR)], env=env, cwd=work,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(BASE + "/api/health", timeout=1) as r:
                        if r.status == 200:
                            return proc
                except Exception:
                    if proc.poll() is not None:
                        raise SystemExit("daemon exited during start-up")
                    time.sleep(0.05)
            raise SystemExit("daemon did not start in 120 s")

        def stop(proc):
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)

        def post(user):
            code, t = curl_time(["-X", "POST", BASE + "/api/backup", "-H", "Content-Type: application/json",
                                 "-H", f"X-User-Id: {user}", "--data-binary", f"@{big}"])
            assert code == 201, code
            return t

        # peak RSS and allocation of one 50 MB POST on a fresh daemon (what a small box sees after a restart)
        proc = start()
        rss_before = rss_kb(proc.pid, "VmRSS") / 1024
        first_post = post("fresh")
        peak = rss_kb(proc.pid, "VmHWM") / 1024
        stop(proc)
        # the allocation on another fresh daemon: JFR's own buffers would count in the RSS above
        proc = start()
        jfr = work / "ingest.jfr"
        sh(["jcmd", str(proc.pid), "JFR.start", "name=ingest", "settings=default"])
        post("fresh")
        sh(["jcmd", str(proc.pid), "JFR.dump", "name=ingest", f"filename={jfr}"])
        allocated = allocated_by_threads(jfr) / 1e6
        # the first 50 MB POST of a new user on a daemon that has already stored some (one unmeasured)
        post("warm")
        firsts = [post(f"new{i}") for i in range(INGEST_RUNS)]
        # three 50 MB backups of three new users at once, at the default settings (body memory, threads)
        rss_three = rss_kb(proc.pid, "VmRSS") / 1024
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            t = time.perf_counter()
            three = list(pool.map(lambda i: curl_time(["-X", "POST", BASE + "/api/backup", "-H",
                                                        "Content-Type: application/json", "-H", f"X-User-Id: three{i}",
                                                        "--data-binary", f"@{big}"]), range(3)))
            three_wall = time.perf_counter() - t
        three_peak = rss_kb(proc.pid, "VmHWM") / 1024
        stop(proc)

        renv = dict(os.environ, RESTIC_PASSWORD="bench")
        restic, floor = [], []
        for i in range(INGEST_RUNS):
            repo = work / f"restic-{i}"
            subprocess.run(["restic", "init", "-q", "-r", str(repo)], env=renv, check=True, capture_output=True)
            t = time.perf_counter()
            subprocess.run(["restic", "backup", "-q", "-r", str(repo), str(big)], env=renv, check=True, capture_output=True)
            restic.append(time.perf_counter() - t)
            out = work / f"floor-{i}.zst"
            floor.append(timed(f"jq empty {big} && zstd -1 -q -c {big} > {out} && sync {out}"))
        s, rb, fl = median(firsts), median(restic), median(floor)
        rows = [("first 50 MB POST of a new user (running daemon)", f"{s:.2f} s, {mb / s:.0f} MB/s",
                 f"restic backup {rb:.2f} s; floor jq empty + zstd -1 + write + fsync {fl:.2f} s",
                 f"{faster(rb, s)} than restic; {s / fl:.1f}x the floor"),
                ("peak RSS storing one 50 MB backup (README command, fresh daemon)",
                 f"{peak:.0f} MB (RSS {rss_before:.0f} MB before; that POST {first_post:.2f} s)", "", "target <= 250 MB"),
                ("bytes allocated by the daemon's threads during that POST (JFR)", f"{allocated:.0f} MB "
                 f"({allocated / mb:.1f}x the body)", "", ""),
                ("three 50 MB POSTs of new users at once (default settings)",
                 f"statuses {' '.join(str(c) for c, _ in three)}; all done in {three_wall:.2f} s "
                 f"(each {', '.join(f'{x:.2f}' for _, x in three)} s); daemon RSS {rss_three:.0f} MB before, "
                 f"peak {three_peak:.0f} MB since start", "", "target: no 503")]
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
        restic_v = sh(["restic", "version"]).stdout.strip()
        head = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()}: {os.cpu_count()} cores, "
                f"{platform.machine()}, {java}, {restic_v}; ingest section only (`{command}`), medians of {INGEST_RUNS} "
                f"runs after one unmeasured; daemon started with the README's command (no JVM flags); dataset "
                f"bench/gen_dataset.py 49.5 ({mb:.1f} MB); `uptime` at start: {uptime}; "
                f"load average at end {os.getloadavg()[0]:.1f} (machine shared with other work).")
        write_results(head, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_results(head, rows):
    table = ["| measure | garage-sync | peers | ratio |", "| --- | --- | --- | --- |"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = head + "\n\n" + "\n".join(table) + "\n"
    print(text)
    results = ROOT / "bench" / "RESULTS.md"
    header = "# Benchmark results\n\nNewest run first. Produced by `python3 bench/run.py`.\n"
    old = results.read_text() if results.exists() else header
    earlier = old[len(header):] if old.startswith(header) else old
    results.write_text(header + "\n## " + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()) + "\n\n" + text + earlier)


if __name__ == "__main__":
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    if only == "devices":
        devices_main()
    elif only == "records":
        records_main()
    elif only == "drill":
        drill_main()
    elif only == "ingest":
        ingest_main()
    elif only:
        raise SystemExit(f"--only {only}: the sections that run alone are devices, records, drill and ingest")
    else:
        main()
