"""What the benchmarks share: their own database and media directory, the environment the
portal runs with, a gunicorn to measure, CPU accounting from /proc, and small statistics.

Nothing here imports Django: the orchestrating process stays light, and every Django step
runs in a child process with the benchmark's environment (so it can never touch the test or
development database by accident).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
PYTHON = str(REPO / ".venv" / "bin" / "python")
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")
if not Path(PYTHON).exists():  # run from another interpreter: use it
    PYTHON = sys.executable
    GUNICORN = shutil.which("gunicorn") or GUNICORN


def _admin_dsn() -> str:
    """The maintenance database of the PostgreSQL server the portal's DATABASE_URL names (the
    test environment's by default): benchmarks create and drop their databases from there."""
    if os.environ.get("BENCH_ADMIN_DSN"):
        return os.environ["BENCH_ADMIN_DSN"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.split("?", 1)[0].rsplit("/", 1)[0] + "/postgres"
    return "postgresql://postgres@127.0.0.1:5432/postgres"


ADMIN_DSN = _admin_dsn()
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- The benchmark's own database, media and environment ---------------------------------


@dataclass
class Sandbox:
    """A database and a media directory that belong to one benchmark run only."""

    name: str
    database: str = ""
    media_root: Path = field(default_factory=Path)
    admin_dsn: str = ADMIN_DSN
    extra_env: dict[str, str] = field(default_factory=dict)
    source: Path = REPO  # the portal's code: the working tree, or an export of a commit

    def __post_init__(self):
        self.database = self.database or f"portal_bench_{self.name}"
        if not self.database.startswith("portal_bench"):
            raise ValueError("a benchmark database is named portal_bench…, never anything else")

    @property
    def database_url(self) -> str:
        base = self.admin_dsn.rsplit("/", 1)[0]
        return f"{base}/{self.database}"

    def env(self, **extra: str) -> dict[str, str]:
        """The portal's environment for this sandbox: the test profile (DEBUG off), this
        database, Redis under a key prefix of its own, and this media directory."""
        env = dict(os.environ)
        env.update(
            PORTAL_ENV="test",
            DEBUG="false",
            DATABASE_URL=self.database_url,
            REDIS_URL=REDIS_URL,
            CACHE_KEY_PREFIX=f"portal-bench-{self.name}",
            MEDIA_ROOT=str(self.media_root),
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(self.source),
            PORTAL_SOURCE=str(self.source),
            DJANGO_SETTINGS_MODULE="portal.settings",
        )
        env.pop("PYTEST_XDIST_WORKER", None)
        env.update(self.extra_env)
        env.update(extra)
        return env

    def create(self) -> None:
        self.drop()
        self.media_root = Path(tempfile.mkdtemp(prefix=f"portal-bench-{self.name}-media-"))
        with _admin(self.admin_dsn) as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))

    def drop(self) -> None:
        with _admin(self.admin_dsn) as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database)
                )
            )
        if self.media_root and str(self.media_root).startswith(tempfile.gettempdir() + "/"):
            shutil.rmtree(self.media_root, ignore_errors=True)

    def manage(self, *args: str, timeout: float = 600) -> str:
        return run_checked(
            [PYTHON, str(self.source / "manage.py"), *args], self.env(), timeout, self.source
        )

    def script(self, path: Path, *args: str, timeout: float = 600) -> str:
        return run_checked([PYTHON, str(path), *args], self.env(), timeout, self.source)


@contextlib.contextmanager
def _admin(dsn: str):
    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def run_checked(command: list[str], env: dict[str, str], timeout: float, cwd: Path = REPO) -> str:
    result = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[1:3])} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def postgres_version(dsn: str = ADMIN_DSN) -> str:
    with _admin(dsn) as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


