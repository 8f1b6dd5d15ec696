"""Mail to the Empfangsprüfung's receiver on loopback (aiosmtplib, STARTTLS with the test CA),
and what the receiver stored."""

import asyncio
import re
from email.message import EmailMessage

import aiosmtplib
from inboundserver import client_context
from mailsigning import SigningKey

from mitwirkung import inbound

KUNDE_KEY = SigningKey.make(1024)  # the DKIM key of pps._domainkey.kunde.test
# kunde.test as the customer publishes it: SPF allows only 192.0.2.1, DMARC p=reject, DKIM
SIGNED_ZONE = f"""\
$ORIGIN kunde.test.
$TTL 60
@        IN SOA ns.kunde.test. hostmaster.kunde.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
@        IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc   IN TXT "v=DMARC1; p=reject"
pps._domainkey IN TXT {KUNDE_KEY.txt()}
"""
ADDRESS = re.compile(r'<code id="inbound-address">([^<]+)</code>')


def address_on(client, edit) -> str:
    """The Prüfadresse the customer's page /c/<edit> shows."""
    return ADDRESS.search(client.get(f"/c/{edit}").text).group(1)


def send(port, msg, *, sender="pps@kunde.test", recipients=None, tls=True, helo="pps.kunde.test"):
    """Send the EmailMessage to its To (or `recipients`); return aiosmtplib's sendmail answer."""
    return transmit(port, msg.as_bytes(), recipients or [msg["To"]], sender, tls, helo)


def deliver(port: int, raw: bytes, to: str, sender: str = "pps@kunde.test", tls: bool = True,
            helo: str = "pps.kunde.test") -> None:  # fmt: skip
    """Send the raw message (bytes, e.g. signed) to one recipient."""
    transmit(port, raw, [to], sender, tls, helo)


def transmit(port: int, raw: bytes, recipients: list[str], sender: str, tls: bool, helo: str):
    """One SMTP transaction from `helo` to 127.0.0.1:`port`, with STARTTLS when `tls`."""

    async def go():
        tls_kwargs = {"tls_context": client_context()} if tls else {}
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=tls,
                                 local_hostname=helo, timeout=10, **tls_kwargs)  # fmt: skip
        try:
            async with client:
                return await client.sendmail(sender, recipients, raw)
        finally:
            await asyncio.sleep(0.01)  # the transport closes in a callback: let it run

    return asyncio.run(go())


def message(to: str, sender="pps@kunde.test", size: int = 0) -> EmailMessage:
    """A plain system notification from `sender` to `to`, `size` extra bytes long."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, "Systembenachrichtigung"
    msg.set_content("Hallo\n" + "x" * size)
    return msg


def address_of(app, db, customer_id, path):
    """The customer's current Prüfadresse on `path` (created on first use)."""
    with app.app_context():
        return inbound.current_address(db, app.config, customer_id, path)


def mails(db):
    """Every row of inbound_mails, oldest first."""
    return list(db.query("SELECT * FROM inbound_mails ORDER BY id"))
