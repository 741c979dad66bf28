"""Real servers for integration tests: uvicorn in a thread, or `briefqa serve` in a subprocess,
each on a free port picked by the OS (never 8000)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base_url: str, timeout: float = 180.0, proc: subprocess.Popen | None = None,
               route: str = "/readyz") -> dict:
    """Poll `route` until it answers 200; fail early if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        try:
            r = httpx.get(base_url + route, timeout=2.0)
            if r.status_code == 200:
                return r.json()
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base_url} not ready after {timeout}s")


@contextmanager
def thread_server(app, ready: bool = True) -> Iterator[str]:
    """Run `app` under a real uvicorn server in a thread; yields its base URL once it is ready
    (or only alive, with ready=False)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, timeout=60, route="/readyz" if ready else "/livez")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def subprocess_server(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m service serve` on a free port; stderr (the JSON request log) goes to `log_path`."""
    port = free_port()
    full_env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", **env, "BRIEFQA_PORT": str(port),
                "BRIEFQA_HOST": "127.0.0.1"}
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "service", "serve"], cwd=ROOT, env=full_env,
                                stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, proc=proc)
            yield base, proc
        finally:
            stop_process(proc, 30)


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
