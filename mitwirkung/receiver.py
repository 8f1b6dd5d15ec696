"""Empfangsprüfung, wire side: the inbound SMTP server that receives and judges mail.

`flask --app app inbound serve` runs it (aiosmtpd on asyncio). It accepts RCPT only for live
Prüfadressen (`inbound.recipient`) and refuses every other recipient with 550 at RCPT, so it
never relays and never bounces. STARTTLS is offered (RFC 3207). Bounded: message size
(INBOUND_MAX_SIZE, announced as SIZE, RFC 1870), text lines of 1000 octets with CRLF
(RFC 5321 §4.5.3.1.6), connections per client address, and the time of one session. A message
with a bare LF or CR is refused: RFC 5321 §2.3.8 allows CR and LF only together as CRLF, and
a receiver that reads a bare LF as a line end can be made to see a second, smuggled message.

Bounded per message and over time: mails accepted per Prüfadresse and per customer within an
hour (INBOUND_MAILS_PER_ADDRESS / _PER_CUSTOMER; beyond them RCPT gets 450 4.2.1, a transient
reply so a real sender retries later, RFC 5321 §4.2.2 and §4.2.5), the header bytes stored
(HEADERS_KEPT), the mails kept per path (inbound.KEEP_MAILS). The verdict runs in a worker
thread (its parsing and RSA/Ed25519 verification are CPU work that would stall every other
session's greeting on the event loop) under a hard deadline, INBOUND_JUDGE_TIMEOUT seconds;
a message not judged by then gets 451 and nothing is stored. The greeting names no software.
"""

import asyncio
import inspect
import logging
import ssl
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask

from . import inbound
from .checks.reverse import reverse_name
from .db import get_db, now
from .runs import receipt

log = logging.getLogger(__name__)
HEADERS_KEPT = 16 * 1024  # bytes of the header section stored with the verdict
MAX_RECIPIENTS = 10
RATE_WINDOW = 3600.0  # seconds over which accepted mails are counted
IDENT = "ESMTP"  # the greeting's text after the host name: no software name, no version
DNS_SHARE = 0.8  # share of the judge's deadline its DNS lookups may use (the rest: verifying)


@dataclass(frozen=True)
class Limits:
    max_size: int  # bytes of one message (after dot-unstuffing)
    per_address: int  # open connections of one client address
    session_seconds: float  # whole session, from connect to close
    idle_seconds: float  # silence before the server hangs up (aiosmtpd's timeout)
    mails_per_address: int = 10  # mails accepted per Prüfadresse within RATE_WINDOW
    mails_per_customer: int = 30  # mails accepted per customer (all paths) within RATE_WINDOW
    keep_mails: int = inbound.KEEP_MAILS  # judged mails kept per customer, path and kind


def limits_from(config) -> Limits:
    return Limits(
        max_size=int(config["INBOUND_MAX_SIZE"]),
        per_address=int(config["INBOUND_CONNECTIONS_PER_ADDRESS"]),
        session_seconds=float(config["INBOUND_SESSION_SECONDS"]),
        idle_seconds=min(60.0, float(config["INBOUND_SESSION_SECONDS"])),
        mails_per_address=int(config["INBOUND_MAILS_PER_ADDRESS"]),
        mails_per_customer=int(config["INBOUND_MAILS_PER_CUSTOMER"]),
        keep_mails=int(config.get("INBOUND_KEEP_MAILS", inbound.KEEP_MAILS)),
    )


def has_bare_newline(raw: bytes) -> bool:
    """True when CR or LF occur other than as CRLF (RFC 5321 §2.3.8)."""
    return raw.count(b"\n") != raw.count(b"\r\n") or raw.count(b"\r") != raw.count(b"\r\n")


def header_section(raw: bytes) -> str:
    """The header section (up to the first empty line), bounded, as text for storage."""
    end = raw.find(b"\r\n\r\n")
    head = raw[: end + 2] if end >= 0 else raw
    return head[:HEADERS_KEPT].decode("utf-8", "replace")


