"""No 5xx from any input: a seeded, bounded fuzz over every route, method and form field.

Routes, their path arguments and the form fields are read from the app and mitwirkung.forms,
so routes and fields added later are fuzzed too. Each request starts from a valid one (right
CSRF token, plausible values) and breaks one to three things: a field, a path argument, the
query string or the whole body (long, NUL, invalid UTF-8, line separators, file parts, huge
numbers, JSON, wrong types). The only 5xx allowed are the 502/504 by which the manager's
Mailjet routes say in German that Mailjet itself failed (a refusal of what was typed is a 422).
"""

import io
import json
import random
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from helpers.web import CSRF, expect_mailjet, wait_until_done
from mailjetserver import MailjetApi
from wtforms.fields.core import UnboundField

from mitwirkung import crypto, forms, mailjet, store
from mitwirkung.checklist import link_csrf_token
from mitwirkung.db import now
from mitwirkung.runs.smtp_test import smtp_result_data

SEED = 10
VARIANTS = 24  # requests per route and method
ODD = [
    "", " ", "\x00", "a\x00b", "x" * 10_000, "ä" * 3_000, "9" * 5_000, "99999999999999999999",
    "-1", "1e309", "NaN", "0x1F", "\r\n", "a\r\nBcc: x@evil.example", "a\u2028b", "a\x85b",
    "\u2029", "\ufeff", "💥" * 50, "<script>alert(1)</script>", "{{7*7}}", "%00",
    "../../etc/passwd", "[::1]:25", "https://user:pw@[::1]:25/x", "xn--", ".", "a@b@c",
    "'; DROP TABLE customers; --", "1" * 4_400, "[" + "1" * 4_400 + "]",
]  # fmt: skip
ODD_SEGMENTS = ["99999999999999999999", "9" * 5_000, "-1", "0", "%ff%fe", "%00", "x" * 3_000,
                "%E2%80%A8", "..", "%2F%2F"]  # fmt: skip
GOOD = {
    "host": "mail.kunde.test", "port": "587", "encryption": "tls", "username": "it@kunde.test",
    "sender": "it@kunde.test", "recipient": "it@kunde.test", "password": "geheim-123",
    "allow_plain": "", "handover": "", "path": "smtp-own", "done": "1", "confirm": "y",
    "portal": "portal.kunde.test", "name": "Fuzz GmbH", "domain": "kunde.test",
    "contact": "it@kunde.test", "email": "fuzz@peiq.de", "verification_name": "mailjet._a1",
    "verification_value": "a1b2", "dkim_selector": "mailjet", "dkim_key": "", "auto": "1",
}  # fmt: skip
UPSTREAM = [mailjet.MESSAGES[code] for code in mailjet.UPSTREAM_STATUS]
INVALID_UTF8 = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]


def form_fields() -> set[str]:
    """Every field name of every form in mitwirkung.forms."""
    names = set()
    for cls in vars(forms).values():
        if isinstance(cls, type) and issubclass(cls, FlaskForm):
            names |= {n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField)}
    return names | {"auto", "next"}


# endpoints that end the fuzzing manager's session: used once, then logged in again
LOGS_OUT = ("manage.logout", "team.end_my_sessions", "team.end_sessions")


