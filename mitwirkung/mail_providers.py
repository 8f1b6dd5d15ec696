"""Microsoft 365 / Google on the page: which provider typed or saved settings point at, and
the dated notice for them (checks/mailauth.py decides, checks/provider_wording.py words it).
"""

from __future__ import annotations

import asyncio
from datetime import date

from flask import current_app

from .checks import mailauth
from .checks.provider_wording import render_notice


def catalog() -> dict[str, mailauth.Provider]:
    """The providers of MAIL_AUTH_FILE, loaded once by create_app."""
    return current_app.extensions["mail_auth"]


def today(config) -> date:
    """Today, or the date in the TODAY setting (ISO, for tests and demonstrations)."""
    value = config.get("TODAY")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else date.today()


def recognise(config, host: str, sender: str) -> str:
    """The provider key of typed settings by host, else by the sender domain's MX ("" if none).

    Looks up the MX in at most min(DNS_TIMEOUT, 3) seconds; a DNS that does not answer
    recognises nothing.
    """
    timeout = min(float(config["DNS_TIMEOUT"]), 3.0)
    found, _ = asyncio.run(
        mailauth.recognise(
            catalog(),
            host=host or "",
            sender=sender or "",
            nameservers=config["DNS_NAMESERVERS"],
            timeout=timeout,
        )  # fmt: skip
    )
    return found.key if found else ""


def login_kind(no_login, auth_method: str | None) -> str:
    """ "none", "oauth" or "password" for a settings row or form."""
    if no_login:
        return "none"
    return "oauth" if auth_method == "oauth-m365" else "password"


def notice(config, provider_key: str | None, *, host: str, login: str) -> dict | None:
    """The rendered notice ({"code", "title", "text", "links"}) for the page, or None."""
    provider = catalog().get(provider_key or "")
    found = mailauth.notice(provider, login=login, today=today(config), host=host)
    return render_notice(found.code, found.params) if found else None
