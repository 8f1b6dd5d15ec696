"""The Empfangsprüfung's receiver on 127.0.0.1 in a thread with its own event loop, for tests."""

from __future__ import annotations

import asyncio
import ssl
import threading

from mitwirkung import receiver
from mitwirkung.inbound_cli import make_receiver, tls_files


class InboundServer:
    """Run `receiver.start` for an app on a free loopback port until the block ends."""

    def __init__(self, app, *, tls: bool = True):
        self.app, self.tls = app, tls
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = None
        self.port = 0

    def __enter__(self) -> InboundServer:
        self.thread.start()
        context = receiver.tls_context(*tls_files(self.app)) if self.tls else None
        self.receiver = make_receiver(self.app)
        future = asyncio.run_coroutine_threadsafe(
            receiver.start(self.receiver, "127.0.0.1", 0, context), self.loop
        )
        self.server = future.result(10)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc) -> None:
        async def stop():
            self.server.close()
            await self.receiver.close_sessions()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def client_context() -> ssl.SSLContext:
    """A sender's opportunistic TLS: encrypt, do not verify (RFC 7435), as MTAs do to an MX."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
