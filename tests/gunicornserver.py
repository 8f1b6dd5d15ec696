"""The app under a real gunicorn on loopback (ephemeral port), as the README runs it."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def app_env(config: dict) -> dict:
    """Environment that gives a gunicorn worker the test app's database, keys and base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITWIRKUNG_")}
    for key in ("DATABASE", "SECRET_KEY", "ENCRYPTION_KEY", "BASE_URL"):
        env[f"MITWIRKUNG_{key}"] = str(config[key])
    return env


class Gunicorn:
    """Run `gunicorn [args] app:create_app()` from the project folder (so gunicorn.conf.py
    applies) on 127.0.0.1 port 0; `port` is read from its log once it listens."""

    def __init__(self, config: dict, log_dir: Path, *args: str, workers: int = 1):
        self.env = app_env(config)
        self.error_log = log_dir / "gunicorn-error.log"
        # no control socket: its default path is shared by every gunicorn of this user
        self.args = [GUNICORN, "-w", str(workers), "-k", "gthread", "--threads", "4",
                     "--no-control-socket", "-b", "127.0.0.1:0",
                     "--error-logfile", str(self.error_log), *args, "app:create_app()"]  # fmt: skip
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> "Gunicorn":
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            found = LISTENING.search(self.log())
            if found and self._healthy(int(found.group(1))):
                self.port = int(found.group(1))
                return self
            time.sleep(0.05)
        self.__exit__()
        raise AssertionError(f"gunicorn did not start:\n{self.log()}")

    def _healthy(self, port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return True
        except (OSError, urllib.error.URLError):
            return False

    def log(self) -> str:
        return self.error_log.read_text() if self.error_log.exists() else ""

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
