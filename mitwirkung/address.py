"""The one check for every address the product mails to: exactly one addr-spec.

An address is `local-part@domain` with a dot-atom local part (RFC 5322 §3.2.3 and §3.4.1:
atext characters in dot-separated runs; RFC 6532 §3.2 adds non-ASCII letters), so no `,`
`(` `)` `:` `;` `<` `>` `"` `@` `[` `]` `\\` or space, which a mail library reads as list
separators, comments, groups or routes; and a domain of LDH labels, given as Unicode (IDN)
or A-labels (RFC 5891), with a dot. Limits: 64 octets for the local part, 254 for the whole
address (RFC 5321 §4.5.3.1). Quoted local parts are refused here: nobody the product writes
to needs one.
"""

from __future__ import annotations

import string

from .checks.smtp.message import a_labels
from .words.address import ADDRESS_PROBLEMS, EXAMPLE, SPACE

ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~")


def _atext(char: str) -> bool:
    """RFC 5322 atext, with RFC 6532 §3.2's UTF-8 letters (a server needs SMTPUTF8 then)."""
    return char in ATEXT or (ord(char) > 0x7F and char.isprintable() and not char.isspace())


class AddressError(ValueError):
    """Not one mailable address; str() is the German message for the field.

    AddressError(code, **params): code a key of words.address.ADDRESS_PROBLEMS (the German
    sentence, rendered when shown); AddressError(text) keeps a message another check worded.
    """

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(code)

    def __str__(self) -> str:
        if self.code not in ADDRESS_PROBLEMS:
            return self.code
        return ADDRESS_PROBLEMS[self.code].format(example=EXAMPLE, **self.params)


def addr_spec(value: str) -> str:
    """Return the address as sent (domain in A-labels), or raise AddressError (German).

    value: what a person typed; surrounding blanks and a leading "mailto:" are ignored.
    The returned string is the envelope recipient (RCPT TO) and the To header, unchanged.
    """
    value = (value or "").strip().removeprefix("mailto:")
    if value.count("@") != 1:
        if value.count("@") > 1:
            raise AddressError("several")
        raise AddressError("incomplete")
    local, domain = value.split("@")
    if not local or not domain:
        raise AddressError("incomplete")
    bad = sorted({c for c in local if not _atext(c) and c != "."})
    if bad:
        shown = " ".join(f"„{c}“" if c.strip() else SPACE for c in bad)
        raise AddressError("characters", shown=shown)
    if "=?" in local and "?=" in local:  # RFC 2047 §5: never an encoded-word in an addr-spec
        raise AddressError("encoded")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise AddressError("dots")
    if len(local) > 64:
        raise AddressError("local_too_long")
    if any(c.isspace() or c in '<>()[],;:"\\' for c in domain):
        raise AddressError("domain_characters")
    try:
        ascii_domain = a_labels(domain)
    except ValueError as e:  # message.AddressError carries its German sentence
        raise AddressError(getattr(e, "message", None) or str(e)) from None
    if "." not in ascii_domain.strip("."):
        raise AddressError("no_dot", domain=domain)
    address = f"{local}@{ascii_domain}"
    if len(address) > 254:
        raise AddressError("too_long")
    return address


def not_pruefadresse(address: str, inbound_domain: str | None) -> str:
    """Return address unless it is at inbound_domain (or below it), else raise AddressError.

    The Prüfadressen take only mails sent on the customer's path; the product itself never
    mails one from a field a person fills in (forwarding, contact), or the mail would count.
    address: as returned by addr_spec (domain in A-labels); compared case-insensitively.
    """
    if not inbound_domain:
        return address
    domain = address.rpartition("@")[2].rstrip(".").lower()
    own = a_labels(inbound_domain).rstrip(".").lower()
    if domain == own or domain.endswith("." + own):
        raise AddressError("pruefadresse", inbound_domain=inbound_domain)
    return address
