"""Turn whatever a person typed into a sender domain (A-label, lower case), or explain why not."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import idna

from .domain_wording import DOMAIN_PROBLEMS

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_PORT = re.compile(r":\d{1,5}$", re.ASCII)


class DomainError(ValueError):
    """Raised when the input is not a usable domain: code (a key of DOMAIN_PROBLEMS) and
    params; message and str() are the German sentence, rendered from the catalog."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(code)

    @property
    def message(self) -> str:
        return DOMAIN_PROBLEMS[self.code].format(**self.params)

    def __str__(self) -> str:
        return self.message


def normalize_domain(raw: str) -> str:
    """Return the domain in raw as lower-case A-label without trailing dot and "www."."""
    text = _INVISIBLE.sub("", raw or "").strip().strip("<>").strip()
    if not text:
        raise DomainError("empty")
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "://" in text:
        text = urlsplit(text).netloc
    else:
        text = re.split(r"[/?#]", text, maxsplit=1)[0]
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = _PORT.sub("", text.strip())
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.rstrip(".").strip()
    if not text:
        raise DomainError("empty")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise DomainError("ip_address", text=text)
    if re.search(r"\s", text):
        raise DomainError("spaces")
    try:
        domain = idna.encode(text, uts46=True, std3_rules=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        raise DomainError("invalid", text=text) from None
    labels = domain.split(".")
    if labels[0] == "www" and len(labels) > 2:
        labels = labels[1:]
        domain = ".".join(labels)
    if len(labels) < 2:
        raise DomainError("incomplete", text=text)
    if labels[-1].isdigit() or len(domain) > 253:
        raise DomainError("invalid_short", text=text)
    return domain


def display_domain(domain: str) -> str:
    """Return a domain in Unicode form for display (A-labels decoded where valid).

    A name the IDNA rules do not cover as a whole ("_dmarc.xn--mller-verlag-dlb.de": labels
    with "_" are no host names, RFC 5890 §2.3.2.3) is decoded label by label, so a person
    reads "_dmarc.müller-verlag.de"; on the wire only the A-label form is used.
    """
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    if "xn--" not in domain.lower():
        return domain
    return ".".join(_display_label(label) for label in domain.split("."))


def _display_label(label: str) -> str:
    """Return one A-label decoded (U-label), any other label as it is."""
    if not label.lower().startswith("xn--"):
        return label
    try:
        return idna.decode(label)
    except (idna.IDNAError, UnicodeError, ValueError):
        return label


def relative_host(fqdn: str, domain: str) -> str:
    """Return the host part of fqdn as a DNS panel asks for it ("@" for the domain itself)."""
    fqdn, domain = fqdn.rstrip(".").lower(), domain.rstrip(".").lower()
    if fqdn == domain:
        return "@"
    if fqdn.endswith("." + domain):
        return fqdn[: -len(domain) - 1]
    return fqdn


def absolute_name(name: str, domain: str) -> str:
    """Return name as full name: kept when it already ends in domain, otherwise made relative."""
    name = name.strip().strip('"').rstrip(".").lower()
    domain = domain.rstrip(".").lower()
    if name in ("", "@"):
        return domain
    try:
        name = idna.encode(name, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        pass  # names with underscores are no IDNs; keep them as typed
    if name == domain or name.endswith("." + domain):
        return name
    return f"{name}.{domain}"