class ActivitySampler:
    """Samples pg_stat_activity of one database: how many backends are running a statement
    and how many wait for a lock (and on what), so a serialisation point shows up."""

    def __init__(self, dsn: str, database: str):
        self.connection = psycopg2.connect(dsn)
        self.connection.autocommit = True
        self.database = database
        self.samples: list[dict] = []

    def sample(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT count(*) FILTER (WHERE state = 'active' AND datname = %s),
                       count(*) FILTER (WHERE wait_event_type = 'Lock' AND datname = %s),
                       coalesce(string_agg(DISTINCT wait_event, ',')
                                FILTER (WHERE wait_event_type = 'Lock' AND datname = %s), ''),
                       count(*) FILTER (WHERE datname = %s),
                       count(*) FILTER (WHERE state = 'active' AND datname <> %s)
                FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
                """,
                [self.database] * 5,
            )
            active, waiting, events, connections, elsewhere = cursor.fetchone()
        self.samples.append(
            {
                "t": time.monotonic(),
                "active": active,
                "lock_waits": waiting,
                "events": events,
                "connections": connections,
                "active_elsewhere": elsewhere,
            }
        )

    def summary(self) -> dict:
        if not self.samples:
            return {}
        n = len(self.samples)
        events: dict[str, int] = {}
        for s in self.samples:
            for event in filter(None, s["events"].split(",")):
                events[event] = events.get(event, 0) + 1
        return {
            "samples": n,
            "mean_active": round(sum(s["active"] for s in self.samples) / n, 2),
            "max_active": max(s["active"] for s in self.samples),
            "max_connections": max(s["connections"] for s in self.samples),
            "samples_with_lock_wait": sum(1 for s in self.samples if s["lock_waits"]),
            "max_lock_waits": max(s["lock_waits"] for s in self.samples),
            "lock_wait_events": events,
            # statements running in other databases of the same server (someone else's work,
            # counted in the PostgreSQL CPU figure, which covers the whole server)
            "mean_active_other_databases": round(
                sum(s["active_elsewhere"] for s in self.samples) / n, 2
            ),
        }

    def close(self) -> None:
        self.connection.close()


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    """A free port on 127.0.0.1: any, or one of BENCH_PORTS ("18800-18899") when set, for a
    shared machine where each person has a range."""
    low, _, high = os.environ.get("BENCH_PORTS", "").partition("-")
    candidates = range(int(low), int(high or low) + 1) if low else [0]
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


class Gunicorn:
    """`gunicorn portal.wsgi:application` on 127.0.0.1, with the sandbox's environment."""

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        workers: int | None,
        threads: int,
        worker_class: str | None,
        timeout: int = 120,
        log_dir: Path,
        config: Path | None = None,
        extra_args: tuple[str, ...] = (),
        app: str = "portal.wsgi:application",
        env: dict[str, str] | None = None,
    ):
        self.sandbox = sandbox
        self.app = app
        self.extra_env = env or {}  # this server's own settings over the sandbox's
        log_dir.mkdir(parents=True, exist_ok=True)
        # A gunicorn configuration file (e.g. deploy/gunicorn.conf.py, the shipped one): its
        # settings apply where the arguments here do not set them; extra_args come last.
        self.config = config
        self.extra_args = tuple(extra_args)
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.worker_class = worker_class
        self.timeout = timeout
        self.access_log = log_dir / "access.log"
        self.error_log = log_dir / "error.log"
        self.server_log = log_dir / "server.log"
        self.output = None
        self.process: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def describe(self) -> str:
        if self.workers is None or self.worker_class is None:
            workers = len(self.worker_pids())
            return f"{workers} workers as {self.config} sets them"
        if self.worker_class == "gthread":
            return f"{self.workers} × gthread × {self.threads} threads"
        return f"{self.workers} × {self.worker_class}"

    #: Short names for worker classes that live in other packages.
    WORKER_CLASSES = {"uvicorn": "uvicorn_worker.UvicornWorker"}

    def command(self) -> list[str]:
        command = [
            GUNICORN,
            self.app,
            "--bind",
            f"{self.host}:{self.port}",
            *(["--workers", str(self.workers)] if self.workers is not None else []),
            *(
                ["--worker-class", self.WORKER_CLASSES.get(self.worker_class, self.worker_class)]
                if self.worker_class is not None
                else []
            ),
            "--timeout",
            str(self.timeout),
            "--backlog",
            "2048",
            "--access-logfile",
            str(self.access_log),
            # status, request time in µs (from the request line read to the response sent),
            # path, worker pid, and the client's request id (X-Bench-Request, "-" if none)
            "--access-logformat",
            '%(s)s %(D)s %(m)s "%(U)s" %(p)s %({x-bench-request}i)s',
            "--error-logfile",
            str(self.error_log),
            "--chdir",
            str(self.sandbox.source),
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        if self.config is not None:
            command += ["--config", str(self.config)]
        return command + list(self.extra_args)

    def start(self, wait_path: str = "/api/v1/regions/", deadline_s: float = 60) -> None:
        self.output = self.server_log.open("wb")  # the workers' stderr: Django's error log
        self.process = subprocess.Popen(
            self.command(),
            env=self.sandbox.env(**self.extra_env),
            cwd=self.sandbox.source,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        limit = time.monotonic() + deadline_s
        while time.monotonic() < limit:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.error_log.read_text()[-3000:]}")
            try:
                status, _ = get(self.host, self.port, wait_path, timeout=5)
                if status == 200 and len(self.worker_pids()) >= (self.workers or 1):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            try:
                self.process.wait(timeout=self.timeout + 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.output is not None:
            self.output.close()
            self.output = None

    def server_errors(self, limit: int = 4000) -> str:
        """The start of what the workers wrote to stderr (tracebacks of server errors)."""
        if not self.server_log.exists():
            return ""
        return self.server_log.read_text(errors="replace")[:limit]

    def request_times(self) -> dict[str, tuple[int, int]]:
        """The client's request id (X-Bench-Request) → (status, µs in gunicorn)."""
        times = {}
        if not self.access_log.exists():
            return times
        for line in self.access_log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 6 and parts[0].isdigit() and parts[5] != "-":
                times[parts[5]] = (int(parts[0]), int(parts[1]))
        return times

    def access_records(self) -> list[tuple[int, int, str, str]]:
        """(status, µs, method, path) of every request in the access log."""
        records = []
        if not self.access_log.exists():
            return records
        for line in self.access_log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 4 and parts[0].isdigit():
                records.append((int(parts[0]), int(parts[1]), parts[2], parts[3].strip('"')))
        return records


# --- HTTP ----------------------------------------------------------------------------------


class Nginx:
    """nginx in front of the gunicorn, as in production: `deploy/nginx.conf.template` rendered
    for a free port and wrapped in a minimal main configuration under a scratch prefix."""

    TEMPLATE = REPO / "deploy" / "nginx.conf.template"

    def __init__(
        self, upstream: str, *, log_dir: Path, workers: int = 1, live_upstream: str | None = None
    ):
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = free_port()
        self.prefix = log_dir / "nginx"
        self.upstream = upstream
        # The auction streams' ASGI server; the same gunicorn when a benchmark runs only one.
        self.live_upstream = live_upstream or upstream
        self.workers = workers
        self.process: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @classmethod
    def available(cls) -> bool:
        return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())

    def config(self) -> Path:
        self.prefix.mkdir(parents=True, exist_ok=True)
        server = (
            self.TEMPLATE.read_text()
            .replace("${PORTAL_UPSTREAM}", self.upstream)
            .replace("${PORTAL_LIVE_UPSTREAM}", self.live_upstream)
            .replace("${NGINX_PORT}", f"{self.host}:{self.port}")
            .replace("${NGINX_CACHE_DIR}", str(self.prefix / "cache"))
        )
        (self.prefix / "server.conf").write_text(server)
        # Started as root, nginx's workers would run as nobody, who may not enter the scratch
        # prefix (a private temporary directory) to write the cache and the buffered bodies.
        user = "user root;" if os.geteuid() == 0 else ""
        main = f"""
{user}
worker_processes {self.workers};
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {self.prefix}/body;
    proxy_temp_path {self.prefix}/proxy;
    fastcgi_temp_path {self.prefix}/fastcgi;
    uwsgi_temp_path {self.prefix}/uwsgi;
    scgi_temp_path {self.prefix}/scgi;
    include {self.prefix}/server.conf;
}}
"""
        path = self.prefix / "nginx.conf"
        path.write_text(main)
        return path

    def start(self, wait_path: str, deadline_s: float = 30) -> None:
        config = self.config()
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.prefix), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.prefix / "stderr.log").open("wb"),
            start_new_session=True,
        )
        limit = time.monotonic() + deadline_s
        while time.monotonic() < limit:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "nginx exited: " + (self.prefix / "stderr.log").read_text()[-2000:]
                )
            try:
                status, _ = get(self.host, self.port, wait_path, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("nginx did not answer in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def get(host: str, port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data request."""
    boundary = os.urandom(16).hex()
    chunks: list[bytes] = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, filename, content in files:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        chunks.append(content)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)


# --- CPU accounting from /proc -------------------------------------------------------------


def _stat(pid: int) -> tuple[int, list[str]] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2 :].split()
    return int(rest[1]), rest  # ppid, fields from the state (field 3) on


