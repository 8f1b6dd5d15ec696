"""The one service object the app builds in `create_app`: what runs and mails need.

Views reach it through `service()`; run kinds (mitwirkung/runs) take it as their first
argument instead of a database, a runner and the config one by one.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlite_utils import Database

from .catalog import Catalog, Obligation
from .db import ThreadConnections, get_db
from .runner import Runner


@dataclass(frozen=True)
class Service:
    """The app's database, runner, settings and obligation, built once per app.

    `connections` hands each thread its own connection (`db`), the very one `db.get_db()`
    gives a request on that thread, so a run started in a view writes in the view's
    transaction. `confirm_url(code)` is the absolute link a test mail carries
    (`/bestaetigen/<code>` under BASE_URL).
    """

    config: Mapping
    connections: ThreadConnections
    runner: Runner
    obligation: Obligation
    confirm_url: Callable[[str], str]

    @property
    def db(self) -> Database:
        """This thread's connection: in an app context the one `get_db()` gives (so the
        context's teardown ends any transaction left open), else the thread's own."""
        return get_db() if has_app_context() else self.connections.get()


def service() -> Service:
    """The current app's service object."""
    return current_app.extensions["service"]


def obligation() -> Obligation:
    """The SMTP obligation (catalog.SMTP_OBLIGATION), the first of the catalog."""
    return current_app.extensions["obligation"]


def obligations() -> Catalog:
    """The catalog of every loaded obligation."""
    return current_app.extensions["obligations"]
