"""An efficient closed-loop HTTP load generator for the benchmarks: asyncio + aiohttp, in one
or several processes, with keep-alive connections as browsers keep them (or a new connection
per request, to measure what connection setup costs).

Each of the `clients` is a loop: send a request, read the whole response, record the
latency, send the next one (no think time). Clients are spread over `processes` forked
processes, each with its own event loop and connection pool of at most its clients' number
of connections; all start at the same instant and stop after `seconds`. The processes report
their own CPU time, so the figures say how much of the machine the load generator took.

Nothing here imports Django.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

Paths = str | Callable[[random.Random], str]


@dataclass
class LoadResult:
    latencies: list[float]  # seconds, responses with status 200
    statuses: dict[int, int]  # status → count (0: a connection error or a timeout)
    cache: dict[str, int]  # X-Cache-Status header (nginx) → count
    wall_s: float
    client_cpu_s: float
    connections_opened: int

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def per_s(self) -> float:
        return self.ok / self.wall_s if self.wall_s else 0.0


async def _run(
    base: str,
    paths: Paths,
    clients: list[int],
    start_at: float,
    stop_at: float,
    keepalive: bool,
    timeout_s: float,
    headers: dict[str, str],
    seed: str,
):
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    cache: dict[str, int] = {}
    opened = [0]

    async def on_connection(session, context, params) -> None:
        opened[0] += 1

    tracing = aiohttp.TraceConfig()
    tracing.on_connection_create_end.append(on_connection)
    connector = aiohttp.TCPConnector(limit=len(clients), force_close=not keepalive)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(
        base,
        connector=connector,
        timeout=timeout,
        headers=headers,
        auto_decompress=False,
        trace_configs=[tracing],
    ) as session:

        async def client(n: int) -> None:
            rng = random.Random(f"{seed}:{n}")
            await asyncio.sleep(max(0.0, start_at - time.time()))
            while time.time() < stop_at:
                path = paths(rng) if callable(paths) else paths
                began = time.perf_counter()
                try:
                    async with session.get(path) as response:
                        await response.read()
                        status = response.status
                        hit = response.headers.get("X-Cache-Status")
                except (aiohttp.ClientError, TimeoutError):
                    status, hit = 0, None
                elapsed = time.perf_counter() - began
                statuses[status] = statuses.get(status, 0) + 1
                if hit:
                    cache[hit] = cache.get(hit, 0) + 1
                if status == 200:
                    latencies.append(elapsed)

        await asyncio.gather(*(client(n) for n in clients))
    return latencies, statuses, cache, opened[0]


def _child(conn, base, paths, clients, start_at, stop_at, keepalive, timeout_s, headers, seed):
    began = os.times()
    try:
        result = asyncio.run(
            _run(base, paths, clients, start_at, stop_at, keepalive, timeout_s, headers, seed)
        )
        ended = os.times()
        cpu = (ended.user - began.user) + (ended.system - began.system)
        conn.send(("ok", (*result, cpu)))
    except BaseException as error:  # report it to the parent rather than hang it
        conn.send(("error", repr(error)))
    finally:
        conn.close()


def closed_loop(
    host: str,
    port: int,
    paths: Paths,
    *,
    seconds: float,
    clients: int,
    processes: int = 1,
    keepalive: bool = True,
    timeout_s: float = 60,
    headers: dict[str, str] | None = None,
    seed: str = "",
) -> LoadResult:
    """`clients` closed-loop clients for `seconds` against http://host:port. `paths` is a path
    or a function of a per-client random generator giving one (it may be a closure: the
    processes are forked, nothing is pickled but the results). Each client's generator is
    seeded with `seed` and its number: give each measurement its own seed, or a second run
    asks for the very URLs the first one left in a cache."""
    processes = max(1, min(processes, clients))
    headers = {"Accept": "application/json", **(headers or {})}
    context = multiprocessing.get_context("fork")
    base = f"http://{host}:{port}"
    start_at = time.time() + 0.3 + 0.05 * processes  # every process ready before it
    stop_at = start_at + seconds
    children = []
    for index in range(processes):
        mine = list(range(index, clients, processes))
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(send, base, paths, mine, start_at, stop_at, keepalive, timeout_s, headers, seed),
            daemon=True,
        )
        process.start()
        send.close()
        children.append((process, receive))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    cache: dict[str, int] = {}
    cpu = 0.0
    opened = 0
    errors = []
    for process, receive in children:
        try:
            kind, payload = receive.recv()
        except EOFError:
            kind, payload = "error", f"load process {process.pid} died"
        process.join()
        if kind == "error":
            errors.append(payload)
            continue
        lat, st, hits, conns, child_cpu = payload
        latencies += lat
        for key, value in st.items():
            statuses[key] = statuses.get(key, 0) + value
        for key, value in hits.items():
            cache[key] = cache.get(key, 0) + value
        cpu += child_cpu
        opened += conns
    if errors:
        raise RuntimeError("load generator failed: " + "; ".join(errors))
    wall = max(time.time(), stop_at) - start_at
    return LoadResult(latencies, statuses, cache, round(wall, 3), round(cpu, 2), opened)