class Rate:
    """Accepted mails per key within RATE_WINDOW seconds (a sliding window, in memory)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.seen: dict[object, deque[float]] = {}

    def full(self, key, at: float) -> bool:
        times = self.seen.get(key)
        while times and times[0] <= at - RATE_WINDOW:
            times.popleft()
        if times is not None and not times:
            del self.seen[key]
        return len(self.seen.get(key, ())) >= self.limit

    def take(self, key, at: float) -> None:
        self.seen.setdefault(key, deque()).append(at)


class Receiver:
    """The receiver's state and its way into the database (one app, one event loop).

    `judge(raw, *, peer_ip, helo, mail_from, nameservers, timeout)` returns a verdict with
    `to_dict()`; a blocking judge runs in a worker thread, a coroutine function on the loop.
    `state_of(verdict)` returns done/warning/failed.
    """

    def __init__(self, app: Flask, judge, state_of):
        self.app, self.judge, self.state_of = app, judge, state_of
        self.limits = limits_from(app.config)
        self.domain = app.config["INBOUND_DOMAIN"]
        self.nameservers = app.config["DNS_NAMESERVERS"]
        self.timeout = float(app.config["INBOUND_JUDGE_TIMEOUT"])
        self.open: Counter[str] = Counter()
        self.sessions: set[SMTP] = set()  # open connections, closed on shutdown
        # One writer thread: concurrent SQLite writers would wait in SQLite's busy handler,
        # which sleeps in growing steps; queued here they follow each other at once.
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="inbound-writer")
        # Verdicts are CPU work (header parsing, RSA): off the event loop, a few at a time.
        self.judges = ThreadPoolExecutor(2, thread_name_prefix="inbound-judge")
        self.per_address = Rate(self.limits.mails_per_address)
        self.per_customer = Rate(self.limits.mails_per_customer)

    async def close_sessions(self) -> None:
        """Close every open connection, wait until they are gone (at most 5 s), then let the
        writer finish what it was given."""
        for session in list(self.sessions):
            if session.transport is not None:
                session.transport.close()
        for _ in range(100):
            if not self.sessions:
                break
            await asyncio.sleep(0.05)
        await asyncio.to_thread(self.writer.shutdown)
        await asyncio.to_thread(partial(self.judges.shutdown, cancel_futures=True))

    def admit_mail(self, target: dict) -> bool:
        """Count one mail for the target's address and customer; False when either is full."""
        at = time.monotonic()
        address, customer = target["address_id"], target["customer_id"]
        if self.per_address.full(address, at) or self.per_customer.full(customer, at):
            return False
        self.per_address.take(address, at)
        self.per_customer.take(customer, at)
        return True

    def admit(self, ip: str) -> bool:
        if self.open[ip] >= self.limits.per_address:
            return False
        self.open[ip] += 1
        return True

    def release(self, ip: str) -> None:
        self.open[ip] -= 1
        if self.open[ip] <= 0:
            del self.open[ip]

    def _lookup(self, address: str) -> dict | None:
        with self.app.app_context():
            return inbound.recipient(get_db(), self.domain, address)

    def _store(self, targets: list[dict], mail: receipt.Judged) -> list[int]:
        with self.app.app_context():
            db = get_db()
            return [receipt.record(db, t, mail, self.limits.keep_mails) for t in targets]

    async def lookup(self, address: str) -> dict | None:
        return await asyncio.to_thread(self._lookup, address)

    async def receive(self, session: Session, envelope: Envelope) -> list[int]:
        """Judge one accepted message and store it for every Prüfadresse it was sent to."""
        raw: bytes = envelope.original_content or b""
        peer_ip = session.peer[0] if session.peer else ""
        mail_from = "" if envelope.mail_from in ("<>", None) else envelope.mail_from
        helo = session.host_name or ""
        reverse, verdict = await asyncio.gather(
            reverse_name(peer_ip, nameservers=self.nameservers, timeout=self.timeout),
            self._judge(raw, peer_ip, helo, mail_from),
        )
        tls = session.ssl.get("ssl_object") if session.ssl else None
        facts = {
            "received_at": now(),
            "peer_ip": peer_ip,
            "reverse_name": reverse.name,
            "reverse_confirmed": int(reverse.confirmed),
            "helo": helo[:255],
            "mail_from": mail_from[:320],
            "tls_version": tls.version() if tls else None,
            "tls_cipher": tls.cipher()[0] if tls else None,
            "size": len(raw),
            "headers": header_section(raw),
        }
        judged = receipt.Judged(facts, verdict.to_dict(), self.state_of(verdict))
        targets = envelope.targets  # set by Handler.handle_RCPT
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.writer, self._store, targets, judged)

    async def _judge(self, raw: bytes, peer_ip: str, helo: str, mail_from: str):
        """The verdict within self.timeout seconds (DNS gets DNS_SHARE of it); raises
        TimeoutError after that, whatever the judge still does (its thread ends on its own:
        its work is bounded, see checks.inbound)."""
        call = partial(
            self.judge, raw, peer_ip=peer_ip, helo=helo, mail_from=mail_from,
            nameservers=self.nameservers, timeout=self.timeout * DNS_SHARE,
        )  # fmt: skip
        if inspect.iscoroutinefunction(self.judge) or inspect.iscoroutinefunction(
            getattr(self.judge, "func", None)
        ):
            return await asyncio.wait_for(call(), self.timeout)
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(self.judges, call), self.timeout)


