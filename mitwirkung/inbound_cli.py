"""`flask --app app inbound serve`: the Empfangsprüfung's receiver, until stopped."""

import asyncio
from functools import partial

import click
import dns.resolver
from flask import Flask, current_app
from flask.cli import AppGroup

from . import receiver
from .checks.inbound import item_state, judge_message
from .tlsfiles import ensure_self_signed
from .words import cli as words

inbound = AppGroup("inbound", help=words.GROUP_INBOUND)


def tls_files(app: Flask) -> tuple[str, str]:
    """The configured certificate and key, or a self-signed pair kept in the instance folder."""
    cert, key = app.config["INBOUND_TLS_CERT"], app.config["INBOUND_TLS_KEY"]
    if cert and key:
        return cert, key
    return ensure_self_signed(app.instance_path, app.config["INBOUND_DOMAIN"])


def make_receiver(app: Flask) -> receiver.Receiver:
    """A receiver whose verdicts share one DNS cache (dnspython's, honouring the TTLs, safe
    across threads); each verdict runs blocking in the receiver's worker threads."""
    judge = partial(judge_message, cache=dns.resolver.Cache())
    return receiver.Receiver(app, judge, item_state)


@inbound.command("serve")
@click.option("--host", default=None, help=words.HELP["host"])
@click.option("--port", default=None, type=int, help=words.HELP["port"])
def serve(host, port):
    """Nimmt Mails an Prüfadressen an, prüft sie wie ein Empfangsserver und hakt ab."""
    app = current_app._get_current_object()
    host = host or app.config["INBOUND_HOST"]
    port = port or int(app.config["INBOUND_PORT"])
    context = receiver.tls_context(*tls_files(app))

    async def run():
        inbox = make_receiver(app)
        server = await receiver.start(inbox, host, port, context)
        click.echo(
            words.INBOUND_LISTENING.format(
                host=host, port=port, domain=app.config["INBOUND_DOMAIN"]
            )
        )
        try:
            async with server:
                await server.serve_forever()
        finally:
            await inbox.close_sessions()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


def init_app(app: Flask) -> None:
    app.cli.add_command(inbound)
