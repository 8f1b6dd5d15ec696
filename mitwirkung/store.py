"""Reads and writes of customers, item states and events; every state change is an event."""

import json

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from . import crypto
from .catalog import SMTP_OBLIGATION
from .db import now


def _event(
    db: Database, customer_id: int, actor: str, kind: str, item_id=None, data=None,
    obligation_id: str | None = SMTP_OBLIGATION,
) -> None:  # fmt: skip
    db.table("events").insert(
        {
            "customer_id": customer_id,
            "at": now(),
            "actor": actor,
            "kind": kind,
            "item_id": item_id,
            "data": json.dumps(data or {}, ensure_ascii=False),
            "obligation_id": obligation_id,
        }
    )


def add_event(
    db: Database,
    customer_id: int,
    actor: str,
    kind: str,
    item_id=None,
    data=None,
    *,
    activity: bool = True,
    obligation_id: str | None = SMTP_OBLIGATION,
):
    """Append an audit event of an obligation (None: of the customer as a whole); it marks
    the customer active unless activity=False."""
    with db.atomic():
        _event(db, customer_id, actor, kind, item_id, data, obligation_id)
        _touch(db, customer_id, activity)


def _touch(db: Database, customer_id: int, activity: bool = True) -> None:
    if not activity:  # e.g. a reminder: the page changes, the customer did nothing
        db.execute("UPDATE customers SET revision = revision + 1 WHERE id = ?", [customer_id])
        return
    db.execute(
        "UPDATE customers SET last_activity_at = ?, revision = revision + 1 WHERE id = ?",
        [now(), customer_id],
    )


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


def add_obligation(db: Database, customer_id: int, obligation_id: str, path: str | None) -> None:
    """Give a customer one more obligation (last on the page), with this path (or none yet).

    Adding one the customer has already changes nothing.
    """
    with db.atomic():
        position = db.execute(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM customer_obligations WHERE customer_id = ?",
            [customer_id],
        ).fetchone()[0]
        db.execute(
            "INSERT OR IGNORE INTO customer_obligations"
            " (customer_id, obligation_id, path, position, added_at) VALUES (?, ?, ?, ?, ?)",
            [customer_id, obligation_id, path, position, now()],
        )
        if obligation_id == SMTP_OBLIGATION and path:
            db.execute("UPDATE customers SET path = ? WHERE id = ?", [path, customer_id])


def customer_obligations(db: Database, customer_id: int) -> list[dict]:
    """Return the customer's obligations in page order: [{"obligation_id", "path", …}]."""
    return list(
        db.query(
            "SELECT * FROM customer_obligations WHERE customer_id = ? ORDER BY position",
            [customer_id],
        )
    )


def chosen_path(db: Database, customer_id: int, obligation_id: str) -> str | None:
    """Return the path chosen for one of the customer's obligations, or None."""
    if obligation_id == SMTP_OBLIGATION:  # customers.path is the SMTP obligation's path
        customer = get_customer(db, customer_id)
        return customer["path"] if customer else None
    row = db.execute(
        "SELECT path FROM customer_obligations WHERE customer_id = ? AND obligation_id = ?",
        [customer_id, obligation_id],
    ).fetchone()
    return row[0] if row else None


def similar_customers(db: Database, name: str, domain: str | None) -> list[dict]:
    """Customers (archived ones included) with the same name (case and spaces aside) or domain.

    Each row has id, name, domain, archived_at and `same` ("Name" or "Absender-Domain").
    """
    rows = db.query(
        "SELECT id, name, domain, archived_at, CASE WHEN domain = ? THEN 'Absender-Domain'"
        " ELSE 'Name' END AS same FROM customers WHERE domain = ?"
        " OR lower(trim(name)) = lower(trim(?)) ORDER BY id",
        [domain, domain, name],
    )
    return list(rows)


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


def get_row(db: Database, table: str, key) -> dict | None:
    """Return the row with this primary key, or None."""
    try:
        return db.table(table).get(key)
    except NotFoundError:
        return None


