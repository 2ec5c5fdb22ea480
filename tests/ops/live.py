"""A real gunicorn serving the test's SQLite (or PostgreSQL) database, and a small HTTP client that
logs in and posts forms with their CSRF token as a phone would."""
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_instance(instance: Path, id_keys: dict, receipt_keys: dict):
    """The keys the test's app uses, as the files a deployed app reads."""
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "id_key.json").write_text(json.dumps({k: v.hex() for k, v in id_keys.items()}))
    (instance / "receipt_keys.json").write_text(json.dumps({k: v.hex() for k, v in receipt_keys.items()}))
    (instance / "secret_key").write_text("live-test-secret")


class Gunicorn:
    def __init__(self, database_url: str, instance: Path, workers: int = 2, threads: int = 4, extra_env=None,
                 address_space: int | None = None):
        self.address_space = address_space  # RLIMIT_AS for gunicorn and its workers, in bytes
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
                        PUBLIC_BASE_URL=self.url, WEB_WORKERS=str(workers), WEB_THREADS=str(threads))
        self.env.update(extra_env or {})   # may override the above (behind nginx: its address)
        self.log = instance / "gunicorn.log"
        self.proc = None

    def start(self):
        return self.launch().wait_ready()

    def launch(self):
        """Start the master without waiting for it (several nodes boot side by side)."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
             f"127.0.0.1:{self.port}", "--access-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=self._limit if self.address_space else None)
        return self

    def wait_ready(self):
        # 90 s: on a machine shared by many test runs, three workers took 29 s to boot.
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None:
                    raise RuntimeError("gunicorn exited:\n" + self.log.read_text()[-3000:]) from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer:\n" + self.log.read_text()[-3000:])

    def _limit(self):
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (self.address_space, self.address_space))

    def kill(self):
        """SIGKILL the whole process group: no shutdown, no flushing, like a power cut to the process."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class Nginx:
    """Debian's nginx in front of several app nodes, as a child process (daemon off) with a
    generated config and its own pid, logs and temp files under `folder`: the machine's own nginx
    (if any) is not touched. The upstream block is the one deploy/nginx-two-nodes.conf shows."""

    def __init__(self, folder: Path, upstreams: list[str]):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.upstreams = upstreams
        self.proc = None

    def config(self) -> str:
        f = self.folder
        servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=2s;" for u in self.upstreams)
        # As root, nginx would switch its worker to "nobody", who cannot write the temp folders
        # under the test's private tmp: keep it root here (never in production).
        user = "user root root;\n" if os.geteuid() == 0 else ""
        return f"""{user}worker_processes 1;
daemon off;
master_process on;
pid {f}/nginx.pid;
error_log {f}/error.log notice;
events {{ worker_connections 512; }}
http {{
    access_log {f}/access.log;
    client_body_temp_path {f}/client_body;
    proxy_temp_path {f}/proxy;
    fastcgi_temp_path {f}/fastcgi;
    uwsgi_temp_path {f}/uwsgi;
    scgi_temp_path {f}/scgi;
    upstream lx_app {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        client_max_body_size 32m;
        location / {{
            proxy_pass http://lx_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
            proxy_next_upstream error timeout;
            proxy_request_buffering on;
            proxy_buffering on;
        }}
    }}
}}
"""

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config())
        log = self.folder / "nginx.out"
        self.proc = subprocess.Popen(["nginx", "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                                      "-c", str(conf)], stdout=log.open("ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("nginx exited:\n" + log.read_text()[-2000:]
                                       + (self.folder / "error.log").read_text()[-2000:]) from None
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()   # SIGTERM: fast shutdown of master and worker
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Phone:
    """Cookies, CSRF token from the page's <meta name="csrf-token">, no automatic redirects."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.token = None

    def request(self, method, path, data=None, headers=None, timeout=15):
        body = None
        headers = dict(headers or {})
        if data is not None:
            if isinstance(data, (dict, list)) and headers.get("Content-Type") == "application/json":
                body = json.dumps(data).encode()
            else:
                body = urllib.parse.urlencode(data, doseq=True).encode()
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            resp = self.opener.open(req, timeout=timeout)
            status, text, location = resp.status, resp.read().decode(), resp.headers.get("Location")
        except urllib.error.HTTPError as e:
            status, text, location = e.code, e.read().decode(), e.headers.get("Location")
        if m := re.search(r'<meta name="csrf-token" content="([^"]+)"', text):
            self.token = m.group(1)
        return status, text, location

    def login(self, username, password):
        self.request("GET", "/login")
        status, _, location = self.request("POST", "/login", {"username": username, "password": password,
                                                              "csrf_token": self.token})
        assert status == 302 and "/login" not in (location or ""), (status, location)
        self.request("GET", "/")
        return self

    def post_file(self, path, data, field, filename, content, timeout=60):
        """A multipart form as a browser sends it: `data`'s fields, the CSRF token and one file."""
        boundary = "----live" + os.urandom(8).hex()
        parts = []
        for name, value in dict(data, csrf_token=self.token).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        req = urllib.request.Request(self.base + path, data=b"".join(parts), method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            resp = self.opener.open(req, timeout=timeout)
            return resp.status, resp.read().decode(), resp.headers.get("Location")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), e.headers.get("Location")

    def post_form(self, path, data, timeout=15):
        return self.request("POST", path, dict(data, csrf_token=self.token), timeout=timeout)
