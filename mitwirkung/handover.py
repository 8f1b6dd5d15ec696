"""Secure hand-over of secrets (password, client secret): encrypted at rest, revealed once.

The rule lives here for every secret: handed over with a test only when that test's login
succeeded; a proven hand-over is never replaced by an unproven one; a hand-over without a test
is marked untested, for the customer and for PEIQ.
"""

from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from . import crypto, store
from .db import forget, now
from .words.handover import HANDOVER_TEXT
from .words.secret import cap, is_oauth, secret_words

KIND = "smtp-password"
ITEM = "smtp-password"

# What `hand_over_after_test` did with the secret, for the answer next to the test (German in
# HANDOVER_WORDS).
HANDED, LOGIN_FAILED, KEPT_PROVEN = "handed", "login_failed", "kept_proven"


def handover_words(code: str, settings=None) -> str:
    """German answer for a hand-over outcome `code`, naming the secret of `settings`."""
    words = secret_words(settings)
    return HANDOVER_TEXT[code].format(The=cap(words["the"]), **words)


HANDOVER_WORDS = {code: handover_words(code) for code in HANDOVER_TEXT}  # password wording


def _pending_row(db: Database, customer_id: int, kind: str) -> dict | None:
    rows = db.query(
        "SELECT id, created_at, expires_at, tested FROM secrets"
        " WHERE customer_id = ? AND kind = ? AND expires_at > ?",
        [customer_id, kind, now()],
    )
    return next(iter(rows), None)


def hand_over(
    db: Database,
    customer_id: int,
    secret: str,
    actor: str,
    max_age_days: int,
    *,
    tested: bool = False,
    kind: str = KIND,
) -> bool:
    """Store a secret (password, OAuth client secret) encrypted for PEIQ; mark `smtp-password`.

    The one rule for every secret: `tested=True` only when a test's login with exactly this
    secret succeeded (see `hand_over_after_test`); a pending tested secret is never replaced
    by an untested one (returns False, nothing stored); an untested hand-over is stored and
    shown as untested to the customer and to PEIQ. Returns True when stored. Expires after
    `max_age_days` days unrevealed.
    """
    return _store(db, customer_id, crypto.encrypt(secret), actor, max_age_days, tested, kind)


def seal(secret: str) -> str:
    """Encrypt a secret now (needs the app context) for `hand_over_after_test` later."""
    return crypto.encrypt(secret)


def _store(db, customer_id, ciphertext, actor, max_age_days, tested, kind) -> bool:
    expires = datetime.now(UTC) + timedelta(days=max_age_days)
    with db.atomic():
        current = _pending_row(db, customer_id, kind)
        if current and current["tested"] and not tested:
            return False
        replaced = db.execute(
            "DELETE FROM secrets WHERE customer_id = ? AND kind = ?", [customer_id, kind]
        ).rowcount
        db.table("secrets").insert(
            {
                "customer_id": customer_id,
                "kind": kind,
                "ciphertext": ciphertext,
                "created_at": now(),
                "expires_at": expires.isoformat(timespec="seconds"),
                "tested": int(tested),
            }
        )
        store.add_event(
            db, customer_id, actor, "secret-handed-over",
            data={"replaced": replaced, "tested": tested, "kind": kind,
                  "oauth": is_oauth(store.get_row(db, "smtp_settings", customer_id))},
        )  # fmt: skip
        store.set_item(
            db, customer_id, ITEM, "done", actor,
            {"via": "handover", "tested": tested, "kind": kind},
        )  # fmt: skip
    if replaced:
        forget(db)  # the replaced ciphertext leaves the file too (see db.forget)
    return True


def hand_over_after_test(
    db: Database,
    customer_id: int,
    sealed: str,
    *,
    login_succeeded: bool,
    actor: str,
    max_age_days: int,
    kind: str = KIND,
) -> str:
    """Hand over the secret a test used, only if that test's login (AUTH, RFC 4954) succeeded.

    Returns HANDED, or LOGIN_FAILED / KEPT_PROVEN (nothing stored; a pending secret stays as
    it was) — each a key of HANDOVER_WORDS. The refusal is an event, so PEIQ sees it.
    `sealed` is the secret as `seal` returned it (runs finish outside the app context).
    """
    if login_succeeded:
        _store(db, customer_id, sealed, actor, max_age_days, True, kind)
        return HANDED
    current = _pending_row(db, customer_id, kind)
    store.add_event(db, customer_id, actor, "secret-not-handed-over",
                    data={"reason": "login-failed", "kind": kind})  # fmt: skip
    return KEPT_PROVEN if current and current["tested"] else LOGIN_FAILED


def confirm_other_channel(db: Database, customer_id: int, actor: str) -> None:
    """The customer confirms the password travelled another secure way."""
    store.set_item(db, customer_id, "smtp-password", "done", actor, {"via": "other-channel"})


def pending(db: Database, customer_id: int, kind: str = KIND) -> dict | None:
    """Return {id, created_at, expires_at, tested (0/1)} of the unrevealed secret, or None."""
    return _pending_row(db, customer_id, kind)


def reveal(db: Database, customer_id: int, actor: str) -> str | None:
    """Decrypt and delete the handed-over password; it can be seen exactly once."""
    with db.atomic():
        rows = list(
            db.query(
                "SELECT id, ciphertext FROM secrets"
                " WHERE customer_id = ? AND kind = ? AND expires_at > ?",
                [customer_id, KIND, now()],
            )
        )
        if not rows:
            return None
        db.execute("DELETE FROM secrets WHERE id = ?", [rows[0]["id"]])
        oauth = is_oauth(store.get_row(db, "smtp_settings", customer_id))
        store.add_event(db, customer_id, actor, "secret-revealed", data={"oauth": oauth})
    forget(db)
    return crypto.decrypt(rows[0]["ciphertext"])


def purge_expired(db: Database) -> int:
    """Delete passwords nobody revealed within their time; each deletion is an event."""
    rows = list(db.query("SELECT id, customer_id FROM secrets WHERE expires_at < ?", [now()]))
    for row in rows:
        with db.atomic():
            db.execute("DELETE FROM secrets WHERE id = ?", [row["id"]])
            store.add_event(db, row["customer_id"], "system", "secret-expired")
    if rows:
        forget(db)
    return len(rows)