def _process_table() -> dict[int, list[str]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                table[int(entry)] = stat[1]
    return table


def children(pid: int) -> list[int]:
    return [p for p, rest in _process_table().items() if int(rest[1]) == pid]


def tree_cpu_seconds(pid: int, table: dict[int, list[str]] | None = None) -> float:
    """CPU time of a process and all its descendants, living or reaped: its own time, the
    times of the children it has waited for (cutime, cstime), and its living children's
    trees. The difference of two readings is the tree's CPU over the interval, even when
    children come and go (PostgreSQL backends, restarted workers)."""
    table = _process_table() if table is None else table
    rest = table.get(pid)
    if rest is None:
        return 0.0
    own = sum(int(rest[i]) for i in (11, 12, 13, 14)) / CLK_TCK
    return own + sum(
        tree_cpu_seconds(child, table) for child, r in table.items() if int(r[1]) == pid
    )


def postmaster_pid() -> int | None:
    """The PostgreSQL postmaster on this machine (a `postgres` whose parent is not one)."""
    table = _process_table()
    for pid, rest in table.items():
        if _comm(pid) == "postgres" and _comm(int(rest[1])) != "postgres":
            return pid
    return None


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def system_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already in user
    return (total - idle) / CLK_TCK, total / CLK_TCK


def self_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass
class CpuReading:
    at: float
    server: float
    postgres: float
    client: float
    busy: float
    total: float


class CpuMeter:
    """CPU used over an interval by the gunicorn tree, the PostgreSQL tree (every database),
    this client process, and the whole machine (everything else: other tenants' work)."""

    def __init__(self, gunicorn_pid: int):
        self.gunicorn_pid = gunicorn_pid
        self.postgres_pid = postmaster_pid()

    def read(self) -> CpuReading:
        table = _process_table()
        busy, total = system_cpu()
        return CpuReading(
            at=time.monotonic(),
            server=tree_cpu_seconds(self.gunicorn_pid, table),
            postgres=tree_cpu_seconds(self.postgres_pid, table) if self.postgres_pid else 0.0,
            client=self_cpu_seconds(),
            busy=busy,
            total=total,
        )

    @staticmethod
    def between(start: CpuReading, end: CpuReading) -> dict:
        wall = end.at - start.at
        cores = os.cpu_count() or 1
        machine = end.busy - start.busy
        parts = {
            "gunicorn": end.server - start.server,
            "postgres": end.postgres - start.postgres,
            "client": end.client - start.client,
        }
        parts["other"] = max(0.0, machine - sum(parts.values()))
        return {
            "wall_s": round(wall, 2),
            "cores": cores,
            "machine_busy_pct": round(100 * machine / max(end.total - start.total, 1e-9), 1),
            # share of the machine's total capacity (cores × wall) each part used
            **{
                f"{key}_pct_of_machine": round(100 * value / (wall * cores), 1)
                for key, value in parts.items()
            },
            **{f"{key}_cpu_s": round(value, 2) for key, value in parts.items()},
        }


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


# --- Statistics ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100) of unsorted values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n·q/100)
    return ordered[int(min(rank, len(ordered))) - 1]


def distribution_ms(seconds: list[float]) -> dict:
    def ms(value):
        return None if value is None else round(value * 1000, 1)

    return {
        "count": len(seconds),
        "p50_ms": ms(percentile(seconds, 50)),
        "p90_ms": ms(percentile(seconds, 90)),
        "p99_ms": ms(percentile(seconds, 99)),
        "max_ms": ms(max(seconds) if seconds else None),
        "mean_ms": ms(sum(seconds) / len(seconds) if seconds else None),
    }


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    meminfo = Path("/proc/meminfo").read_text().splitlines()[0].split()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(int(meminfo[1]) / 2**20, 1),
        "kernel": os.uname().release,
        "python": sys.version.split()[0],
        "postgresql": postgres_version(),
    }