def get_customer(db: Database, customer_id: int) -> dict | None:
    return get_row(db, "customers", customer_id)


# Items whose evidence belongs to the path it was reached on (PRODUCT.md §1): a mail that
# arrived through the PORTAL proves nothing about the customer's own SMTP mailbox. Their rows
# are stored under "<item>:<path>", and only the chosen path's row is ever read.
PER_PATH_ITEMS = frozenset({"mail-received"})


def _state_key(item_id: str, path: str | None) -> str:
    return f"{item_id}:{path}" if item_id in PER_PATH_ITEMS else item_id


def _rows_for_path(rows, path: str | None) -> dict[str, dict]:
    """Map stored rows to item ids as the chosen path sees them; other paths' evidence drops."""
    result = {}
    for row in rows:
        item_id, _, row_path = row["item_id"].partition(":")
        if item_id in PER_PATH_ITEMS and (not row_path or row_path != path):
            continue
        row = dict(row, item_id=item_id, detail=json.loads(row["detail"] or "{}"))
        result[item_id] = row
    return result


# With "Mein Server braucht keine Anmeldung" there is no password to hand over: the item
# reads "Nicht nötig" and counts as done, wherever progress is computed.
NOT_NEEDED = {"smtp-password": "Ihr Server braucht keine Anmeldung, also auch kein Passwort."}


def _without_login(db: Database, customer_ids) -> set[int]:
    ids = list(customer_ids)
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT customer_id FROM smtp_settings WHERE no_login AND customer_id IN ({marks})", ids
    ).fetchall()
    return {r[0] for r in rows}


def _mark_not_needed(result: dict[str, dict], customer_id: int) -> dict[str, dict]:
    for item_id, reason in NOT_NEEDED.items():
        row = result.get(item_id)
        if row is None or row["state"] != "done":
            result[item_id] = {
                "customer_id": customer_id, "item_id": item_id, "state": "done",
                "detail": {"not_needed": True, "message": reason},
                "updated_at": row["updated_at"] if row else None, "updated_by": "system",
            }  # fmt: skip
    return result


def item_rows(
    db: Database, customer_id: int, path: str | None = None, *,
    obligation_id: str = SMTP_OBLIGATION,
) -> dict[str, dict]:  # fmt: skip
    """Return an obligation's {item_id: row} as seen on a path (default: the chosen one),
    detail decoded.

    Items in NOT_NEEDED read done with detail {"not_needed": True} when the saved SMTP
    settings need no login.
    """
    if path is None:
        path = chosen_path(db, customer_id, obligation_id)
    rows = db.table("item_states").rows_where(
        "customer_id = ? AND obligation_id = ?", [customer_id, obligation_id]
    )
    if obligation_id != SMTP_OBLIGATION:
        return {r["item_id"]: dict(r, detail=json.loads(r["detail"] or "{}")) for r in rows}
    result = _rows_for_path(rows, path)
    if _without_login(db, [customer_id]):
        _mark_not_needed(result, customer_id)
    return result


