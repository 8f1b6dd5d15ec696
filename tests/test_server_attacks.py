"""Attacks that need the real server: gunicorn's SCRIPT_NAME header, its logs,
workers starting together on an empty database, and a disk that is read-only or full."""

import http.client
import json
import re
import shlex
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from gunicornserver import ROOT, Gunicorn
from helpers.web import CSRF

from mitwirkung import crypto, store
from mitwirkung.db import connect, now

README = (ROOT / "README.md").read_text()


def raw_get(port: int, target: str, headers: dict | None = None) -> tuple[int, str]:
    """Send one GET with the request target and headers exactly as given."""
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


def make_customer(app, name="Müller Verlag"):
    db = connect(app.config["DATABASE"])
    with app.app_context():
        customer, edit, share = store.create_customer(db, name, "kunde.test", None, "test")
    store.set_path(db, customer["id"], "smtp-own", "test")
    db.close()
    return customer, edit, share


def test_script_name_header_cannot_poison_the_page_cache(app, tmp_path):
    _, edit, share = make_customer(app)
    links = [f"/s/{share}", f"/c/{edit}"]
    variants = [{}, {"HX-Request": "true"}]
    with Gunicorn(app.config, tmp_path) as server:
        attacks = [
            raw_get(
                server.port, "//evil.example" + link, {"SCRIPT_NAME": "//evil.example", **extra}
            )  # fmt: skip
            for _ in range(3)
            for link in links
            for extra in variants
        ]
        for link in links:
            for extra in variants:
                status, body = raw_get(server.port, link, extra)
                assert status == 200 and "evil.example" not in body, (link, extra)
                assert 'src="/static/vendor/htmx.min.js"' in body or extra
        # a SCRIPT_NAME that prefixes nothing made gunicorn itself answer 500
        odd = [raw_get(server.port, "/healthz", {"SCRIPT_NAME": n}) for n in ("/evil", "x", "")]
    assert len(attacks) == 12
    assert all(status == 404 and "evil.example" not in body for status, body in attacks)
    assert [status for status, _ in odd] == [200, 200, 200]


def readme_gunicorn_args() -> list[str]:
    """The options of the README's production gunicorn command (without the app)."""
    block = README.split("## Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    command = " ".join(line.rstrip("\\").strip() for line in block.splitlines())
    words = shlex.split(command)
    start = next(i for i, w in enumerate(words) if w.endswith("gunicorn"))
    assert words[-1] == "app:create_app()"
    return words[start + 1 : -1]


def test_no_link_token_in_the_logs_of_the_readme_production_setup(app, tmp_path):
    args = readme_gunicorn_args()
    assert "-c" in args and "gunicorn.conf.py" in args
    logs = {"--access-logfile": tmp_path / "access.log", "--error-logfile": tmp_path / "error.log"}
    for option, path in logs.items():
        args[args.index(option) + 1] = str(path)
    args[args.index("-b") + 1] = "127.0.0.1:0"
    config = {**app.config, "DATABASE": str(tmp_path / "empty.db")}  # workers start together
    server = Gunicorn(config, tmp_path, *args)
    server.error_log = logs["--error-logfile"]
    server.args = [a for a in server.args if a != str(tmp_path / "gunicorn-error.log")]
    server.args.remove("--error-logfile")  # the README's own log options, not the helper's
    for option in ("-w", "--threads"):
        index = server.args.index(option)
        del server.args[index : index + 2]
    with server:
        app.config["DATABASE"] = config["DATABASE"]
        _, edit, share = make_customer(app)
        code = crypto.new_token()
        db = connect(config["DATABASE"])
        db.table("confirmations").insert(
            {"token_hash": crypto.token_hash(code), "customer_id": 1, "created_at": now()}
        )
        referer = {"Referer": f"https://mitwirkung.peiq.de/c/{edit}"}
        encoded = "".join(f"%{ord(ch):02x}" for ch in edit[5:7])
        targets = [
            (f"/c/{edit}", {}), (f"/s/{share}", {}), (f"/c/{edit}/status.json", {}),
            (f"/s/{share}/status.json?x=1", {}), (f"/bestaetigen/{code}", {}),
            ("/static/app.css", referer), (f"/c%2F{edit}", {}), (f"/c/{edit}/items/nope", referer),
            (f"/s/{share}/runs/99999999999999999999", {}), (f"/%63/{edit}", {}),
            (f"/%73%2f{share}", {}), (f"/c/{edit[:5]}{encoded}{edit[7:]}", {}),
            (f"/%2563/{edit}", {}),
        ]  # fmt: skip
        answers = [raw_get(server.port, target, headers)[0] for target, headers in targets]
    # gunicorn has stopped: everything it logged is in the files
    assert answers.count(200) >= 5
    booted = server.log().count("Booting worker")
    assert booted == 2 and "failed to boot" not in server.log()
    text = logs["--access-logfile"].read_text() + logs["--error-logfile"].read_text()
    for secret in (edit, share, code):
        assert secret not in text and secret[:20] not in text
    assert text.count('"GET /c/…') >= 2 and "/c/…" in text.split("app.css", 1)[1]


CHILD = """
import sys, time
from pathlib import Path
from app import create_app

folder, rounds, key = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
print("ready", flush=True)
for i in range(rounds):
    while not (folder / f"go{i}").exists():
        time.sleep(0.0005)
    try:
        create_app({"DATABASE": str(folder / f"r{i}.db"), "SECRET_KEY": "x",
                    "ENCRYPTION_KEY": key})
        print("ok", flush=True)
    except BaseException as e:
        print("failed:", repr(e), flush=True)
"""


def test_two_processes_starting_together_on_an_empty_database(app, tmp_path):
    rounds = 6
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(tmp_path), str(rounds), app.config["ENCRYPTION_KEY"]],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    for child in children:
        assert child.stdout.readline().strip() == "ready"
    results = []
    for i in range(rounds):
        (tmp_path / f"go{i}").touch()
        results += [child.stdout.readline().strip() for child in children]
    for child in children:
        child.wait(10)
        child.stdout.close()
    assert results == ["ok"] * (2 * rounds)


