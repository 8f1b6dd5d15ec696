"""A fake Microsoft identity platform on 127.0.0.1: the client-credentials token endpoint.

    with IdentityServer(tenant=TENANT, client=CLIENT, secret=SECRET) as idp:
        login_url = idp.url  # http://127.0.0.1:<port>; POST /{tenant}/oauth2/v2.0/token
        idp.issued  # the tokens handed out

Answers as Microsoft documents it (RFC 6749 §5.2 JSON with Microsoft's error_codes): an
unknown tenant (AADSTS90002), an unknown client (AADSTS700016), a wrong secret
(AADSTS7000215), an expired secret (expired=True, AADSTS7000222), consent missing
(consent=False, AADSTS65001).
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TENANT = "0b6c2a4e-1d3f-4a5b-9c7d-8e9f0a1b2c3d"
CLIENT = "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
SECRET = "Qx8~geheimerClientSchluessel.0123456789"
SCOPE = "https://outlook.office365.com/.default"


def _error(error: str, code: int, text: str) -> dict:
    return {"error": error, "error_description": f"AADSTS{code}: {text}",
            "error_codes": [code], "timestamp": "2026-12-06 23:00:00Z"}  # fmt: skip


class IdentityServer:
    def __init__(self, *, tenant=TENANT, client=CLIENT, secret=SECRET, expired=False,
                 consent=True):  # fmt: skip
        self.tenant, self.client, self.secret = tenant, client, secret
        self.expired, self.consent = expired, consent
        self.issued: list[str] = []
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output (and secrets) quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.requests.append(form)
                status, body = fake.answer(self.path, form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, form: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if parts[1:] != ["oauth2", "v2.0", "token"] or parts[0] != self.tenant:
            return 400, _error("invalid_request", 90002, f"Tenant '{parts[0]}' not found.")
        if form.get("grant_type") != "client_credentials" or form.get("scope") != SCOPE:
            return 400, _error("invalid_scope", 70011, "The provided value for scope is not valid.")
        if form.get("client_id") != self.client:
            return 400, _error("unauthorized_client", 700016,
                               f"Application with identifier '{form.get('client_id')}' was not "
                               "found in the directory.")  # fmt: skip
        if self.expired:
            return 401, _error("invalid_client", 7000222, "The provided client secret keys "
                               "for app are expired.")  # fmt: skip
        if form.get("client_secret") != self.secret:
            return 401, _error("invalid_client", 7000215, "Invalid client secret provided.")
        if not self.consent:
            return 400, _error("invalid_grant", 65001, "The user or administrator has not "
                               "consented to use the application.")  # fmt: skip
        token = "eyJ0eXAiOiJKV1Qi." + secrets.token_urlsafe(48)
        self.issued.append(token)
        return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token}

    def __enter__(self) -> IdentityServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
