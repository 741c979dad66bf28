"""Start a server process on a free loopback port, wait until it is ready, read its memory, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_kib(pid: int) -> dict[str, int]:
    """Current and peak resident memory of a process, from /proc."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


class Server:
    def __init__(self, argv: list[str], env: dict[str, str], port: int, cwd: Path, log: Path) -> None:
        self.argv, self.env, self.port, self.cwd, self.log = argv, env, port, cwd, log
        self.proc: subprocess.Popen | None = None
        self.cold_start_s = float("nan")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> "Server":
        t = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, env={**os.environ, **self.env}, cwd=self.cwd,
                                     stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        while time.perf_counter() - t < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.base + "/readyz", timeout=1.0).status_code == 200:
                    self.cold_start_s = time.perf_counter() - t
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not ready after {timeout}s; see {self.log}")

    def memory(self) -> dict[str, int]:
        assert self.proc is not None
        return memory_kib(self.proc.pid)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
