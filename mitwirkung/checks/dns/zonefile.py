"""The records to publish as a zone-file snippet (RFC 1035 §5.1 master file format, BIND).

For IT staff who paste records in one piece: names relative to the zone ($ORIGIN, "@" for the
apex), TXT values as quoted character-strings of at most 255 octets each (RFC 1035 §3.3.14;
receivers join them without a separator, RFC 7208 §3.3 / RFC 6376 §3.6.2.2).
"""

from collections.abc import Iterable

from .wording import ZONE_NO_VALUE

TTL = 3600


def character_strings(value: str) -> str:
    """Return value as one or more quoted <character-string>s (RFC 1035 §5.1 escapes).

    `"` and `\\` are escaped with a backslash, bytes outside printable ASCII as \\DDD; each
    string carries at most 255 octets of the value.
    """
    data = value.encode()
    chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
    return " ".join(f'"{_escaped(chunk)}"' for chunk in chunks)


def _escaped(chunk: bytes) -> str:
    out = []
    for byte in chunk:
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return "".join(out)


def zone_snippet(domain: str, records: Iterable[dict], waiting: str = "") -> str:
    """Return the records (dicts with rtype, host, fqdn, expected) as a zone-file snippet.

    domain: the zone's name as an A-label, without trailing dot. A record without a value to
    offer becomes a comment line naming why (`waiting`, or "see the row"); every other line
    parses as a resource record relative to $ORIGIN.
    """
    lines = [f"$ORIGIN {domain.rstrip('.')}."]
    width = max((len(r["host"]) for r in records), default=1)
    for r in records:
        host = r["host"] or "@"
        if not r.get("expected"):
            why = waiting or ZONE_NO_VALUE
            lines.append(f"; {host} {r['rtype']}: {why}")
            continue
        value = character_strings(r["expected"]) if r["rtype"] == "TXT" else r["expected"]
        lines.append(f"{host:<{width}} {TTL} IN {r['rtype']} {value}")
    return "\n".join(lines) + "\n"
