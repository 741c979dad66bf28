"""A bounded asyncio load generator: N clients, each sending one request at a time for a fixed time."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

import httpx


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    requests: int
    errors: int
    latencies_ms: list[float]

    def summary(self) -> dict[str, float]:
        lat = sorted(self.latencies_ms) or [float("nan")]

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 3)

        return {"concurrency": self.concurrency, "requests": self.requests, "errors": self.errors,
                "rps": round(self.requests / self.seconds, 1), "p50_ms": pct(50), "p95_ms": pct(95),
                "p99_ms": pct(99)}


async def _client(client: httpx.AsyncClient, url: str, bodies, deadline: float, out: LoadResult) -> None:
    while time.perf_counter() < deadline:
        body = next(bodies)
        t = time.perf_counter()
        try:
            r = await client.post(url, json=body)
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
        out.latencies_ms.append((time.perf_counter() - t) * 1000)
        out.requests += 1
        out.errors += not ok


async def drive(url: str, bodies: list[dict], concurrency: int, seconds: float, warmup: float = 1.0) -> LoadResult:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        cycle = itertools.cycle(bodies)
        if warmup:
            scratch = LoadResult(concurrency, warmup, 0, 0, [])
            end = time.perf_counter() + warmup
            await asyncio.gather(*(_client(client, url, cycle, end, scratch) for _ in range(concurrency)))
        result = LoadResult(concurrency, seconds, 0, 0, [])
        start = time.perf_counter()
        await asyncio.gather(*(_client(client, url, cycle, start + seconds, result) for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
        return result
