"""Helpers for tests through the web layer: forms, tokens, waiting for background runs."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

from smtpserver import PASSWORD, USER

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# The Mailjet values PEIQ enters for the Müller Verlag (the form's fields)
EXPECTATION = {"domain": "mueller-verlag.de", "verification_name": "mailjet._a1b2c3d4",
               "verification_value": "a1b2c3d4e5f60718", "dkim_selector": "mailjet"}  # fmt: skip

# What PEIQ types into the manager's Mailjet form (the domain added per test; no DKIM key yet)
MAILJET_FORM = {"verification_name": "mailjet._a1b2c3d4", "verification_value": "a1b2c3d4e5f60718",
                "dkim_selector": "mailjet", "dkim_key": ""}  # fmt: skip


def form(port: int, **changes) -> dict:
    """The customer's SMTP settings form for mail.kunde.test on `port`, with `changes`."""
    return {
        "host": "mail.kunde.test",
        "port": str(port),
        "encryption": "tls",
        "username": USER,
        "password": PASSWORD,
        "sender": "versand@kunde.test",
        "recipient": "it@kunde.test",
        **changes,
    }


def wait_for_run(db, customer_id: int, kind: str = "smtp", timeout: float = 15) -> dict:
    """Poll until the customer's newest run of `kind` is no longer running; return its row."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = list(db.query("SELECT * FROM runs WHERE customer_id = ? AND kind = ?"
                             " ORDER BY id DESC LIMIT 1", [customer_id, kind]))  # fmt: skip
        if rows and rows[0]["state"] != "running":
            return rows[0]
        time.sleep(0.05)
    raise AssertionError(f"run did not finish: {list(db.query('SELECT * FROM runs'))}")


def wait_until_done(db, timeout: float = 10) -> None:
    """Poll until no run of any customer is running (or `timeout` seconds passed)."""
    deadline = time.monotonic() + timeout
    while db.table("runs").count_where("state = 'running'") and time.monotonic() < deadline:
        time.sleep(0.02)


def expect_mailjet(db, customer_id: int, domain: str = "kunde.test") -> None:
    """Store Mailjet values for the customer directly (no DKIM key yet)."""
    db.table("mailjet_expectations").insert(
        {
            "customer_id": customer_id,
            "domain": domain,
            "verification_name": "mailjet._a1",
            "verification_value": "a1b2",
            "dkim_selector": "mailjet",
            "dkim_key": None,
            "updated_at": "2026-01-01T00:00:00+00:00",
        }  # fmt: skip
    )


def parallel(app, requests):
    """Send each (method, url, data, remote_addr) from its own client, all at once."""

    def send(request):
        method, url, data, addr = request
        client = app.test_client()
        environ = {"REMOTE_ADDR": addr}
        if "csrf_token" not in data:  # a manager form: the client's own session token
            page = client.get("/manage/login", environ_base=environ).text
            data = {**data, "csrf_token": CSRF.search(page).group(1)}
        return client.open(url, method=method, data=data, environ_base=environ,
                           headers={"HX-Request": "true"})  # fmt: skip

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def login(email: str, password: str, addr: str) -> tuple:
    """A manager login request for `parallel`, from the address `addr`."""
    return ("POST", "/manage/login", {"email": email, "password": password}, addr)


def names(html: str) -> list[str]:
    """The customer names in the dashboard's table, in the order shown."""
    return re.findall(r'<td data-label="Name"><a href="/manage/customers/\d+">([^<]+)</a>', html)
