"""Account managers' accounts: password rules, one-time links, sessions, deactivation.

No Flask here: the web pages (team.py, manage.py) and the CLI (cli.py) call these functions
with a database and get rows, tokens or German refusals back.
"""

import hashlib
import json
import secrets
import threading
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database
from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

from .db import now
from .words import accounts as words
from .words.accounts import RULE_TEXT, SITE_WORDS

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_SCORE = 4  # zxcvbn's top score: about 10^10 guesses or more; 3 (10^8) let "Sommer2026!!" pass
ZXCVBN_MAX = 72  # zxcvbn refuses longer passwords; the first 72 characters are judged
INVITE_DAYS = 7
RESET_HOURS = 48
_ZXCVBN_LOCK = threading.Lock()  # zxcvbn keeps the user inputs in a module-level dict

RULE = RULE_TEXT.format(min_length=MIN_LENGTH)


class Refusal(ValueError):
    """A refused account action; the message is German and names what to do."""


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Return why this password is too weak (German), or None when it may be used.

    Rules: at least MIN_LENGTH characters, at most MAX_LENGTH, and zxcvbn (Dropbox's
    estimator: dictionaries of common passwords, names, keyboard patterns, dates) must rate
    it at least MIN_SCORE of 4, with the e-mail address and name counted as known words.
    """
    if len(password) < MIN_LENGTH:
        return words.TOO_SHORT.format(limit=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return words.TOO_LONG.format(limit=MAX_LENGTH)
    inputs = [email, email.split("@")[0], *name.split(), *SITE_WORDS]
    with _ZXCVBN_LOCK:
        result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[i for i in inputs if i])
    if result["score"] >= MIN_SCORE:
        return None
    reasons = []
    for match in result["sequence"]:
        key = match.get("dictionary_name") if match["pattern"] == "dictionary" else match["pattern"]
        if key == "user_inputs" and match.get("matched_word") in SITE_WORDS[5:]:
            key = "site_words"
        if key in words.WHY and words.WHY[key] not in reasons:
            reasons.append(words.WHY[key])
    why = words.WHY_PREFIX.format(reasons=words.AND.join(reasons)) if reasons else ""
    return words.TOO_WEAK.format(why=why, rule=RULE)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def record(db: Database, actor: str, kind: str, manager_id: int, **data) -> None:
    """Append one line to the team's history (who did what to which account)."""
    db.table("team_events").insert(
        {"at": now(), "actor": actor, "kind": kind, "manager_id": manager_id,
         "data": json.dumps(data, ensure_ascii=False)}
    )  # fmt: skip


def by_email(db: Database, email: str) -> dict | None:
    return next(db.query("SELECT * FROM managers WHERE email = ?", [email.lower()]), None)


def by_id(db: Database, manager_id: int) -> dict | None:
    return next(db.query("SELECT * FROM managers WHERE id = ?", [manager_id]), None)


def create_manager(db: Database, email: str, password: str, name: str | None = None) -> dict:
    """Create an account manager with a hashed password (no rules: callers check them)."""
    table = db.table("managers")
    at = now()
    table.insert(
        {
            "email": email.lower(),
            "name": name or email.split("@")[0],
            "password_hash": generate_password_hash(password),
            "created_at": at,
            "password_set_at": at,
        }
    )
    return table.get(table.last_pk)


def issue_token(db: Database, manager_id: int, purpose: str, actor: str) -> tuple[str, str]:
    """Return (token, expires_at) of a new one-time link; older links of this manager die.

    purpose is "invite" (valid INVITE_DAYS days) or "reset" (RESET_HOURS hours). Only the
    SHA-256 of the token is stored, so a copy of the database opens nothing.
    """
    token = secrets.token_urlsafe(32)  # 256 bits
    span = timedelta(days=INVITE_DAYS) if purpose == "invite" else timedelta(hours=RESET_HOURS)
    expires = (datetime.now(UTC) + span).isoformat(timespec="seconds")
    with db.atomic():
        db.execute("DELETE FROM manager_tokens WHERE manager_id = ?", [manager_id])
        db.table("manager_tokens").insert(
            {"token_hash": _hash(token), "manager_id": manager_id, "purpose": purpose,
             "created_at": now(), "expires_at": expires, "created_by": actor}
        )  # fmt: skip
    return token, expires


def invite(db: Database, email: str, name: str | None, actor: str) -> tuple[dict, str, str]:
    """Create (or re-invite) a manager without a usable password; return (row, token, expiry).

    Refused (Refusal) when an account with this e-mail already has its own password or is
    deactivated.
    """
    existing = by_email(db, email)
    if existing and not existing["active"]:
        raise Refusal(words.DEACTIVATED.format(email=email))
    if existing and existing["password_set_at"]:
        raise Refusal(words.EXISTS.format(email=email))
    if existing is None:
        table = db.table("managers")
        table.insert(
            {"email": email.lower(), "name": name or email.split("@")[0],
             # nobody knows this password: the account opens only through the link
             "password_hash": generate_password_hash(secrets.token_urlsafe(32)),
             "created_at": now()}
        )  # fmt: skip
        existing = table.get(table.last_pk)
    token, expires = issue_token(db, existing["id"], "invite", actor)
    record(db, actor, "invited", existing["id"])
    return existing, token, expires


