"""OAuth 2.0 for Microsoft 365: an app-only token by the client-credentials grant.

RFC 6749 §4.4: `POST {login_url}/{tenant}/oauth2/v2.0/token` with grant_type,
client_id, client_secret and scope in the form body; the answer is JSON with
`access_token`, or (RFC 6749 §5.2) `error` plus Microsoft's `error_codes` (AADSTS numbers,
https://learn.microsoft.com/entra/identity-platform/reference-error-codes), which decide the
failure class here. The token then goes into `AUTH XOAUTH2` (dialogue.py). Works with any
scheme, so tests point login_url at a fake on http://127.0.0.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from .classify import Failure

SCOPE = "https://outlook.office365.com/.default"
# A tenant is a GUID or a domain name (contoso.onmicrosoft.com); nothing else reaches the URL.
TENANT = re.compile(r"^(?:[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}|[a-z0-9.-]{3,253})$", re.I)
# AADSTS numbers -> failure class (Microsoft Entra error codes reference).
AADSTS = {
    90002: "oauth_tenant_unknown",  # tenant not found
    900023: "oauth_tenant_unknown",  # specified tenant identifier is neither a GUID nor a name
    90013: "oauth_tenant_unknown",
    700016: "oauth_client_unknown",  # application not found in the directory
    7000215: "oauth_secret_wrong",  # invalid client secret provided
    7000222: "oauth_secret_expired",  # the provided client secret keys are expired
    65001: "oauth_consent_missing",  # the user or administrator has not consented
    7000229: "oauth_consent_missing",  # the client application is missing service principal
    500011: "oauth_consent_missing",  # resource principal not found in the tenant
}


@dataclass(frozen=True)
class OAuthLogin:
    """The app registration's IDs and secret; the secret never shows in repr or logs."""

    tenant: str
    client_id: str
    secret: str = field(repr=False)
    login_url: str = "https://login.microsoftonline.com"


def token_url(login: OAuthLogin) -> str:
    """The token endpoint of the tenant (v2.0)."""
    return f"{login.login_url.rstrip('/')}/{quote(login.tenant, safe='')}/oauth2/v2.0/token"


async def fetch_token(login: OAuthLogin, *, timeout: float) -> str:
    """Return an access token for Exchange Online, or raise a classified Failure.

    timeout: seconds for the request. Failure codes: oauth_tenant_unknown,
    oauth_client_unknown, oauth_secret_wrong, oauth_secret_expired, oauth_consent_missing,
    oauth_token_failed, oauth_endpoint_unreachable; context tenant, client, aadsts.
    """
    context = {"tenant": login.tenant, "client": login.client_id}
    if not TENANT.match(login.tenant or ""):
        raise Failure("oauth_tenant_invalid", **context)
    body = {"grant_type": "client_credentials", "client_id": login.client_id,
            "client_secret": login.secret, "scope": SCOPE}  # fmt: skip
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            response = await client.post(token_url(login), data=body)
    except httpx.HTTPError as e:
        raise Failure("oauth_endpoint_unreachable", detail=type(e).__name__, **context) from None
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    token = data.get("access_token")
    if response.status_code == 200 and isinstance(token, str) and token:
        return token
    codes = [c for c in data.get("error_codes") or [] if isinstance(c, int)]
    aadsts = ", ".join(f"AADSTS{c}" for c in codes) or str(data.get("error") or "")
    aadsts = aadsts or f"HTTP {response.status_code}"
    code = next((AADSTS[c] for c in codes if c in AADSTS), None)
    if code is None and response.status_code >= 500:
        code = "oauth_endpoint_unreachable"
    raise Failure(code or "oauth_token_failed", aadsts=aadsts[:120], **context)