DISK = """
import json, subprocess, sys
from pathlib import Path
from cryptography.fernet import Fernet
from app import create_app
from mitwirkung import store
from mitwirkung.checklist import link_csrf_token

folder = Path(sys.argv[1])
def mount(*options):
    subprocess.run(["mount", *options, str(folder)], check=True)
mount("-t", "tmpfs", "-o", "size=2m", "tmpfs")
app = create_app({"TESTING": True, "DATABASE": str(folder / "t.db"), "SECRET_KEY": "x",
                  "ENCRYPTION_KEY": Fernet.generate_key().decode()})
client = app.test_client()
with app.test_request_context():
    from mitwirkung.db import get_db
    _, edit, _ = store.create_customer(get_db(), "Kunde", None, None, "test")
    token = link_csrf_token(edit)
out = {}
def probe(name):
    health = client.get("/healthz")
    write = client.post(f"/c/{edit}/path", data={"path": "portal", "csrf_token": token})
    out[name] = [health.status_code, health.json.get("reason"), write.status_code,
                 write.get_data(as_text=True)]
probe("writable")
connections = app.extensions["db_connections"]
connections.db.close()  # the kernel remounts read-only only when no file is open for writing
connections.db = None
mount("-o", "remount,ro")
probe("read-only")
mount("-o", "remount,rw")
with open(folder / "filler", "wb", buffering=0) as f:
    try:
        while True:
            f.write(b"x" * 4096)
    except OSError:
        pass
probe("full")
print(json.dumps(out))
"""


def test_healthz_and_writes_on_a_read_only_or_full_disk(tmp_path):
    """A tmpfs in a user namespace: remounted read-only, then filled up."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("user namespaces are not available here")
    result = subprocess.run(
        ["unshare", "-rm", sys.executable, "-c", DISK, str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["writable"][:3] == [200, None, 303]
    for name in ("read-only", "full"):
        health, reason, write, page = out[name]
        assert health == 503 and reason, name
        assert write == 503 and "Speichern gerade nicht möglich" in page, name
    assert re.search(r"nimmt keine Änderungen an|nicht zum Schreiben", out["read-only"][1])
    assert "frei" in out["full"][1]


def wrong_login(port: int, email: str) -> int:
    """Fetch the login form (session cookie, CSRF token), then post a wrong password."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/manage/login")
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = CSRF.search(page.read().decode()).group(1)
    body = urlencode({"email": email, "password": "falsch", "csrf_token": token})
    connection.request("POST", "/manage/login", body, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    status = connection.getresponse().status
    connection.close()
    return status


def test_parallel_wrong_logins_through_two_workers_keep_the_limit(app, auth, tmp_path):
    with Gunicorn(app.config, tmp_path, workers=2) as server:
        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(lambda _: wrong_login(server.port, "am@peiq.de"), range(40)))
    checks = connect(app.config["DATABASE"]).table("login_failures").count
    assert (answers.count(422), answers.count(429), checks) == (10, 30, 10)


def raw_chunked_post(port: int, target: str, body: bytes) -> tuple[int, str]:
    """POST body with Transfer-Encoding: chunked (no Content-Length), in 8 KB chunks."""
    head = [
        f"POST {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
        "Content-Type: application/x-www-form-urlencoded", "Transfer-Encoding: chunked",
    ]  # fmt: skip
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 8192]), body[i : i + 8192])
        for i in range(0, len(body), 8192)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + chunks + b"0\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head_bytes, _, answer = data.partition(b"\r\n\r\n")
    return int(head_bytes.split()[1]), answer.decode("utf-8", "replace")


@pytest.mark.parametrize("size", [10, 100_000, 1_000_000])
def test_a_chunked_body_is_refused_in_german_never_judged_cut_off(app, tmp_path, size):
    _, edit, _ = make_customer(app)
    form = urlencode({"x": "a" * size, "csrf_token": "t", "path": "portal"}).encode()
    with Gunicorn(app.config, tmp_path) as server:
        status, body = raw_chunked_post(server.port, f"/c/{edit}/path", form)
    assert status == 411 and "ohne Längenangabe" in body
    db = connect(app.config["DATABASE"])
    assert db.table("customers").get(1)["path"] == "smtp-own"  # nothing changed
