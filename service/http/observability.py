"""Prometheus metrics for one app: per-route request counts and latencies, pipeline step latencies, index gauges.

Each app gets its own CollectorRegistry (tests build many apps in one process). Routes are labelled by their
template (`/v1/documents/{doc_id:path}`), never the raw path, so a scan of URLs cannot blow up the label set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.logs import route_template

REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STEP_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """The app's metrics; `registry` is what GET /metrics renders."""

    def __init__(self, index_state: Callable[[], Any | None]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("briefqa_http_requests", "HTTP requests by route template, method and status.",
                                ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram("briefqa_http_request_duration_seconds", "HTTP request latency by route template.",
                                 ("method", "route", "status"), buckets=REQUEST_BUCKETS, registry=self.registry)
        self.steps = Histogram("briefqa_pipeline_step_duration_seconds",
                               "Latency of each query pipeline step (embed, retrieve, rerank, answer).",
                               ("step",), buckets=STEP_BUCKETS, registry=self.registry)
        self.registry.register(IndexCollector(index_state))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def observe_steps(self, timings_ms: Mapping[str, float]) -> None:
        """Record an answer's `timings_ms` (milliseconds) as seconds per step."""
        for step, ms in timings_ms.items():
            self.steps.labels(step).observe(ms / 1000.0)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class IndexCollector(Collector):
    """Gauges read at scrape time from the engine currently serving, so a reload shows up at once."""

    def __init__(self, index_state: Callable[[], Any | None]) -> None:
        self.index_state = index_state

    def collect(self) -> Iterator[Any]:
        index = self.index_state()
        loaded = GaugeMetricFamily("briefqa_index_loaded", "1 when an index is loaded and serving, else 0.")
        loaded.add_metric([], 1.0 if index is not None else 0.0)
        yield loaded
        if index is None:
            return
        info = InfoMetricFamily("briefqa_index", "The index build being served.")
        model = index.manifest.get("model") or {}
        info.add_metric([], {"version": index.version, "model": str(model.get("id", "") if isinstance(model, dict) else model)})
        yield info
        docs = GaugeMetricFamily("briefqa_index_documents", "Documents in the index being served.")
        docs.add_metric([], float(index.manifest["counts"]["documents"]))
        yield docs
        chunks = GaugeMetricFamily("briefqa_index_chunks", "Passages (chunks) in the index being served.")
        chunks.add_metric([], float(index.chunk_count))
        yield chunks


class MetricsMiddleware:
    """Pure ASGI middleware: times every HTTP request and labels it with the route that matched."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        start, root = time.perf_counter(), scope.get("root_path", "")
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.observe_request(scope["method"], route_template(scope, root), status["code"],
                                         time.perf_counter() - start)


def metrics_of(request: Request) -> Metrics:
    return request.app.state.metrics


def install_metrics(app: FastAPI, index_state: Callable[[], Any | None]) -> Metrics:
    """Add the middleware and GET /metrics to `app`; `index_state()` returns the LoadedIndex or None."""
    metrics = Metrics(index_state)
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return metrics