class Fuzzer:
    def __init__(self, app, db, manager_client, anonymous_client):
        self.app, self.db = app, db
        self.manager, self.anonymous = manager_client, anonymous_client
        self.rng = random.Random(SEED)
        self.fields = sorted(form_fields())
        self.sent, self.server_errors, self.upstream = 0, [], 0
        self.tokens: dict[str, tuple[str, str]] = {}  # path -> (edit, share)
        for path in ("smtp-own", "mailjet", "portal"):
            with app.test_request_context():
                customer, edit, share = store.create_customer(db, f"Fuzz {path}", "kunde.test",
                                                              None, "test")  # fmt: skip
            store.set_path(db, customer["id"], path, "test")
            if path == "mailjet":
                expect_mailjet(db, customer["id"])
            self.tokens[path] = (edit, share)
        with app.test_request_context():  # a customer only the manager routes act on
            self.target, _, _ = store.create_customer(db, "Ziel", None, None, "test")
        result = json.dumps(smtp_result_data(None))  # what a crashed check leaves
        run = {"customer_id": 1, "kind": "smtp", "state": "failed", "started_at": now(),
               "settings": "{}", "result": result}  # fmt: skip
        db.table("runs").insert(run)
        self.code = crypto.new_token()
        db.table("confirmations").insert({"token_hash": crypto.token_hash(self.code),
                                          "customer_id": 1, "run_id": 1,
                                          "created_at": now()})  # fmt: skip

    def good_values(self, rule, token: str | None) -> dict:
        values = {"token": token, "item_id": self.rng.choice(["smtp-settings", "mail-received",
                                                              "dns-spf", "portal-adopt"]),
                  "run_id": 1, "customer_id": self.target["id"], "code": self.code,
                  "which": self.rng.choice(["edit", "share"]), "filename": "app.css",
                  "manager_id": 1}  # fmt: skip
        return {name: values.get(name, "x") for name in rule.arguments}

    def url(self, rule, values: dict, broken: str | None) -> str:
        sentinel = 424242424  # fits every converter, replaced after building
        if broken:
            values = {**values, broken: sentinel}
        url = self.app.url_map.bind("localhost").build(rule.endpoint, values)
        return url.replace(str(sentinel), self.rng.choice(ODD_SEGMENTS))

    def body(self, data: dict, kind: str):
        """Return (data, content_type) for client.open in one of the encodings."""
        if kind == "form":
            return data, None
        if kind == "multipart":
            parts = dict(data)
            for name in self.rng.sample(sorted(parts), k=min(2, len(parts))):
                parts[name] = (io.BytesIO(str(parts[name]).encode("utf-8", "replace")), "f.txt")
            return parts, "multipart/form-data"
        if kind == "bytes":
            raw = b"&".join(
                quote(k).encode() + b"=" + (self.rng.choice(INVALID_UTF8) if i % 2 else
                                            quote(str(v)).encode())
                for i, (k, v) in enumerate(data.items())
            )  # fmt: skip
            return raw + b"&" + self.rng.choice(INVALID_UTF8), "application/x-www-form-urlencoded"
        return str(data).encode(), "application/json"

    def send(self, rule, method: str, last: bool) -> None:
        manage = rule.rule.startswith("/manage/") and rule.endpoint != "manage.login"
        if rule.endpoint in LOGS_OUT and not last:
            manage = False  # logging the manager out (and in again) once is enough
        client = self.manager if manage else self.anonymous
        prefix = rule.rule[1:2]  # "c" or "s" for customer links
        path = self.rng.choice(sorted(self.tokens))
        token = self.tokens[path][0 if prefix == "c" else 1] if "token" in rule.arguments else None
        values = self.good_values(rule, token)
        if token:
            with self.app.app_context():
                csrf = link_csrf_token(token)
        else:
            csrf = self.session_csrf[client]
        data = {"csrf_token": csrf, **{f: GOOD.get(f, "x") for f in self.fields}}
        for _ in range(self.rng.randint(1, 3)):
            data[self.rng.choice(self.fields + ["csrf_token"])] = self.rng.choice(ODD)
        broken = None
        if rule.arguments and self.rng.random() < 0.5:
            broken = self.rng.choice(sorted(rule.arguments))
        url = self.url(rule, values, broken)
        if self.rng.random() < 0.3:
            url += "?" + self.rng.choice(["next=", "x=", "auto="]) + quote(self.rng.choice(ODD))
        headers = {"HX-Request": "true"} if self.rng.random() < 0.5 else {}
        kind = self.rng.choice(["form", "form", "multipart", "bytes", "json"])
        body, content_type = self.body(data, kind) if method != "GET" else (None, None)
        self.sent += 1
        try:
            response = client.open(url, method=method, data=body, content_type=content_type,
                                   headers=headers)  # fmt: skip
        except Exception as e:  # noqa: BLE001 - TESTING propagates what would be a 500
            self.server_errors.append((method, url[:120], kind, repr(e)[:200]))
            return
        response.close()  # static files are streamed from an open file
        if response.status_code in (502, 504) and any(m[:40] in response.text for m in UPSTREAM):
            self.upstream += 1  # Mailjet itself failed, said in German by design
        elif response.status_code >= 500:
            self.server_errors.append((method, url[:120], kind, response.status_code))
        if rule.endpoint in LOGS_OUT:
            self.login()

    def login(self):
        """Log the manager client in (again) and note both clients' session CSRF tokens."""
        page = self.manager.get("/manage/login").text
        self.manager.post(
            "/manage/login", data={"email": "am@peiq.de", "password": "richtig-geheim",
                                   "csrf_token": CSRF.search(page).group(1)},
        )  # fmt: skip
        self.session_csrf = {
            client: CSRF.search(client.get("/manage/login").text).group(1)
            for client in (self.manager, self.anonymous)
        }


@pytest.fixture(scope="module")
def mailjet_api():
    with MailjetApi() as server:
        server.add_domain("kunde.test")
        yield server


@pytest.fixture
def fuzz_app(app, kunde_dns, mailjet_api):
    app.config.update(
        MAILJET_API_URL=mailjet_api.url, MAILJET_API_KEY="peiq-key",
        MAILJET_API_SECRET="peiq-secret", MAILJET_TIMEOUT=2,
    )  # fmt: skip
    app.config.update(
        SMTP_ALLOWED_PORTS=[1], SMTP_TIMEOUT=1, DNS_NAMESERVERS=[kunde_dns.nameserver],
        DNS_TIMEOUT=1, SMTP_TESTS_PER_CUSTOMER=10_000, SMTP_TESTS_PER_ADDRESS=10_000,
        DNS_CHECKS_PER_CUSTOMER=10_000, DNS_CHECKS_PER_ADDRESS=10_000,
        MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_ENCRYPTION="none", MAIL_FROM="m@peiq.test",
    )  # fmt: skip
    return app


def test_no_route_answers_any_input_with_a_server_error(fuzz_app, auth, db):
    anonymous = fuzz_app.test_client()
    anonymous.environ_base["REMOTE_ADDR"] = "203.0.113.77"  # its wrong logins are its own
    fuzzer = Fuzzer(fuzz_app, db, fuzz_app.test_client(), anonymous)
    fuzzer.login()
    rules = sorted(fuzz_app.url_map.iter_rules(), key=lambda r: r.rule)
    pairs = [(r, m) for r in rules for m in sorted(r.methods - {"HEAD", "OPTIONS"})]
    for variant in range(VARIANTS):
        for rule, method in pairs:
            fuzzer.send(rule, method, last=variant == VARIANTS - 1)
    wait_until_done(db)
    print(f"fuzz: {fuzzer.sent} requests over {len(pairs)} route/method pairs, "
          f"{len(fuzzer.server_errors)} answered 5xx, "
          f"{fuzzer.upstream} said that Mailjet itself failed")  # fmt: skip
    assert fuzzer.sent == VARIANTS * len(pairs)
    assert not fuzzer.server_errors, fuzzer.server_errors[:10]
    for edit, share in fuzzer.tokens.values():  # every page still renders
        for url in (f"/c/{edit}", f"/s/{share}/status.json"):
            assert fuzzer.anonymous.get(url).status_code in (200, 404), url
