"""A Mailjet REST API (v3) on loopback for tests: the endpoints Mitwirkung calls, with
Mailjet's field names, envelopes (`Count`, `Data`, `Total`), error bodies and Basic auth.

Each domain the test registers has an ownership token and a DKIM key; the test decides what
Mailjet "sees" in the DNS (`published`) and whether the server answers at all (`hang`).
"""

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


DKIM_KEY = _public_key()


@dataclass
class Domain:
    name: str
    dns_id: int
    token: str
    dkim_key: str = DKIM_KEY
    sender_id: int | None = None
    sender_status: str = "Inactive"
    published: dict = field(default_factory=lambda: {"spf": [], "dkim": ""})
    dns_missing: bool = False  # GET /dns/<domain> answers 404 (domain in another account)
    spf_status: str = "Not checked"
    dkim_status: str = "Not checked"


class MailjetApi:
    """Start with `with MailjetApi() as api:`; `api.url` is the base for MAILJET_API_URL."""

    def __init__(self, key="peiq-key", secret="peiq-secret"):
        self.accounts = {key: secret}
        self.domains: dict[str, Domain] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, path, user)
        self.hang = threading.Event()  # set: every request waits until release
        self.fail_with: int | None = None  # e.g. 503: every request answers that
        self.release = threading.Event()
        # Mailjet also answers validate without the Data envelope (the bare object)
        self.validate_bare = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add_domain(self, name: str, token: str = "a1b2c3d4e5f6", dkim_key=DKIM_KEY) -> Domain:
        domain = Domain(name, 1000 + len(self.domains), token, dkim_key)
        self.domains[name] = domain
        return domain

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    # the endpoints -------------------------------------------------------------------
    def dns_entry(self, d: Domain) -> dict:
        return {
            "ID": d.dns_id,
            "Domain": d.name,
            "IsCheckInProgress": False,
            "LastCheckAt": "",
            "OwnerShipToken": d.token,
            "OwnerShipTokenRecordName": f"mailjet._{d.token[:8]}.{d.name}.",
            "DKIMRecordName": f"mailjet._domainkey.{d.name}.",
            "DKIMRecordValue": f"k=rsa; p={d.dkim_key}",
            "SPFRecordValue": "v=spf1 include:spf.mailjet.com ~all",
            "SPFStatus": d.spf_status,
            "DKIMStatus": d.dkim_status,
        }

    def sender_entry(self, d: Domain) -> dict:
        return {"ID": d.sender_id, "Email": f"*@{d.name}", "Status": d.sender_status,
                "DNSID": d.dns_id, "EmailType": "transactional", "Name": "",
                "IsDefaultSender": False, "CreatedAt": "2026-11-29T10:00:00Z",
                "Filename": ""}  # fmt: skip

    def route(self, method: str, path: str, query: dict, body: dict):
        parts = path.strip("/").split("/")
        if parts[:2] != ["v3", "REST"]:
            return 404, _error("Not found", 404)
        rest = parts[2:]
        if method == "POST" and rest == ["sender"]:
            email = str(body.get("Email", ""))
            d = self.domains.get(email.removeprefix("*@"))
            if d is None or not email.startswith("*@"):
                return 400, _error("Invalid email", 400)
            if d.sender_id is not None:
                return 400, _error(
                    'There is an already existing inactive sender with the same email. You can '
                    'use "validate" action in order to activate it.', 400)  # fmt: skip
            d.sender_id = 5000 + d.dns_id
            return 201, _data([self.sender_entry(d)])
        if method == "GET" and rest == ["sender"]:
            email = query.get("Email", [""])[0]
            d = self.domains.get(email.removeprefix("*@"))
            found = [self.sender_entry(d)] if d and d.sender_id is not None else []
            return 200, _data(found)
        if method == "GET" and len(rest) == 2 and rest[0] == "dns":
            d = self.domains.get(rest[1]) or self._by_dns_id(rest[1])
            if d is None or d.dns_missing:
                return 404, _error("Object not found", 404)
            return 200, _data([self.dns_entry(d)])
        if method == "POST" and len(rest) == 3 and rest[0] == "dns" and rest[2] == "check":
            d = self._by_dns_id(rest[1])
            if d is None:
                return 404, _error("Object not found", 404)
            return 200, _data([self.check(d)])
        if method == "POST" and len(rest) == 3 and rest[0] == "sender" and rest[2] == "validate":
            d = next((x for x in self.domains.values() if str(x.sender_id) == rest[1]), None)
            if d is None:
                return 404, _error("Object not found", 404)
            if d.sender_status == "Active":
                return 400, _error("Sender already active", 400)
            wrap = (lambda entry: entry) if self.validate_bare else (lambda entry: _data([entry]))
            if self.verified(d):
                d.sender_status = "Active"
                return 200, wrap({"Errors": {}, "ValidationMethod": "DNS", "GlobalError": ""})
            # Mailjet's documented failure: no method, the reason per method and overall
            errors = {"DNSValidationError": " DNS record verification failed as no TXT record "
                      "for that ownership token was found on the remote server."}  # fmt: skip
            return 200, wrap({"Errors": errors, "ValidationMethod": "", "GlobalError":
                              "Neither the file at your domain root nor the DNS TXT record "
                              "have been found to validate this sender."})  # fmt: skip
        if method == "DELETE" and len(rest) == 2 and rest[0] == "sender":
            d = next((x for x in self.domains.values() if str(x.sender_id) == rest[1]), None)
            if d is None:
                return 404, _error("Object not found", 404)
            d.sender_id, d.sender_status = None, "Inactive"
            return 204, None
        return 404, _error("Object not found", 404)

    def verified(self, d: Domain) -> bool:
        return d.published.get("token") == d.token

    def check(self, d: Domain) -> dict:
        spf = d.published.get("spf", [])
        d.spf_status = "OK" if any("include:spf.mailjet.com" in s for s in spf) else "Error"
        d.dkim_status = "OK" if d.dkim_key in d.published.get("dkim", "") else "Error"
        return {
            "DKIMErrors": {} if d.dkim_status == "OK" else {"DKIM": "No DKIM record found"},
            "DKIMRecordCurrentValue": d.published.get("dkim", ""),
            "DKIMStatus": d.dkim_status,
            "SPFErrors": {} if d.spf_status == "OK" else {"SPF": "No SPF record found"},
            "SPFRecordsCurrentValues": spf,
            "SPFStatus": d.spf_status,
        }

    def _by_dns_id(self, text: str) -> Domain | None:
        return next((d for d in self.domains.values() if str(d.dns_id) == text), None)


def _data(items: list) -> dict:
    return {"Count": len(items), "Data": items, "Total": len(items)}


def _error(message: str, status: int) -> dict:
    return {"ErrorInfo": "", "ErrorMessage": message, "StatusCode": status}


def _handler(api: MailjetApi):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, method: str):
            if api.hang.is_set():
                api.release.wait(30)
                return
            user = self._user()
            url = urlsplit(self.path)
            api.requests.append((method, url.path, user or ""))
            if user is None:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="Provide an apikey"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            if api.fail_with:
                status, payload = api.fail_with, _error("Service unavailable", api.fail_with)
            else:
                status, payload = api.route(method, url.path, parse_qs(url.query), body)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _user(self) -> str | None:
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Basic "):
                return None
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None
            return user if api.accounts.get(user) == password else None

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

        def do_DELETE(self):
            self._answer("DELETE")

    return Handler
