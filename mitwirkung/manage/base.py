"""The `manage` blueprint and what every manager view shares.

`load_manager` runs before each request of this blueprint (and of team, bulk and notes): it
loads the logged-in manager into `g.manager` or redirects to the login page. `actor()` names
the manager in events ("manager:<e-mail>"); `customer_or_404` loads a customer row or 404s.
"""

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .. import accounts, store
from ..db import get_db
from ..words import access as words

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.before_request
def load_manager():
    """Load the logged-in manager; everything but the login page requires one."""
    sid = session.get("sid")
    g.manager = accounts.session_manager(get_db(), sid)  # None once logged out or deactivated
    if g.manager is None and request.endpoint not in ("manage.login", "team.set_password"):
        if sid:
            session.clear()
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("manage.login", next=target))


def actor() -> str:
    return f"manager:{g.manager['email']}"


def customer_or_404(customer_id: int) -> dict:
    customer = store.get_customer(get_db(), customer_id)
    if customer is None:
        abort(404)
    return customer


@bp.errorhandler(404)
def not_found(e):
    """A manager's 404 speaks to the manager, not to a customer with an old link."""
    page = render_template(
        "error.html",
        title=words.NOT_FOUND_TITLE,
        text=words.NOT_FOUND,
        back=url_for("manage.dashboard"),
    )
    return page, 404


def contact_choices(db, current: int | None = None) -> list[tuple[str, str]]:
    """Who can be a customer's PEIQ contact: nobody in particular or an active manager.

    A deactivated manager stays in the list while they are `current`, so saving other
    particulars does not silently change the contact.
    """
    rows = db.query(
        "SELECT id, name, email, active FROM managers WHERE active = 1 OR id IS ?"
        " ORDER BY name COLLATE NOCASE",
        [current],
    )
    return [("", "niemand Bestimmtes (alle Account Manager:innen)")] + [
        (str(m["id"]), f"{m['name']} ({m['email']})" + ("" if m["active"] else " – deaktiviert"))
        for m in rows
    ]


def same_domain(db, domain: str | None, but: int | None = None) -> list[dict]:
    """Customers (archived ones included) that already use this sender domain."""
    if not domain:
        return []
    rows = db.query(
        "SELECT id, name, archived_at FROM customers WHERE domain = ? AND id IS NOT ? ORDER BY id",
        [domain, but],
    )
    return list(rows)
