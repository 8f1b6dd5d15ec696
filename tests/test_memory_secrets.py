"""Memory and deleted secrets. The page cache is bounded by bytes, an action
that changes nothing changes no revision and writes no event, a worker's memory stays flat
under a bounded burst, and a deleted secret's bytes are in no file of the database."""

import http.client
import urllib.parse
from pathlib import Path

from gunicornserver import Gunicorn
from helpers.web import CSRF, EXPECTATION

from mitwirkung import handover, store
from mitwirkung.pagecache import PageCache


def test_the_page_cache_is_bounded_by_bytes():
    cache = PageCache(max_bytes=4 * 1024 * 1024)
    page = "ä" * 235_000  # ~470 KB in memory, like a page with 50 KB TXT records
    for revision in range(100):
        cache.put((1, revision), page + str(revision))
    assert cache.bytes <= cache.max_bytes and 0 < len(cache) < 100
    assert cache.get((1, 99)) is not None and cache.get((1, 0)) is None
    cache.put((2, 0), "x" * (cache.max_bytes // 4))  # too big to keep: made every time
    assert cache.get((2, 0)) is None and cache.bytes <= cache.max_bytes


def revision_and_events(db, customer_id):
    revision = store.get_customer(db, customer_id)["revision"]
    events = db.execute("SELECT COUNT(*) FROM events WHERE customer_id = ?", [customer_id])
    return revision, events.fetchone()[0]


def test_actions_that_change_nothing_leave_no_trace(app, client, customers, auth, db):
    customer, edit, _ = customers.create(path="mailjet")
    auth.login()
    url = f"/manage/customers/{customer['id']}"
    customers.post(f"{url}/mailjet", EXPECTATION, token_from=url)
    store.set_item(db, customer["id"], "dns-spf", "done", "system", {"found": ["x"]})
    store.archive_customer(db, customer["id"], "test")
    store.restore_customer(db, customer["id"], "test")
    client.get(f"/c/{edit}")  # the first view creates the Prüfadresse: a real change
    before = revision_and_events(db, customer["id"])
    repeats = [
        customers.post(
            f"/c/{edit}/path", {"path": "mailjet"}, htmx=True, token_from=f"/c/{edit}"
        ).status_code  # fmt: skip
        for _ in range(3)
    ]
    customers.post(f"{url}/mailjet", EXPECTATION, token_from=url)
    store.set_item(db, customer["id"], "dns-spf", "done", "system", {"found": ["x"]})
    store.restore_customer(db, customer["id"], "test")
    assert repeats == [200] * 3
    assert revision_and_events(db, customer["id"]) == before
    store.archive_customer(db, customer["id"], "test")
    store.archive_customer(db, customer["id"], "test")
    revision, events = revision_and_events(db, customer["id"])
    assert (revision, events) == (before[0] + 1, before[1] + 1)  # a change is still one


def worker_rss(server) -> int:
    """Resident memory (kB) of gunicorn's one worker, from /proc."""
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text()
    pid = int(children.split()[0])
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


def test_re_choosing_a_path_in_a_burst_keeps_memory_flat(app, customers, db, tmp_path):
    customer, edit, _ = customers.create(path="smtp-own")
    with Gunicorn(app.config, tmp_path) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", f"/c/{edit}")
        page = connection.getresponse()
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        token = CSRF.search(page.read().decode())[1]
        body = urllib.parse.urlencode({"path": "smtp-own", "csrf_token": token})
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}

        def burst(count):
            for _ in range(count):
                connection.request("POST", f"/c/{edit}/path", body, headers)
                connection.getresponse().read()
                connection.request("GET", f"/c/{edit}", headers={"Cookie": cookie})
                connection.getresponse().read()

        burst(20)  # warm: imports, templates, the first cached pages, the Prüfadresse
        revision = store.get_customer(db, customer["id"])["revision"]
        before = worker_rss(server)
        burst(300)
        after = worker_rss(server)
        connection.close()
    print(f"worker RSS before {before} kB, after 300 clicks {after} kB")
    assert store.get_customer(db, customer["id"])["revision"] == revision
    assert after - before < 20 * 1024, (before, after)  # kB; before the fix: one page a click


def database_bytes(app) -> bytes:
    path = app.config["DATABASE"]
    files = [Path(path), Path(path + "-wal"), Path(path + "-shm"), Path(path + "-journal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def test_a_revealed_secret_is_in_no_file(app, client, customers, auth, db):
    secret = "Sehr-Geheim!2026-Übergabe"
    customer, edit, _ = customers.create(path="smtp-own")
    customers.post(f"/c/{edit}/password", {"password": "erstes-Passwort-1"}, htmx=True,
                   token_from=f"/c/{edit}")  # fmt: skip
    first = db.execute("SELECT ciphertext FROM secrets").fetchone()[0]
    customers.post(f"/c/{edit}/password", {"password": secret}, htmx=True,
                   token_from=f"/c/{edit}")  # fmt: skip
    second = db.execute("SELECT ciphertext FROM secrets").fetchone()[0]
    stored = database_bytes(app)
    assert first.encode() not in stored  # replaced: gone at once
    assert second.encode() in stored  # the test can see a token where it is
    auth.login()
    revealed = customers.post(f"/manage/customers/{customer['id']}/reveal-password")
    assert secret in revealed.text
    stored = database_bytes(app)
    for token in (first, second):
        assert token.encode() not in stored
        assert token[20:60].encode() not in stored  # not even a piece of it
    assert secret.encode() not in stored


def test_an_expired_secret_is_in_no_file(app, customers, db):
    customer, _, _ = customers.create(path="smtp-own")
    with app.app_context():
        handover.hand_over(db, customer["id"], "abgelaufen-123", "customer", -1)
    token = db.execute("SELECT ciphertext FROM secrets").fetchone()[0]
    assert handover.purge_expired(db) == 1
    assert token[20:60].encode() not in database_bytes(app)
