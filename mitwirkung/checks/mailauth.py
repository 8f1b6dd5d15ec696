"""Which mail provider SMTP settings point at, and what the end of its password login means.

Recognition reads what the provider's own systems say: the SMTP host typed, the MX records
of the sender's domain (RFC 5321 §5.1: the MX names the hosts that receive the domain's
mail) and the greeting (220) or EHLO reply of the server. The dates come from one data file
(data/providers/mail-auth.toml); the German words for the notices live in
checks/provider_wording.py. No Flask, no SQLite.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dns.exception
import dns.resolver

from .resolver import make_resolver

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "providers" / "mail-auth.toml"
LINK_KEYS = ("source", "removal_source", "oauth_guide", "smtp_auth_guide", "relay_guide",
             "app_registration", "error_codes", "app_passwords")  # fmt: skip


@dataclass(frozen=True)
class Provider:
    """One provider of data/providers/mail-auth.toml; default_off: password login off from."""

    key: str
    name: str
    hosts: tuple[str, ...]
    mx: tuple[str, ...]
    banner: tuple[str, ...]
    default_off: date
    default_off_text: str
    removal_text: str
    links: dict = field(default_factory=dict)


class MailAuthError(Exception):
    """The data file is missing or malformed."""


def load(path: str | Path = DEFAULT_FILE) -> dict[str, Provider]:
    """Read the providers file -> {key: Provider}; raises MailAuthError when it is unusable."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return {
            key: Provider(
                key=key,
                name=entry["name"],
                hosts=tuple(h.lower() for h in entry["hosts"]),
                mx=tuple(m.lower() for m in entry["mx"]),
                banner=tuple(b.lower() for b in entry["banner"]),
                default_off=entry["default_off"],
                default_off_text=entry["default_off_text"],
                removal_text=entry.get("removal_text", ""),
                links={k: entry[k] for k in LINK_KEYS if k in entry},
            )  # fmt: skip
            for key, entry in data.items()
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as e:
        raise MailAuthError(f"{path}: {e}") from e


@functools.cache
def default() -> dict[str, Provider]:
    """The providers of the shipped data file (read once per process)."""
    return load(DEFAULT_FILE)


def _name(value: str) -> str:
    return (value or "").strip().rstrip(".").lower()


def _ends(name: str, suffix: str) -> bool:
    return name == suffix or name.endswith("." + suffix)


def by_host(providers: dict[str, Provider], host: str) -> Provider | None:
    """The provider whose SMTP host name was typed (smtp.office365.com -> Microsoft 365)."""
    name = _name(host)
    return next((p for p in providers.values() if name and name in p.hosts), None)


def by_mx(providers: dict[str, Provider], mx_hosts) -> Provider | None:
    """The provider that receives the domain's mail, from its MX host names."""
    names = [_name(h) for h in mx_hosts]
    return next(
        (p for p in providers.values() for n in names if any(_ends(n, s) for s in p.mx)), None
    )


def by_banner(providers: dict[str, Provider], *texts: str) -> Provider | None:
    """The provider whose servers say these words in their greeting or EHLO reply."""
    said = " ".join(t or "" for t in texts).lower()
    return next((p for p in providers.values() if any(b in said for b in p.banner)), None)


async def mx_hosts(domain: str, *, nameservers, timeout: float) -> list[str]:
    """The MX host names of a domain ([] when it has none or the DNS does not answer)."""
    resolver = make_resolver(nameservers, timeout)
    try:
        answer = await resolver.resolve(_name(domain), "MX")
    except (dns.exception.DNSException, ValueError):
        return []
    return [str(r.exchange).rstrip(".") for r in answer]


async def recognise(providers, *, host: str = "", sender: str = "", nameservers=None,
                    timeout: float = 3.0) -> tuple[Provider | None, str]:  # fmt: skip
    """The provider of typed settings and how it was seen: ("host" | "mx" | "").

    The host decides first; otherwise the MX of the sender address's domain.
    """
    found = by_host(providers, host)
    if found:
        return found, "host"
    domain = sender.rpartition("@")[2] if "@" in (sender or "") else ""
    if domain:
        found = by_mx(providers, await mx_hosts(domain, nameservers=nameservers, timeout=timeout))
        if found:
            return found, "mx"
    return None, ""


@dataclass(frozen=True)
class Notice:
    """What the end of password login means for these settings: a code and its parameters."""

    code: str
    provider: str
    params: dict


def notice(provider: Provider | None, *, login: str, today: date, host: str = "",
           outcome: str | None = None) -> Notice | None:  # fmt: skip
    """The dated notice for a login kind ("password", "oauth", "none") with this provider.

    outcome: the SMTP test's failure class or "ok" (None before any test). Microsoft 365:
    before `default_off` a password login "works today, stops then"; from that day it is off
    by default and an administrator can re-enable it until the final removal.
    """
    if provider is None:
        return None
    params = {"name": provider.name, "off": provider.default_off_text,
              "off_date": provider.default_off.strftime("%d.%m.%Y"),
              "removal": provider.removal_text, **provider.links}  # fmt: skip
    relay_host = _name(host).startswith("smtp-relay.")
    if provider.key == "microsoft":
        if login == "oauth":
            return Notice("m365_oauth", provider.key, params)
        if login == "none":
            return Notice("m365_relay", provider.key, params)
        after = today >= provider.default_off
        if outcome == "ok":
            code = "m365_password_ok_after" if after else "m365_password_ok_before"
        else:
            code = "m365_password_after" if after else "m365_password_before"
        return Notice(code, provider.key, params)
    if provider.key == "google":
        if login == "none" or relay_host:
            return Notice("google_relay", provider.key, params)
        if login == "password":
            return Notice("google_password", provider.key, params)
    return None


# A generic failure class read with the provider in mind: (provider, login, code) -> code.
REFINED = {
    ("microsoft", "password", "auth_failed"): "auth_m365_failed",
    ("microsoft", "password", "auth_required"): "auth_m365_not_authenticated",
    ("microsoft", "password", "auth_required_not_offered"): "auth_m365_not_authenticated",
    ("microsoft", "none", "auth_required"): "auth_m365_not_authenticated",
    ("google", "password", "app_password_required"): "auth_google_app_password",
    ("google", "password", "auth_failed"): "auth_google_rejected",
    ("microsoft", "password", "auth_oauth_only"): "auth_m365_oauth_only",
}
# With a valid token Exchange Online answers 535 5.7.3 when the app may not use the mailbox.
OAUTH_REFUSED = {"auth_failed", "auth_refused", "auth_ip_refused"}


def refine(code: str, provider: Provider | None, login: str) -> str:
    """The failure class as this provider's documentation explains it (see REFINED)."""
    if login == "oauth" and code in OAUTH_REFUSED:
        return "oauth_smtp_refused"
    return REFINED.get((provider.key if provider else "", login, code), code)