class Handler:
    """aiosmtpd hooks: recipients are checked at RCPT, messages judged at the end of DATA."""

    def __init__(self, receiver: Receiver):
        self.receiver = receiver

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        targets = getattr(envelope, "targets", None)
        if targets is None:
            targets = envelope.targets = []
        if len(targets) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        target = await self.receiver.lookup(address)
        if target is None:
            # RFC 5321 §4.2.2 / RFC 3463 X.1.1: the mailbox does not exist here; no relaying
            return "550 5.1.1 No such Pruefadresse here; this server accepts no other mail"
        if all(t["address_id"] != target["address_id"] for t in targets):
            if not self.receiver.admit_mail(target):
                # RFC 5321 §4.2.5: 450, mailbox unavailable for now (policy); the sender
                # retries later. RFC 3463 X.2.1: the mailbox does not accept mail right now.
                return "450 4.2.1 Too many mails to this Pruefadresse recently, try again later"
            targets.append(target)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        if has_bare_newline(raw):
            return "554 5.6.0 Bare CR or LF not allowed, only CRLF (RFC 5321 section 2.3.8)"
        try:
            await self.receiver.receive(session, envelope)
        except TimeoutError:
            log.warning("inbound: judging a message took longer than INBOUND_JUDGE_TIMEOUT")
            return "451 4.4.3 Could not judge the message in time, please try again later"
        except Exception:  # noqa: BLE001 - a sender retries a 451; nothing half-stored
            log.exception("inbound: judging or storing a message failed")
            return "451 4.3.0 Could not process the message now, please try again later"
        return "250 2.0.0 OK: received and judged"


class ReceiverSMTP(SMTP):
    """aiosmtpd's SMTP with a connection limit per client address and a session deadline."""

    def __init__(self, handler: Handler, **kwargs):
        super().__init__(handler, **kwargs)
        self.receiver = handler.receiver
        self._ip: str | None = None
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self._original_transport is None and self.transport is None
        super().connection_made(transport)
        if not first:  # the same session after STARTTLS
            return
        self.receiver.sessions.add(self)
        peer = transport.get_extra_info("peername")
        ip = peer[0] if peer else ""
        if not self.receiver.admit(ip):
            transport.write(b"421 4.7.0 Too many connections from your address\r\n")
            transport.close()
            return
        self._ip = ip
        self._deadline = self.loop.call_later(
            self.receiver.limits.session_seconds, self._session_over
        )

    def _session_over(self) -> None:
        if self.transport is not None:
            self.transport.write(b"421 4.4.2 Session time limit exceeded, closing\r\n")
            self.transport.close()

    def connection_lost(self, error) -> None:
        self.receiver.sessions.discard(self)
        if self._deadline is not None:
            self._deadline.cancel()
        if self._ip is not None:
            self.receiver.release(self._ip)
            self._ip = None
        super().connection_lost(error)


def tls_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


async def start(receiver: Receiver, host: str, port: int, context: ssl.SSLContext | None):
    """Listen on host:port and return the asyncio server (close it to stop)."""
    handler = Handler(receiver)
    loop = asyncio.get_running_loop()

    def factory():
        return ReceiverSMTP(
            handler, data_size_limit=receiver.limits.max_size, hostname=receiver.domain,
            tls_context=context, timeout=receiver.limits.idle_seconds, loop=loop, ident=IDENT,
        )  # fmt: skip

    return await loop.create_server(factory, host=host, port=port)
