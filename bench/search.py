"""Search benchmark: import of a 300,000-block gazetteer, then GET /api/search under load.

Two gazetteers, each in the real 位置参照情報 format (CP932, quoted, CRLF) and loaded with
`kasane load addresses` into a database of its own: the demo's (etl/demo_data/addresses.py) and a
generated one of 300,000 blocks (60 municipalities x 100 towns x 50 blocks, with 丁目). For each,
`kasane serve` (2 workers) answers 50 concurrent keep-alive clients (asyncio, in this process)
asking block addresses typed in varied ways (widths, 丁目/番 or hyphens, kanji numerals) for
--seconds; latency percentiles and throughput are printed. The first search of each worker builds
its index (timed separately, not in the figures).

    .venv/bin/python bench/search.py [--seconds 15] [--clients 50] [--blocks 300000]

Figures are noisy on a shared 2-core machine (PostgreSQL, gunicorn and the clients share it).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.demo_data.addresses import BLOCK_HEADER, block_rows, demo_address_files  # noqa: E402
from gis.platform import provision  # noqa: E402
from gis.platform.databases import create_sibling, drop_sibling  # noqa: E402
from gis.platform.settings import load_settings  # noqa: E402

KANJI = "東西南北上下中本新大小川山田野原岡松竹梅桜若宮森島浜港寺沢谷橋"
NUMERALS = "〇一二三四五六七八九"


def kanji_number(n: int) -> str:
    if n < 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


def big_gazetteer(blocks: int, seed: int = 7) -> tuple[bytes, list[str]]:
    """A 街区レベル CSV of ``blocks`` rows, and queries for blocks of it (varied spellings)."""
    rng = random.Random(seed)
    cities, towns_per_city, per_town = 60, 100, max(1, blocks // 6000)
    rows, queries = [], []
    for c in range(cities):
        city = "".join(rng.choice(KANJI) for _ in range(2)) + f"{c}市"
        for t in range(towns_per_city):
            base = "".join(rng.choice(KANJI) for _ in range(2)) + "町"
            chome = t % 9 + 1
            town = f"{base}{t // 9}{kanji_number(chome)}丁目"
            lon, lat = 130.8 + c * 0.02, 33.9 + t * 0.003
            for b in range(1, per_town + 1):
                y = f"{lat + b * 1e-5:.6f}"
                rows.append(["山口県", city, town, "", str(b), "3", "0.0", "0.0", y,
                             f"{lon:.6f}", "1", "1", "0", "0"])  # fmt: skip
            if t % 7 == 0:
                b = rng.randint(1, per_town)
                written = f"{base}{t // 9}"
                queries += [f"{city}{written}{chome}-{b}", f"{written}{chome}丁目{b}番",
                            f"{city}{written}{kanji_number(chome)}丁目{b}"]  # fmt: skip
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([list(BLOCK_HEADER), *rows[:blocks]])
    return text.getvalue().encode("cp932"), queries


def demo_queries() -> list[str]:
    out = []
    for row in block_rows():
        city, town, block = row[1], row[2], row[4]
        out += [f"{city}{town}{block}", f"{town}{block}番地"]
    return [*out, "中央2-3", "湯田", "ちゅうおう", "山口駅", "防府"]


def kasane(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KASANE_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "kasane", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)


async def _client(host: str, port: int, paths: list[str], until: float, out: list[float]) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    errors, i = 0, random.randrange(len(paths))
    while time.perf_counter() < until:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )  # fmt: skip
        await reader.readexactly(length)
        out.append(time.perf_counter() - started)
        errors += not head.startswith(b"HTTP/1.1 200")
    writer.close()
    return errors


async def _drive(
    base: str, paths: list[str], clients: int, seconds: float
) -> tuple[list[float], int]:
    parts = urllib.parse.urlsplit(base)
    until = time.perf_counter() + seconds
    times: list[float] = []
    errors = await asyncio.gather(
        *(
            _client(parts.hostname or "", parts.port or 80, paths, until, times)
            for _ in range(clients)
        )
    )
    return times, sum(errors)


def measure(label: str, url: str, queries: list[str], a: argparse.Namespace) -> None:
    paths = ["/api/search?limit=8&q=" + urllib.parse.quote(q) for q in queries]
    env = {**os.environ, "KASANE_DATABASE_URL": url, "KASANE_BASEMAP_URL": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "kasane", "serve", "--port", str(a.port), "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{a.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        started = time.monotonic()
        for _ in range(8):  # reach both workers: each builds its index on its first search
            urllib.request.urlopen(base + paths[0], timeout=120).read()
        built = time.monotonic() - started
        times, errors = asyncio.run(_drive(base, paths, a.clients, a.seconds))
    finally:
        server.terminate()
        server.wait()
    times.sort()

    def pct(p: float) -> str:
        return f"{times[min(len(times) - 1, int(p / 100 * len(times)))] * 1000:.1f} ms"

    print(f"\n{label}: {len(queries)} distinct queries, {a.clients} clients, {a.seconds:.0f} s")
    print(f"  first searches (index built in each worker): {built:.1f} s")
    print(f"  requests {len(times)}, {len(times) / a.seconds:.0f}/s, non-200 {errors}")
    print(f"  p50 {pct(50)}  p90 {pct(90)}  p99 {pct(99)}  max {pct(100)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--blocks", type=int, default=300_000)
    ap.add_argument("--port", type=int, default=18041)
    a = ap.parse_args()
    cluster = provision.up(load_settings().home)
    for name, label in (("kasane_bench_search_demo", "demo"), ("kasane_bench_search_big", "big")):
        drop_sibling(cluster.url, name)
        url = create_sibling(cluster.url, name)
        with tempfile.TemporaryDirectory(prefix="kasane-bench-search-") as scratch:
            if label == "demo":
                paths = []
                for file_name, data in demo_address_files().items():
                    paths.append(Path(scratch) / file_name)
                    paths[-1].write_bytes(data)
                kasane(url, "load", "addresses", *map(str, paths))
                measure("demo gazetteer", url, demo_queries(), a)
            else:
                data, queries = big_gazetteer(a.blocks)
                path = Path(scratch) / "35_2023.csv"
                path.write_bytes(data)
                started = time.monotonic()
                out = kasane(url, "load", "addresses", str(path))
                took = time.monotonic() - started
                print(f"\nimport of {a.blocks:,} blocks ({len(data) / 1e6:.1f} MB CP932 CSV) with"
                      f" `kasane load addresses`: {took:.1f} s")  # fmt: skip
                print("  " + out.stdout.strip().splitlines()[0])
                measure(f"{a.blocks:,}-block gazetteer", url, queries, a)
        drop_sibling(cluster.url, name)


if __name__ == "__main__":
    main()
