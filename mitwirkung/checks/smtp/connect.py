"""TCP for the SMTP test: connect to exactly the vetted addresses, and peek for implicit TLS."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl

from mitwirkung.checks.diagnose import line
from mitwirkung.checks.netguard import IPAddress

from .tls import diagnosis_context


async def open_socket(address: IPAddress, port: int) -> socket.socket:
    """Connect a non-blocking TCP socket to exactly the vetted address."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(sock, (str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


async def connect_first(addresses: list[IPAddress], port: int, timeout: float, note):
    """Return (address, socket) of the first address that accepts; note(line) logs each try.

    Raises the last OSError (or TimeoutError) when none answers; with several addresses
    each gets an equal share of timeout (seconds).
    """
    error: OSError | None = None
    share = timeout / max(len(addresses), 1)
    for address in addresses:
        note(line("connecting", address=address, port=port), address)
        try:
            async with asyncio.timeout(share if len(addresses) > 1 else None):
                sock = await open_socket(address, port)
            note(line("connected", address=address, port=port), address)
            return address, sock
        except (OSError, TimeoutError) as exc:
            error = exc if isinstance(exc, OSError) else TimeoutError()
            note(line("not_connected", error=oserror_text(exc)), address)
    raise error or TimeoutError()


async def speaks_tls(address: IPAddress, port: int, host: str) -> bool:
    """Return True if the server completes a TLS handshake right after connecting."""
    sock = await open_socket(address, port)
    try:
        _, writer = await asyncio.open_connection(
            sock=sock, ssl=diagnosis_context(), server_hostname=host
        )
    except (OSError, ValueError):
        sock.close()
        return False
    except BaseException:
        sock.close()
        raise
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    return True


async def greets_in_plain(address: IPAddress, port: int, wait: float) -> bool:
    """Return True if the server sends an SMTP greeting ("220 …") in plain text within wait s.

    Used after a TLS handshake the server ended: a server that waits before greeting
    (e.g. Postfix postscreen) hangs up on a TLS hello instead of answering it.
    """
    sock = await open_socket(address, port)
    writer = None
    try:
        reader, writer = await asyncio.open_connection(sock=sock)
        async with asyncio.timeout(wait):
            return (await reader.readline()).startswith(b"220")
    except (OSError, TimeoutError):
        return False
    finally:
        if writer is not None:
            writer.transport.abort()
        else:
            sock.close()


async def alert_after_starttls(
    address: IPAddress, port: int, host: str | None, ehlo_name: str, wait: float
) -> str:
    """Return the OpenSSL reason of a TLS alert the server sends right after STARTTLS, or "".

    In TLS 1.3 the server judges the client's certificate after the client has finished the
    handshake (RFC 8446 §4.4.2); its alert (e.g. certificate_required) comes with the first
    read. The SMTP test has already written EHLO by then, and a server that closes with
    unread data resets the connection, losing the alert. This probe sends nothing after the
    handshake and only listens (wait seconds).
    """
    sock = await open_socket(address, port)
    writer = None
    try:
        reader, writer = await asyncio.open_connection(sock=sock)
        async with asyncio.timeout(wait):
            await _reply(reader)
            writer.write(f"EHLO {ehlo_name}\r\n".encode("ascii"))
            await _reply(reader)
            writer.write(b"STARTTLS\r\n")
            if not (await _reply(reader)).startswith(b"220"):
                return ""
            await writer.start_tls(diagnosis_context(), server_hostname=host)
            await reader.read(1)
    except ssl.SSLError as error:
        return getattr(error, "reason", None) or ""
    except (OSError, TimeoutError, ValueError, EOFError):
        return ""
    finally:
        if writer is not None:
            writer.transport.abort()
        else:
            sock.close()
    return ""


async def _reply(reader: asyncio.StreamReader) -> bytes:
    """Read one (multi-line) SMTP reply; return its last line."""
    while True:
        text = await reader.readline()
        if not text or text[3:4] != b"-":
            return text


def oserror_text(exc: BaseException) -> str:
    """A short technical description of a connect error for the transcript."""
    if isinstance(exc, TimeoutError):
        return line("timeout")
    return exc.strerror or exc.__class__.__name__ if isinstance(exc, OSError) else str(exc)
