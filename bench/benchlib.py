"""What the benchmark scripts share: a production-like Parvis (gunicorn, PostgreSQL, Redis)
built from the demo site, nginx started from a throw-away configuration, and a bounded
load generator.

Everything listens on 127.0.0.1 only, every server is a child process that is stopped
when the ``with`` block ends (also on Ctrl-C), and every measurement has a fixed duration.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "bench" / "results"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
NGINX = "/usr/sbin/nginx"
WRK = shutil.which("wrk")
HOST = "127.0.0.1"

PG_HOST = "127.0.0.1"
PG_PORT = "5432"
PG_USER = "postgres"
BENCH_DB = "parvis_bench"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{BENCH_DB}"
# A Redis database of its own, emptied at the start of a run.
REDIS_URL = "redis://127.0.0.1:6379/15"
# Media files live beside the bench database so that ``--reuse-db`` finds them again.
MEDIA_ROOT = REPO / "var" / "bench" / "media"


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def require_nginx() -> None:
    if not Path(NGINX).exists():
        sys.exit(
            f"{NGINX} is missing. Install Debian's nginx first: "
            "apt-get install -y nginx-light (or nginx)."
        )


def machine_facts() -> dict[str, str]:
    """nproc, memory, Python and PostgreSQL versions: what the README must state."""
    facts = {"nproc": str(os.cpu_count())}
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                facts["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
    facts["python"] = subprocess.run(
        [PYTHON, "-V"], capture_output=True, text=True, check=False
    ).stdout.strip()
    facts["postgresql"] = psql("SHOW server_version").strip() or "unknown"
    with contextlib.suppress(OSError):
        facts["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    if WRK:
        banner = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False).stdout
        facts["wrk"] = " ".join(banner.split()[:2]) or "wrk"
    if Path(NGINX).exists():
        facts["nginx"] = subprocess.run(
            [NGINX, "-v"], capture_output=True, text=True, check=False
        ).stderr.strip()
    return facts


def load_average() -> str:
    """The 1-minute load average: other work on the machine skews every figure."""
    return f"{os.getloadavg()[0]:.2f}"


def psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", database, "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return result.stdout


@dataclass
class Stack:
    """A production-like Parvis: environment, static files, and the servers started."""

    workdir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    # --- set-up ------------------------------------------------------------------------
    def manage(self, *args: str, env: dict[str, str] | None = None, quiet: bool = True) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=REPO,
            env=env or self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n"
                f"{result.stderr[-3000:]}"
            )
        if not quiet:
            log(result.stdout.strip())
        return result.stdout

    def prepare_database(self, *, fresh: bool) -> None:
        exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB}'").strip() == "1"
        if exists and fresh:
            log(f"· dropping the bench database {BENCH_DB}")
            psql(f'DROP DATABASE "{BENCH_DB}" WITH (FORCE)')
            exists = False
        if fresh:
            shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
        MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
        if not exists:
            log(f"· creating the database {BENCH_DB}, migrating, loading the demo site")
            subprocess.run(
                ["createdb", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, BENCH_DB], check=True
            )
            self.manage("migrate", "--noinput")
            self.manage("load_demo", "--force")
        else:
            log(f"· reusing the database {BENCH_DB} (migrating only)")
            self.manage("migrate", "--noinput")

    def collect_static(self) -> None:
        log("· collectstatic into a temporary STATIC_ROOT")
        self.manage("collectstatic", "--noinput")

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()

    # --- servers -----------------------------------------------------------------------
    def _spawn(self, args: list[str], *, env: dict[str, str], log_name: str) -> subprocess.Popen:
        log_file = open(self.workdir / log_name, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Own process group: Ctrl-C reaches this script, which then stops the server.
            start_new_session=True,
        )
        process._bench_log = log_file  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def start_gunicorn(self, *, workers: int = 2, extra_env: dict[str, str] | None = None) -> str:
        port = free_port()
        env = {**self.env, **(extra_env or {})}
        process = self._spawn(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "parvis.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            log_name=f"gunicorn-{port}.log",
        )
        base = f"http://{HOST}:{port}"
        wait_ready(base + "/", process, self.workdir / f"gunicorn-{port}.log")
        return base

    def start_nginx(self, server_block: str, *, workers: int = 2) -> str:
        require_nginx()
        port = free_port()
        conf_dir = self.workdir / f"nginx-{port}"
        conf_dir.mkdir()
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (conf_dir / sub).mkdir()
            (conf_dir / sub).chmod(0o777)  # nginx workers run as nobody when started by root
        conf = conf_dir / "nginx.conf"
        # Started by root, nginx would run its workers as "nobody", who cannot read media
        # files stored with FILE_UPLOAD_PERMISSIONS 0o640: run them as the current user.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        conf.write_text(
            f"""
{user}
worker_processes {workers};
daemon off;
pid {conf_dir}/nginx.pid;
error_log {conf_dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    client_body_temp_path {conf_dir}/client_body;
    proxy_temp_path {conf_dir}/proxy;
    fastcgi_temp_path {conf_dir}/fastcgi;
    uwsgi_temp_path {conf_dir}/uwsgi;
    scgi_temp_path {conf_dir}/scgi;
    server {{
        listen {HOST}:{port};
        server_name 127.0.0.1;
{server_block}
    }}
}}
"""
        )
        subprocess.run([NGINX, "-t", "-q", "-c", str(conf)], check=True)
        process = self._spawn([NGINX, "-c", str(conf)], env=dict(os.environ), log_name="nginx.log")
        base = f"http://{HOST}:{port}"
        wait_listening(port, process, conf_dir / "error.log")
        return base

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                # gunicorn and nginx both shut down gracefully on SIGTERM/SIGQUIT.
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            process._bench_log.close()  # type: ignore[attr-defined]
        self.processes.clear()


@contextlib.contextmanager
def production_stack(*, fresh_db: bool = True, keep_workdir: bool = False) -> Iterator[Stack]:
    """Prepare the bench database and a production environment; stop servers at the end."""
    workdir = Path(tempfile.mkdtemp(prefix="parvis-bench-"))
    workdir.chmod(0o755)
    static_root = workdir / "static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "parvis.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(MEDIA_ROOT),
        "PARVIS_TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_DEBUG", None)
    stack = Stack(workdir=workdir, env=env)
    try:
        stack.prepare_database(fresh=fresh_db)
        stack.collect_static()
        stack.flush_redis()
        yield stack
    finally:
        stack.stop()
        if keep_workdir:
            log(f"· logs and configuration kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def wait_ready(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{tail(log_path)}")
        try:
            status, _headers, _body = http_get(url)
            if status < 500:
                return
            last_error = f"HTTP {status}"
        except OSError as exc:
            last_error = str(exc)
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready after {timeout}s ({last_error}):\n{tail(log_path)}")


def wait_listening(port: int, process: subprocess.Popen, log_path: Path, timeout=20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited early:\n{tail(log_path)}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nginx is not listening on {port}:\n{tail(log_path)}")


def tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


def http_get(
    url: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """One GET; returns status, headers (lower-case names) and body. Loopback only."""
    match = re.match(r"http://(127\.0\.0\.1):(\d+)(/.*)?$", url)
    if not match:
        raise ValueError(f"benchmarks only talk to 127.0.0.1: {url}")
    conn = http.client.HTTPConnection(match[1], int(match[2]), timeout=timeout)
    try:
        conn.request("GET", match[3] or "/", headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


# --- load generation --------------------------------------------------------------------
@dataclass
class LoadResult:
    requests_per_second: float
    requests: int
    errors: int
    tool: str


def run_load(url: str, *, duration: int, connections: int, threads: int) -> LoadResult:
    """Hammer one loopback URL for a fixed duration; wrk when installed, else Python."""
    if not url.startswith(f"http://{HOST}:"):
        raise ValueError("load is only ever sent to 127.0.0.1")
    if WRK:
        return _run_wrk(url, duration=duration, connections=connections, threads=threads)
    return _run_python(url, duration=duration, connections=connections)


def _run_wrk(url: str, *, duration: int, connections: int, threads: int) -> LoadResult:
    result = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", url],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    total = int(re.search(r"(\d+) requests in", out)[1])
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(match[1])
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if match := re.search(socket_errors, out):
        errors += sum(int(g) for g in match.groups())
    return LoadResult(rps, total, errors, "wrk")


def _run_python(url: str, *, duration: int, connections: int) -> LoadResult:
    """A bounded thread-pool client: ``connections`` threads, keep-alive, fixed duration."""
    match = re.match(r"http://([\d.]+):(\d+)(/.*)?$", url)
    host, port, path = match[1], int(match[2]), match[3] or "/"
    counts = [0] * connections
    errors = [0] * connections
    stop_at = time.monotonic() + duration

    def worker(index: int) -> None:
        conn = None
        while time.monotonic() < stop_at:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=5)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[index] += 1
                else:
                    counts[index] += 1
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(duration + 10)
    elapsed = time.monotonic() - started
    total = sum(counts)
    return LoadResult(total / elapsed, total, sum(errors), "python")


def stop_on_sigterm() -> None:
    """Turn SIGTERM into an exception so that ``finally`` blocks stop the servers."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