def redeem(db: Database, token: str) -> dict | None:
    """Return the valid token row (with the manager's e-mail and name), or None."""
    row = next(
        db.query(
            "SELECT t.*, m.email, m.name, m.active FROM manager_tokens t"
            " JOIN managers m ON m.id = t.manager_id WHERE t.token_hash = ?",
            [_hash(token)],
        ),
        None,
    )
    if row is None or not row["active"] or row["expires_at"] <= now():
        return None
    return row


def set_password(db: Database, manager_id: int, password: str, actor: str,
                 token: str | None = None, keep_session: str | None = None) -> None:  # fmt: skip
    """Store a new password, use up the one-time link, and end the manager's other sessions.

    keep_session (a session id) survives: changing one's own password keeps one logged in.
    The caller has checked password_problem.
    """
    with db.atomic():
        db.execute(
            "UPDATE managers SET password_hash = ?, password_set_at = ? WHERE id = ?",
            [generate_password_hash(password), now(), manager_id],
        )
        if token is not None:
            db.execute("DELETE FROM manager_tokens WHERE token_hash = ?", [_hash(token)])
        end_sessions(db, manager_id, but=keep_session)
        record(db, actor, "password-set", manager_id)


def deactivate(db: Database, manager_id: int, actor: str) -> None:
    """Lock an account out: no login, every session and open link ends at once."""
    with db.atomic():
        active = db.execute(
            "SELECT COUNT(*) FROM managers WHERE active = 1 AND password_set_at IS NOT NULL"
            " AND id != ?",
            [manager_id],
        ).fetchone()[0]
        if not active:
            raise Refusal(words.LAST_ACTIVE)
        db.execute(
            "UPDATE managers SET active = 0, deactivated_at = ? WHERE id = ?", [now(), manager_id]
        )
        db.execute("DELETE FROM manager_tokens WHERE manager_id = ?", [manager_id])
        end_sessions(db, manager_id)
        record(db, actor, "deactivated", manager_id)
        _contact_changed(db, manager_id)


def activate(db: Database, manager_id: int, actor: str) -> None:
    """Let a deactivated account log in again; it is its customers' contact again."""
    with db.atomic():
        db.execute(
            "UPDATE managers SET active = 1, deactivated_at = NULL WHERE id = ?", [manager_id]
        )
        record(db, actor, "activated", manager_id)
        _contact_changed(db, manager_id)


def _contact_changed(db: Database, manager_id: int) -> None:
    """The pages of the customers this manager is the contact of name someone else now: a new
    revision (the page cache is keyed by it) and a stale dashboard summary."""
    db.execute(
        "UPDATE customers SET revision = revision + 1 WHERE contact_manager_id = ?", [manager_id]
    )


# Sessions: the cookie holds a random session id; the database holds its hash.


def start_session(db: Database, manager_id: int) -> str:
    """Open a session row for a login and return its id (for the signed session cookie)."""
    sid = secrets.token_urlsafe(32)
    # a session cookie is refused after PERMANENT_SESSION_LIFETIME (12 h): older rows are dead
    old = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="seconds")
    db.execute("DELETE FROM manager_sessions WHERE created_at < ?", [old])
    db.table("manager_sessions").insert(
        {"id_hash": _hash(sid), "manager_id": manager_id, "created_at": now()}
    )
    return sid


def session_manager(db: Database, sid: str | None) -> dict | None:
    """Return the active manager of an open session, or None."""
    if not sid or not isinstance(sid, str):
        return None
    return next(
        db.query(
            "SELECT m.* FROM manager_sessions s JOIN managers m ON m.id = s.manager_id"
            " WHERE s.id_hash = ? AND s.ended_at IS NULL AND m.active = 1",
            [_hash(sid)],
        ),
        None,
    )


def end_session(db: Database, sid: str | None) -> None:
    """End this one session ("Abmelden"); the manager's other sessions go on."""
    if sid and isinstance(sid, str):
        db.execute(
            "UPDATE manager_sessions SET ended_at = ? WHERE id_hash = ?", [now(), _hash(sid)]
        )


def end_sessions(db: Database, manager_id: int, but: str | None = None) -> int:
    """End every open session of a manager except `but`; return how many ended."""
    keep = _hash(but) if but else ""
    return db.execute(
        "UPDATE manager_sessions SET ended_at = ? WHERE manager_id = ? AND ended_at IS NULL"
        " AND id_hash != ?",
        [now(), manager_id, keep],
    ).rowcount


def open_sessions(db: Database, manager_id: int) -> int:
    return db.execute(
        "SELECT COUNT(*) FROM manager_sessions WHERE manager_id = ? AND ended_at IS NULL",
        [manager_id],
    ).fetchone()[0]
