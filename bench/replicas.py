"""Read replicas benchmark: the same tile/items mix against one primary, then against the
primary plus one hot standby (reads routed there), `kasane serve` on loopback. Prints req/s,
p50/p90/p99, non-2xx and how many reads each database answered.

    .venv/bin/python bench/replicas.py [--seconds 15] [--connections 50] [--workers 2]

Bounded (two wrk runs of --seconds, about two minutes with loading) and loopback only. The
response cache is off (KASANE_CACHE_MB=0) so that every request reads the database. On one
machine primary, standby, gunicorn and wrk share the same cores: the figures show that routing
costs nothing and answers stay right, not what a second host adds (see docs/scaling-out.md).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from residents import run_wrk  # noqa: E402
from surge import paths, prepare  # noqa: E402

from gis.platform import provision  # noqa: E402
from gis.platform import standby as standbys  # noqa: E402
from gis.platform.databases import sibling_url  # noqa: E402
from gis.platform.db import connect  # noqa: E402
from gis.platform.settings import load_settings  # noqa: E402

DB_NAME = "kasane_bench_surge"
SCRATCH = Path("/tmp/kasane-bench-replicas")


def a_standby() -> tuple[str, dict[str, int]]:
    """The URL (server part) of a running standby of the private cluster, made if need be,
    and the postmaster process ids of the primary and the standby."""
    home = load_settings().home
    cluster = provision.up(home)
    found = standbys.standbys(home)
    for item in found:
        standbys.start(cluster, item)
    item = found[0] if found else standbys.add(home)[0]
    pids = {"primary": postmaster(cluster.data_dir), "standby": postmaster(item.data_dir)}
    return item.url(cluster), pids


def wait_replayed(primary: str, replica: str) -> None:
    with connect(primary) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    for _ in range(600):
        with connect(replica) as conn:
            done = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (row[0],))
            if (done.fetchone() or [False])[0]:
                return
        time.sleep(0.1)
    raise SystemExit("the standby did not catch up within a minute")


def cpu_s(root: int) -> float:
    """CPU seconds of a process and its children, live or exited (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid: int) -> list[str]:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return []
        return text.rsplit(")", 1)[1].split()

    def own(fields: list[str], waited: bool) -> float:
        if not fields:
            return 0.0
        used = int(fields[11]) + int(fields[12])  # utime, stime
        return (used + (int(fields[13]) + int(fields[14]) if waited else 0)) / tick

    total = own(stat(root), True)
    for child in Path(f"/proc/{root}/task/{root}/children").read_text().split():
        total += own(stat(int(child)), True)
    return total


def postmaster(data_dir: str) -> int:
    return int(Path(data_dir, "postmaster.pid").read_text().split()[0])


def reads(base: str) -> dict[str, float]:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        m.group(1): float(m.group(2))
        for m in re.finditer(r'^kasane_database_reads_total\{on="([^"]+)"\} (\S+)', text, re.M)
    }


def run(url: str, replica: str | None, path_file: Path, a: argparse.Namespace) -> list[str]:
    env = {**os.environ, "KASANE_DATABASE_URL": url, "KASANE_BASEMAP_URL": "",
           "KASANE_CACHE_MB": "0", "KASANE_DATABASE_REPLICA_URLS": replica or ""}  # fmt: skip
    log = (SCRATCH / "server.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "kasane", "serve", "--host", "127.0.0.1", "--port", str(a.port),
         "--workers", str(a.workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{a.port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"kasane serve stopped: see {SCRATCH}/server.log") from None
                time.sleep(0.2)
        for p in path_file.read_text().split()[:20]:
            with urllib.request.urlopen(base + p, timeout=30) as response:
                assert response.status in (200, 204), p
        roots = {"gunicorn": server.pid, **a.postgres}
        before = {k: cpu_s(pid) for k, pid in roots.items()}
        f = run_wrk(base, path_file, a.seconds, a.connections)
        spent = {k: cpu_s(pid) - before[k] for k, pid in roots.items()}
        counted = reads(base)
    finally:
        server.terminate()
        server.wait(timeout=30)
    where = ", ".join(f"{k} {int(v)}" for k, v in sorted(counted.items()))
    label = "primary + 1 standby" if replica else "primary only"
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in spent.items())
    return [f"{label:<20} {f.get('50%', '?'):>9} {f.get('90%', '?'):>9} {f.get('99%', '?'):>9}"
            f" {f['req/s']:>9} {f['non-2xx']:>8}  {where}",
            f"{'':<20} CPU seconds: {cpu}"]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=18051)
    a = ap.parse_args()
    started = time.monotonic()
    replica_server, a.postgres = a_standby()
    url = prepare()
    replica = sibling_url(replica_server, DB_NAME)
    wait_replayed(url, replica)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    mix = [p for p in paths(url, 3000) if not p.startswith("/api/")]  # tiles and items only
    path_file = SCRATCH / "paths.txt"
    path_file.write_text("\n".join(mix) + "\n")
    try:
        rows = run(url, None, path_file, a) + run(url, replica, path_file, a)
    finally:
        with connect(sibling_url(url, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    print(f"\nreplicas: {a.connections} connections, {a.seconds} s each, {a.workers} gunicorn"
          f" workers, tiles and items on the demo data, response cache off ({os.cpu_count()}"
          f" cores shared by all)")  # fmt: skip
    print(f"{'':<20} {'p50':>9} {'p90':>9} {'p99':>9} {'req/s':>9} {'non-2xx':>8}  reads by")
    print("\n".join(rows))
    print(f"(whole run {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