def git_state() -> dict:
    def git(*args):
        result = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_files": dirty.splitlines()}


def export_source(ref: str) -> tuple[Path, dict]:
    """The portal's code to measure: "." is the working tree as it is (other people's edits
    in progress included); a git ref (HEAD, a commit) is exported with `git archive` to a
    directory under /tmp, so the figures belong to that commit. Returns (dir, description)."""
    if ref in {"", "."}:
        return REPO, {"source": "working tree", **git_state()}
    target = Path(tempfile.mkdtemp(prefix="portal-bench-src-"))
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", commit], cwd=REPO, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    # The virtualenv's editable install maps the project's packages to the working tree as a
    # fallback finder: a module the commit lacks would be taken from the working tree. This
    # file, first on PYTHONPATH, removes that finder in every process of the benchmark.
    (target / "sitecustomize.py").write_text(
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path\n"
        "                    if not getattr(f, '__module__', '').startswith('__editable__')]\n"
    )
    return target, {"source": f"git archive {ref}", "commit": commit[:12], "dirty_files": []}


def remove_source(path: Path) -> None:
    if path != REPO and str(path).startswith(tempfile.gettempdir() + "/portal-bench-src-"):
        shutil.rmtree(path, ignore_errors=True)


def wait_until_quiet(max_wait: float, busy_below: float = 0.15, sample: float = 0) -> dict:
    """Wait (at most `max_wait` seconds) for the machine to be quiet: less than `busy_below`
    of its CPU busy over `sample` seconds (15 s when waiting, else one 5 s look). Other
    people's work on a shared machine takes cores from the server; the result says how
    quiet it was."""
    sample = sample or (15 if max_wait > 0 else 5)
    began = time.monotonic()
    while True:
        busy0, total0 = system_cpu()
        time.sleep(sample)
        busy1, total1 = system_cpu()
        busy = (busy1 - busy0) / max(total1 - total0, 1e-9)
        waited = time.monotonic() - began
        if busy < busy_below or waited >= max_wait:
            return {"waited_s": round(waited), "busy_pct": round(100 * busy, 1)}


def scrypt_calibration(rounds: int = 9) -> float:
    """Median ms of one scrypt derivation with the sealing parameters (n=2^15, r=8, p=1),
    on one thread of this machine now: the work that dominates a bid. The speed of a shared
    or virtual machine drifts; this figure lets runs (and machines) be compared."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        Scrypt(salt=os.urandom(16), length=32, n=2**15, r=8, p=1).derive(b"calibration")
        times.append(time.perf_counter() - began)
    return round(1000 * sorted(times)[rounds // 2], 1)


def write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False, default=str))