def set_item(
    db: Database,
    customer_id: int,
    item_id: str,
    state: str,
    actor: str,
    detail=None,
    path: str | None = None,
    *,
    kind: str = "item-state",
    obligation_id: str = SMTP_OBLIGATION,
):
    """Set an obligation's item state (with an audit event of this kind) in one transaction.

    Items in PER_PATH_ITEMS are set for `path`. Web code names the path it judged the
    evidence on, read in its own transaction; the default (the path chosen now) would race
    with a path switch and is only for scripts and tests.

    The history records changes, not repetitions: a plain state write ("item-state") that
    leaves state and detail as they were (apart from REPEAT_KEYS, e.g. the run's id) updates
    the row but appends no event – an automatic re-check every minute writes nothing new.
    """
    per_path = obligation_id == SMTP_OBLIGATION and item_id in PER_PATH_ITEMS
    key = _state_key(item_id, path) if obligation_id == SMTP_OBLIGATION else item_id
    with db.atomic():
        if per_path:
            path = path or get_customer(db, customer_id)["path"]
            detail = {**(detail or {}), "path": path}
            key = _state_key(item_id, path)
        text = json.dumps(detail or {}, ensure_ascii=False)
        same = db.execute(
            "SELECT 1 FROM item_states WHERE customer_id = ? AND obligation_id = ?"
            " AND item_id = ? AND state = ? AND detail = ?",
            [customer_id, obligation_id, key, state, text],
        ).fetchone()
        if same and kind == "item-state":
            return  # nothing changes: no revision, no event (a repeated click)
        before = db.execute(
            "SELECT state, detail, updated_at FROM item_states"
            " WHERE customer_id = ? AND obligation_id = ? AND item_id = ?",
            [customer_id, obligation_id, key],
        ).fetchone()
        repeated = (
            kind == "item-state"
            and before is not None
            and before[0] == state
            and _same(json.loads(before[1] or "{}"), detail or {})
        )
        db.table("item_states").upsert(
            {
                "customer_id": customer_id,
                "obligation_id": obligation_id,
                "item_id": key,
                "state": state,
                "detail": json.dumps(detail or {}, ensure_ascii=False),
                # a repetition changed nothing a person reads: "zuletzt geändert" stays
                "updated_at": before[2] if repeated else now(),
                "updated_by": actor,
            },
            pk=("customer_id", "obligation_id", "item_id"),
        )
        if repeated:
            _touch(db, customer_id, activity=False)  # the row changed (run id), nothing else
            return
        data = {"state": state, **(detail or {})}
        _event(db, customer_id, actor, kind, item_id, data, obligation_id)
        _touch(db, customer_id)


# Detail keys that differ between otherwise identical verdicts (which run, when).
REPEAT_KEYS = frozenset({"run_id", "checked_at", "previous", "duration"})


def _same(old: dict, new: dict) -> bool:
    def strip(d):
        return {k: v for k, v in d.items() if k not in REPEAT_KEYS}

    return strip(old) == strip(json.loads(json.dumps(new, ensure_ascii=False)))


def all_item_rows(db: Database) -> list[dict]:
    """Return the SMTP obligation's item state rows of active customers as their chosen
    path sees them."""
    rows = db.query(
        "SELECT s.*, c.path AS chosen_path FROM item_states s"
        " JOIN customers c ON c.id = s.customer_id WHERE c.archived_at IS NULL"
        " AND s.obligation_id = ?",
        [SMTP_OBLIGATION],
    )
    grouped: dict[int, list] = {}
    paths: dict[int, str | None] = {}
    for row in rows:
        paths[row["customer_id"]] = row.pop("chosen_path")
        grouped.setdefault(row["customer_id"], []).append(row)
    no_login = _without_login(db, grouped)
    result = []
    for cid, rs in grouped.items():
        rows = _rows_for_path(rs, paths[cid])
        if cid in no_login:
            _mark_not_needed(rows, cid)
        result += rows.values()
    return result


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


def set_path(
    db: Database, customer_id: int, path_id: str, actor: str, *,
    obligation_id: str = SMTP_OBLIGATION,
) -> None:  # fmt: skip
    """Choose an obligation's path; the other paths' item states stay as they are.

    Choosing the path already chosen changes nothing: no revision, no event (each new
    revision is a new page in every worker's cache). The SMTP obligation's path is also
    `customers.path`.
    """
    with db.atomic():
        if chosen_path(db, customer_id, obligation_id) == path_id:
            return
        if obligation_id == SMTP_OBLIGATION:
            db.table("customers").update(customer_id, {"path": path_id})
        db.execute(
            "UPDATE customer_obligations SET path = ? WHERE customer_id = ? AND obligation_id = ?",
            [path_id, customer_id, obligation_id],
        )
        _event(db, customer_id, actor, "path-chosen", data={"path": path_id},
               obligation_id=obligation_id)  # fmt: skip
        _touch(db, customer_id)


