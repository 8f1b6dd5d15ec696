"""Normalise a typed host, resolve it, and refuse every address that is not public."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver
import idna

from mitwirkung.checks.diagnose import HOST_EMPTY, describe
from mitwirkung.checks.resolver import make_resolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges that Python's is_global lets through but that must never be reached.
EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # CGNAT
        "169.254.169.254/32",  # cloud metadata
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/3",  # multicast and reserved
        "::/8",  # reserved: IPv4-compatible, -mapped, -translated (::ffff:0:0:0/96), loopback
        "64:ff9b::/96",  # NAT64 could reach internal IPv4
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 segment identifiers
        "fc00::/7",  # unique local, includes fd00:ec2::254 metadata
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)

_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
MAX_HOST_LENGTH = 253


class GuardError(Exception):
    """A host or address the SMTP test must not (or cannot) connect to."""

    def __init__(self, code: str, message: str, context: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.context = context  # what message was worded from (diagnose.describe), or None


def _fail(code: str, **context) -> GuardError:
    """Build a GuardError whose message is the German diagnosis for code."""
    return GuardError(code, describe(code, **context).message, context)


def normalize_host(raw: str) -> tuple[str, int | None]:
    """Return the A-label host (or canonical IP) and the port found in what the user typed."""
    text = (raw or "").strip()
    if not text:
        raise GuardError("invalid_host", HOST_EMPTY)
    if "@" in text:
        raise _fail("invalid_host", host=text, note="host_is_address")
    if any(ch.isspace() for ch in text):
        raise _fail("invalid_host", host=text, note="host_spaces")
    if "://" in text:
        text = urlsplit(text).netloc
    text = text.split("/", 1)[0]
    host, port = _split_port(text, raw)
    if host.endswith("."):
        host = host[:-1]
    literal = parse_ip_literal(host)
    if literal is not None:
        return str(literal), port
    if host and all(_NUMERIC_LABEL.match(label) for label in host.split(".")):
        raise _fail("invalid_host", host=raw.strip(), note="host_not_ip")
    return _a_label(host, raw), port


def _split_port(text: str, raw: str) -> tuple[str, int | None]:
    """Split "host:port", "[v6]:port" and bare IPv6 into host and port."""
    port_text = None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise _fail("invalid_host", host=raw.strip(), note="host_brackets")
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host = text
    if port_text is None:
        return host, None
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise _fail("invalid_host", host=raw.strip(), note="host_port")
    return host, int(port_text)


def _a_label(host: str, raw: str) -> str:
    """Return the lower-case IDNA A-label form of a host name, or raise invalid_host."""
    if not host:
        raise _fail("invalid_host", host=raw.strip(), note="host_missing")
    try:
        name = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise _fail("invalid_host", host=raw.strip(), note="host_characters") from None
    if len(name) > MAX_HOST_LENGTH or any(not label for label in name.split(".")):
        raise _fail("invalid_host", host=raw.strip(), note="host_too_long")
    return name.lower()


def parse_ip_literal(host: str) -> IPAddress | None:
    """Parse an IP literal, including decimal, hex and octal IPv4 spellings; None for names."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if "%" in host:  # scoped IPv6 such as fe80::1%eth0
        try:
            return ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return None
    labels = host.rstrip(".").split(".")
    if not labels or not all(_NUMERIC_LABEL.match(label) for label in labels) or len(labels) > 4:
        return None
    return _inet_aton(labels)


def _inet_aton(labels: list[str]) -> ipaddress.IPv4Address | None:
    """Read IPv4 the way inet_aton does ("127.1", "0x7f000001", "0177.0.0.1")."""
    numbers = []
    for label in labels:
        if label[:2].lower() == "0x":
            numbers.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            if not set(label) <= set("01234567"):
                return None
            numbers.append(int(label, 8))
        else:
            numbers.append(int(label))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def is_public(address: IPAddress) -> bool:
    """Return True when address is an ordinary public unicast address."""
    if not address.is_global or address.is_multicast or address.is_unspecified:
        return False
    if address.is_reserved:  # e.g. 240.0.0.0/4, and IPv6 outside the allocated ranges
        return False
    if any(address.version == net.version and address in net for net in EXTRA_BLOCKED):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            embedded.extend(address.teredo)
        if any(v4 is not None and not is_public(v4) for v4 in embedded):
            return False
    return True


def _networks(cidrs: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse the configured exempt networks."""
    return [ipaddress.ip_network(cidr, strict=False) for cidr in cidrs or ()]


def _check(address: IPAddress, host: str, networks) -> None:
    """Raise blocked_address unless address is public or explicitly allowed."""
    if any(address.version == net.version and address in net for net in networks):
        return
    if not is_public(address):
        raise _fail("blocked_address", host=host, address=str(address))


async def _lookup(resolver, host: str, rdtype: str) -> tuple[list[IPAddress], str | None]:
    """Resolve one address type; return the addresses and an error class, if any."""
    try:
        answer = await resolver.resolve(host + ".", rdtype, search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return [], "host_not_found"
    except (dns.resolver.NoNameservers, dns.exception.Timeout, dns.resolver.YXDOMAIN):
        return [], "dns_unavailable"
    except dns.exception.DNSException:
        return [], "dns_unavailable"
    addresses = [ipaddress.ip_address(rr.address) for rr in answer.rrset or ()]
    return addresses, None


async def vet(
    host: str,
    port: int,
    *,
    allowed_ports,
    allowed_networks,
    nameservers: list[str] | None,
    timeout: float,
) -> list[IPAddress]:
    """Resolve host and return its addresses if every one is allowed; else raise GuardError."""
    if port not in {int(p) for p in allowed_ports}:
        raise _fail(
            "blocked_port",
            host=host,
            port=port,
            allowed_ports=", ".join(str(p) for p in sorted(allowed_ports)),
        )
    networks = _networks(allowed_networks)
    literal = parse_ip_literal(host)
    if literal is not None:
        _check(literal, host, networks)
        return [literal]
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        raise _fail("blocked_address", host=host, address="127.0.0.1")
    resolver = make_resolver(nameservers, timeout)
    try:
        async with asyncio.timeout(timeout):
            results = await asyncio.gather(
                _lookup(resolver, name, "A"), _lookup(resolver, name, "AAAA")
            )
    except TimeoutError:
        raise _fail("dns_unavailable", host=host) from None
    addresses = [address for found, _ in results for address in found]
    errors = {error for _, error in results if error}
    if not addresses:
        code = "dns_unavailable" if "dns_unavailable" in errors else "host_not_found"
        raise _fail(code, host=host)
    for address in addresses:
        _check(address, host, networks)
    return list(dict.fromkeys(addresses))
