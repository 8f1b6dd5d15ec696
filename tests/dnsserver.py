"""A small authoritative DNS server on 127.0.0.1 serving zone text, for tests and benchmarks.

    with ZoneServer(zone_text, servfail=["broken.example."]) as server:
        resolver.nameservers = [Do53Nameserver("127.0.0.1", server.port)]

The zone text may hold several zones (one SOA each); a query outside all of them is REFUSED.
Records can also be given as dnslib RRs (rrs=), e.g. type 99 (SPF) records for the RFC 7208
test suite. silent_other= names answer the types they own and never answer any other type
(the suite's "TIMEOUT" entry after a name's records).
Wildcards ("*.name") answer for names that do not exist, as RFC 4592 describes.
dnslib's bundled ZoneResolver is not used: it answers NXDOMAIN where a name exists without the
asked type and does not follow CNAMEs.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterable

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import DNSHandler, DNSLogger, DNSServer

MAX_CNAME_CHAIN = 8


def _key(name) -> str:
    """Return the canonical lower-case absolute form of a name."""
    text = str(name).lower()
    return text if text.endswith(".") else text + "."


class _QuietLogger(DNSLogger):
    """Log nothing: test output stays clean."""

    def __init__(self):
        super().__init__(log="-recv,-send,-request,-reply,-truncated,-error,-data")


class _Handler(DNSHandler):
    """DNSHandler that can stay silent (for dropped names) instead of answering."""

    def handle(self):
        if self.server.socket_type == socket.SOCK_STREAM:
            self.protocol = "tcp"
            data = self.request.recv(8192)
            if len(data) < 2:
                return
            length = struct.unpack("!H", bytes(data[:2]))[0]
            while len(data) - 2 < length:
                more = self.request.recv(8192)
                if not more:
                    break
                data += more
            data = data[2:]
        else:
            self.protocol = "udp"
            data, connection = self.request
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return
        reply = self.server.resolver.resolve(request, self)
        if reply is None:
            return
        rdata = reply.pack()
        try:
            if self.protocol == "tcp":
                self.request.sendall(struct.pack("!H", len(rdata)) + rdata)
            else:
                connection.sendto(rdata, self.client_address)
        except OSError:
            pass


class _Resolver:
    """Answer from the records of one ZoneServer, with the server's fault injections."""

    def __init__(self, owner: ZoneServer):
        self.owner = owner

    def resolve(self, request: DNSRecord, handler) -> DNSRecord | None:
        owner = self.owner
        qname = _key(request.q.qname)
        qtype = QTYPE.get(request.q.qtype, str(request.q.qtype))
        with owner._lock:
            owner.queries.append((qname, qtype))
        if owner.delay:
            time.sleep(owner.delay)
        if qname in owner.drop:
            return None
        if qname in owner.silent_other and not any(
            r.rtype == request.q.qtype for r in owner.records.get(qname, [])
        ):
            return None
        reply = request.reply()
        if qname in owner.servfail:
            reply.header.aa = 0
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        origin = owner._origin_of(qname)
        if origin is None:
            reply.header.aa = 0
            reply.header.rcode = RCODE.REFUSED
            return reply
        if qname in owner.truncate and handler.protocol == "udp":
            reply.header.tc = 1
            return reply
        owner._answer(reply, qname, request.q.qtype, origin)
        return reply


class ZoneServer:
    """Serve zone text over UDP and TCP on one free port of 127.0.0.1."""

    def __init__(
        self,
        zone: str,
        *,
        delay: float = 0.0,
        servfail: Iterable[str] = (),
        drop: Iterable[str] = (),
        truncate: Iterable[str] = (),
        rrs: Iterable[RR] = (),
        silent_other: Iterable[str] = (),
    ):
        self.records: dict[str, list[RR]] = {}
        for rr in [*RR.fromZone(zone), *rrs]:
            self.records.setdefault(_key(rr.rname), []).append(rr)
        self.origins = sorted(
            {name for name, rrs in self.records.items() if any(r.rtype == QTYPE.SOA for r in rrs)},
            key=len,
            reverse=True,
        )
        self.delay = delay
        self.servfail = {_key(n) for n in servfail}
        self.drop = {_key(n) for n in drop}
        self.truncate = {_key(n) for n in truncate}
        self.silent_other = {_key(n) for n in silent_other}
        self.queries: list[tuple[str, str]] = []
        self.port = 0
        self.nameserver = ""
        self._lock = threading.Lock()
        self._servers: list[DNSServer] = []

    # --- zone logic -------------------------------------------------------------------------

    def _origin_of(self, name: str) -> str | None:
        """Return the closest zone origin containing name, or None when outside all zones."""
        for origin in self.origins:
            if name == origin or name.endswith("." + origin) or origin == ".":
                return origin
        return None

    def _exists(self, name: str) -> bool:
        """Tell whether name owns records or has descendants (an empty non-terminal)."""
        if name in self.records:
            return True
        suffix = "." + name
        return any(other.endswith(suffix) for other in self.records)

    def _synthesize(self, name: str) -> list[RR]:
        """Return the records a wildcard produces for a name that does not exist (RFC 4592).

        The wildcard "*.<closest encloser>" applies, where the closest encloser is the longest
        existing ancestor; the answer carries the asked name as owner.
        """
        if self._exists(name):
            return []
        labels = name.split(".")
        for start in range(1, len(labels) - 1):
            ancestor = ".".join(labels[start:])
            if self._exists(ancestor):
                wildcard = self.records.get("*." + ancestor, [])
                return [RR(name, r.rtype, r.rclass, r.ttl, r.rdata) for r in wildcard]
        return []

    def _answer(self, reply: DNSRecord, qname: str, qtype: int, origin: str) -> None:
        """Fill reply with answers for qname/qtype, following CNAMEs inside the zones."""
        reply.header.aa = 1
        name = qname
        for _ in range(MAX_CNAME_CHAIN):
            rrs = self.records.get(name) or self._synthesize(name)
            matching = [r for r in rrs if r.rtype == qtype or qtype == QTYPE.ANY]
            if matching:
                for rr in matching:
                    reply.add_answer(rr)
                return
            cnames = [r for r in rrs if r.rtype == QTYPE.CNAME]
            if cnames:
                reply.add_answer(cnames[0])
                name = _key(cnames[0].rdata.label)
                target_origin = self._origin_of(name)
                if target_origin is None:
                    return
                origin = target_origin
                continue
            if not self._exists(name) and not rrs:
                reply.header.rcode = RCODE.NXDOMAIN
            soa = [r for r in self.records.get(origin, []) if r.rtype == QTYPE.SOA]
            for rr in soa:
                reply.add_auth(rr)
            return

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> ZoneServer:
        """Bind UDP and TCP on the same free port and serve in background threads."""
        resolver = _Resolver(self)
        for _ in range(50):
            udp = DNSServer(
                resolver, address="127.0.0.1", port=0, logger=_QuietLogger(), handler=_Handler
            )
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(
                    resolver,
                    address="127.0.0.1",
                    port=port,
                    tcp=True,
                    logger=_QuietLogger(),
                    handler=_Handler,
                )
            except OSError:
                udp.server.server_close()
                continue
            break
        else:  # pragma: no cover - the OS kept handing out ports taken for TCP
            raise OSError("no free port for UDP and TCP")
        self._servers = [udp, tcp]
        for server in self._servers:
            server.start_thread()
        self.port = port
        self.nameserver = f"127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        for server in self._servers:
            server.server.shutdown()
            server.server.server_close()
        self._servers = []

    def __enter__(self) -> ZoneServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
