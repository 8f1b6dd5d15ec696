"""Kind `fields`: the customer fills the fields the TOML declares; valid values are stored
in the item's detail ({"values": {field id: value}}) and the item is done.

Validation per field type (catalog.FIELD_TYPES), codes worded in words/kinds.py:
- text: any printable text up to max_length characters;
- email: one addr-spec as RFC 5322 §3.4.1 defines it (address.addr_spec: dot-atom local
  part, a domain of LDH labels with a dot; RFC 5321 §4.5.3.1 limits);
- url: an absolute http(s) URL with a host (RFC 3986 §3: scheme ":" "//" authority),
  only characters a URI may contain (§2: unreserved, reserved, "%" HEX HEX; beyond ASCII
  the letters of an IRI, RFC 3987 §2.2) – so no space, '"', "<", ">", "\\", "^", "`",
  "{", "|", "}" – and no userinfo (§3.2.1 deprecates "user:password@"; a password must
  never be stored in a field);
- number: a decimal number, German comma or point ("12,5");
- choice: one of the declared choices.
A required field may not be empty; an optional empty field is stored as "". Bytes the
browser sent that are not UTF-8 (RFC 3629) arrive as U+FFFD (obligation_page.form_as_sent)
and are refused ("encoding"), never stored as percent-escapes.
"""

import re
from urllib.parse import urlsplit

from ..address import AddressError, addr_spec
from ..catalog import Field, Item
from .outcome import Outcome

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# RFC 3986 §2: what a URI may contain ("%" only before two hex digits); beyond ASCII the
# IRI letters of RFC 3987 (checked by isprintable before)
_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*$")


def _url_problem(value: str) -> str | None:
    """The problem code of an http(s) URL (RFC 3986), or None."""
    if not _URI_CHARS.match(value):
        return "url-chars"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 – raises ValueError for a port that is not a number
    except ValueError:
        return "url"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "url"
    if "@" in parts.netloc:
        return "url-userinfo"
    return None


def problem(f: Field, value: str) -> str | None:
    """Return the problem code of one value ("required", "too-long", "email", …) or None."""
    if not value:
        return "required" if f.required else None
    if len(value) > f.max_length:
        return "too-long"
    if "\ufffd" in value:
        return "encoding"
    if not value.isprintable():
        return "unprintable"
    if f.type == "email":
        try:
            addr_spec(value)
        except AddressError:
            return "email"
    elif f.type == "url":
        return _url_problem(value)
    elif f.type == "number" and not _NUMBER.match(value):
        return "number"
    elif f.type == "choice" and value not in f.choices:
        return "choice"
    return None


def submit(item: Item, form, row: dict | None) -> Outcome:
    """Validate every declared field of the form; store all values once all are valid."""
    values = {f.id: " ".join((form.get(f.id) or "").split()) for f in item.fields}
    errors = {f.id: code for f in item.fields if (code := problem(f, values[f.id]))}
    if errors:
        return Outcome(errors=errors, values=values)
    before = ((row or {}).get("detail") or {}).get("values")
    said = "saved" if before is None else ("unchanged" if before == values else "changed")
    return Outcome("done", {"values": values}, values=values, said=said)
