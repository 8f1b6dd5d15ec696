"""Customers and their links: create, look up by token, rotate, archive and restore."""

from sqlite_utils import Database

from .. import crypto
from ..catalog import SMTP_OBLIGATION
from ..db import now
from ..words.events import SIMILAR_SAME
from .history import _event, _touch
from .obligations import add_obligation
from .rows import get_customer, get_row

CREATOR = "creator"  # the default PEIQ contact of a new customer: the manager who created it


def create_customer(
    db: Database,
    name: str,
    domain: str | None,
    contact: str | None,
    actor: str,
    *,
    contact_manager_id: int | None | str = CREATOR,
    obligations: tuple[tuple[str, str | None], ...] = ((SMTP_OBLIGATION, None),),
):
    """Create a customer with fresh links; return (row, edit_token, share_token).

    The PEIQ contact is the creating manager unless contact_manager_id names one (or None:
    nobody in particular). `obligations` are (obligation id, path or None) in page order;
    the SMTP obligation's path is also `customers.path`.
    """
    edit, share = crypto.new_token(), crypto.new_token()
    with db.atomic():
        creator = manager_by_actor(db, actor)
        if contact_manager_id != CREATOR:
            creator = {"id": contact_manager_id} if contact_manager_id else None
        table = db.table("customers")
        table.insert(
            {
                "name": name,
                "domain": domain or None,
                "contact_email": contact or None,
                "edit_token_hash": crypto.token_hash(edit),
                "edit_token_enc": crypto.encrypt(edit),
                "share_token_hash": crypto.token_hash(share),
                "share_token_enc": crypto.encrypt(share),
                "created_at": now(),
                "last_activity_at": now(),
                "contact_manager_id": creator["id"] if creator else None,
            }
        )
        customer_id = table.last_pk
        for obligation_id, path in obligations:
            add_obligation(db, customer_id, obligation_id, path)
        customer = table.get(customer_id)
        _event(db, customer_id, actor, "customer-created", data={"name": name}, obligation_id=None)
    return customer, edit, share


def similar_customers(db: Database, name: str, domain: str | None) -> list[dict]:
    """Customers (archived ones included) with the same name (case and spaces aside) or domain.

    Each row has id, name, domain, archived_at and `same` ("Name" or "Absender-Domain").
    """
    rows = db.query(
        "SELECT id, name, domain, archived_at, CASE WHEN domain = ? THEN 'domain'"
        " ELSE 'name' END AS same FROM customers WHERE domain = ?"
        " OR lower(trim(name)) = lower(trim(?)) ORDER BY id",
        [domain, domain, name],
    )
    return [dict(r, same=SIMILAR_SAME[r["same"]]) for r in rows]


def manager_by_actor(db: Database, actor: str | None) -> dict | None:
    """Return the manager behind an actor "manager:EMAIL", or None."""
    if not actor or not actor.startswith("manager:"):
        return None
    rows = db.query("SELECT * FROM managers WHERE email = ?", [actor.removeprefix("manager:")])
    return next(iter(rows), None)


def peiq_contact(db: Database, customer: dict) -> dict | None:
    """Return the customer's assigned PEIQ contact as {"name", "email"}, or None.

    The assigned contact is the manager who created the customer unless a manager chose
    another one; None when nobody is assigned (e.g. created on the command line) or the
    assigned manager no longer exists or is deactivated.
    """
    manager_id = customer.get("contact_manager_id")
    row = get_row(db, "managers", manager_id) if manager_id else None
    if row and not row["active"]:
        return None  # deactivated: no longer anybody's contact, so everybody is told
    return {"name": row["name"], "email": row["email"]} if row else None


def rotate_link(db: Database, customer_id: int, which: str, actor: str) -> str:
    """Replace the edit or share token; the old link stops working at once."""
    assert which in ("edit", "share")
    token = crypto.new_token()
    with db.atomic():
        db.table("customers").update(
            customer_id,
            {
                f"{which}_token_hash": crypto.token_hash(token),
                f"{which}_token_enc": crypto.encrypt(token),
            },
        )
        _event(db, customer_id, actor, f"{which}-link-rotated", obligation_id=None)
    return token


def link_tokens(customer: dict) -> tuple[str | None, str | None]:
    """Return the customer's current (edit, share) tokens, decrypted."""
    return crypto.decrypt(customer["edit_token_enc"]), crypto.decrypt(customer["share_token_enc"])


_BY_TOKEN = {
    (which, archived): f"SELECT * FROM customers WHERE {which}_token_hash = ? "
    f"AND archived_at IS {'NOT ' * archived}NULL"
    for which in ("edit", "share")
    for archived in (False, True)
}


def customer_by_token(
    db: Database, token: str, which: str, *, archived: bool = False
) -> dict | None:
    """Look a live customer (or with archived=True an archived one) up by its token's hash.

    which is "edit" or "share" (KeyError otherwise). Runs on every request through a link,
    so it talks to sqlite3 directly (one indexed lookup, the row as a dict).
    """
    sql = _BY_TOKEN[which, archived]
    if not token or len(token) > 200:
        return None
    cursor = db.conn.execute(sql, [crypto.token_hash(token)])
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))


_REVISION_BY_TOKEN = {
    which: f"SELECT id, revision FROM customers WHERE {which}_token_hash = ? "
    "AND archived_at IS NULL"
    for which in ("edit", "share")
}


def revision_by_token(db: Database, token: str, which: str) -> tuple[int, int] | None:
    """Return (customer id, revision) of the live customer behind an "edit" or "share"
    token, or None: what deciding whether a cached page is current needs, nothing more."""
    if not token or len(token) > 200:
        return None
    return db.conn.execute(_REVISION_BY_TOKEN[which], [crypto.token_hash(token)]).fetchone()


def archive_customer(db: Database, customer_id: int, actor: str) -> None:
    """Archive a customer; its links stop working. Archiving an archived one changes nothing."""
    with db.atomic():
        if get_customer(db, customer_id)["archived_at"]:
            return
        db.table("customers").update(customer_id, {"archived_at": now()})
        _event(db, customer_id, actor, "customer-archived", obligation_id=None)
        _touch(db, customer_id)


def restore_customer(db: Database, customer_id: int, actor: str) -> None:
    """Bring an archived customer back; its links (the same as before) work again."""
    with db.atomic():
        if not get_customer(db, customer_id)["archived_at"]:
            return
        db.table("customers").update(customer_id, {"archived_at": None})
        _event(db, customer_id, actor, "customer-restored", obligation_id=None)
        _touch(db, customer_id)