def events(db: Database, customer_id: int, limit: int = 50) -> list[dict]:
    rows = db.query(
        "SELECT * FROM events WHERE customer_id = ? ORDER BY id DESC LIMIT ?", [customer_id, limit]
    )
    return [dict(r, data=json.loads(r["data"] or "{}")) for r in rows]


EVENT_WORDS = {
    "customer-created": "Kund:in angelegt",
    "customer-archived": "Kund:in archiviert",
    "customer-restored": "Kund:in wiederhergestellt",
    "path-chosen": "Weg gewählt",
    "item-state": "Schritt",
    "edit-link-rotated": "Kund:innen-Link erneuert (der alte gilt nicht mehr)",
    "share-link-rotated": "Nur-Lese-Link erneuert (der alte gilt nicht mehr)",
    "secret-handed-over": "Passwort verschlüsselt übergeben",
    "secret-revealed": "Passwort einmal angezeigt und gelöscht",
    "secret-expired": "Passwort nicht abgeholt und nach Ablauf gelöscht",
    "mailjet-expectation": "Mailjet-Werte gespeichert",
    "customer-edited": "Angaben geändert",
    "peiq-contact-changed": "PEIQ-Ansprechpartner:in geändert",
    "reminders-muted": "Erinnerungen an die Kund:in abgeschaltet",
    "reminders-unmuted": "Erinnerungen an die Kund:in wieder eingeschaltet",
    "link-mailed": "Kund:innen-Link per E-Mail geschickt",
    "reminder-sent": "Erinnerung an die Kund:in geschickt",
    "peiq-acknowledged": "Meldung „DNS-Einträge stehen“ gesehen; PEIQ schließt die Einrichtung"
    " bei Mailjet ab",
    "peiq-help-acknowledged": "Hilferuf gesehen (die Kund:in meldete sich, obwohl noch nicht alle"
    " DNS-Einträge in Ordnung waren); PEIQ meldet sich bei der Kund:in",
    "drift-incident": "Überwachung: ein DNS-Eintrag fiel zweimal hintereinander durch",
    "drift-resolved": "Überwachung: der DNS-Eintrag ist wieder in Ordnung",
    "mailjet-fetched": "Werte von Mailjet geholt",
    "mailjet-test-mail": "Testmail über Mailjet",
    "mailjet-checked": "Mailjet hat die Einträge geprüft",
    "mailjet-subaccount": "Zugang zum Mailjet-Unterkonto gespeichert (verschlüsselt)",
    "mailjet-subaccount-deleted": "Zugang zum Mailjet-Unterkonto gelöscht",
    "values-ready-mailed": "Kund:in per E-Mail Bescheid gegeben: die DNS-Einträge stehen bereit",
    "records-forwarded": "DNS-Einträge per E-Mail an eine IT-Kolleg:in weitergeleitet",
    "customer-told": "Kund:in per E-Mail Bescheid gegeben, dass PEIQ gehandelt hat",
    "mail-received-inbound": "Mail an die Prüfadresse empfangen und geprüft",
    "inbound-address-rotated": "Neue Prüfadresse erzeugt (die alte nimmt keine Mails mehr an)",
    "m365-password-end": "Microsoft 365 hat die Anmeldung mit Passwort abgeschaltet: Kund:in und "
    "PEIQ per E-Mail gebeten, neu zu testen oder auf OAuth 2.0 umzustellen",
    "m365-password-end-unsent": "Microsoft 365 hat die Anmeldung mit Passwort abgeschaltet: keine "
    "E-Mail möglich (MAIL_SERVER fehlt) – bitte die Kund:in selbst informieren",
}


def actor_label(actor: str | None) -> str:
    """Say in German who did something."""
    if actor and actor.startswith("manager:"):
        return actor.removeprefix("manager:")
    return {
        "customer": "Kund:in",
        "recipient": "Empfänger:in der Testmail",
        "receiver": "Empfangsprüfung",
        "system": "System",
        "auto": "System (automatische Prüfung)",
        "cli": "Kommandozeile",
        "seed": "Demo",
        "jobs": "System (Zeitplan)",
    }.get(actor or "", actor or "–")
