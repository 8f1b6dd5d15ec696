"""The managers' dashboard at scale: per-customer summaries kept in SQL, and the view query.

A customer's summary (progress, what needs attention, when the setup last moved, a search
text) lives in columns of `customers`, so that searching, filtering, sorting and paging
10,000 customers is one indexed query instead of a Python loop over every item row. The
summary is stale while `summary_revision` differs from `revision` (which every change a
customer's page shows bumps); `refresh` recomputes exactly the stale ones. The summary is
computed in summary.py, the history lines in history_lines.py; both are re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlite_utils import Database

from .catalog import SMTP_OBLIGATION, Obligation
from .checks.dns.common import reword
from .checks.domain import display_domain
from .history_lines import describe as describe
from .history_lines import history as history
from .history_lines import history_page as history_page
from .history_lines import history_rows as history_rows
from .summary import MAILJET_VALUES_MISSING as MAILJET_VALUES_MISSING
from .summary import MOVES as MOVES
from .summary import refresh as refresh
from .summary import summarise as summarise
from .textfold import search_fold
from .words import board as words

PAGE_SIZE = 25
ORDER_BY = {
    "aktivitaet": "last_activity_at DESC, id DESC",
    # least progress first, and among equals the longest quiet first
    "fortschritt": "progress ASC, last_activity_at ASC, id ASC",
    # German order (DIN 5007-1): "Österreicher" next to "Oldenburger", not after "Weser"
    "name": "sort_name ASC, id ASC",
}
# by URL value: (label, ORDER BY)
SORTS = {key: (words.SORT_LABELS[key], order) for key, order in ORDER_BY.items()}
STATUSES = words.STATUSES
# Proven smtp-own settings (smtp-test-mail passed) at Microsoft 365 or Google with a password
# login: Microsoft switches it off (data/providers/mail-auth.toml), Google wants app passwords.
# Looked up from the few settings at those providers (idx_smtp_settings_provider) and each
# one's test by primary key; "+path" keeps the filter index off, so the customers are found
# by id, not by reading every active customer.
PASSWORD_AT_RISK = (
    "+path = 'smtp-own' AND id IN (SELECT s.customer_id FROM smtp_settings s"
    " WHERE s.provider IN ('microsoft', 'google') AND s.no_login = 0"
    " AND COALESCE(s.auth_method, 'password') = 'password' AND EXISTS (SELECT 1 FROM"
    " item_states i WHERE i.customer_id = s.customer_id AND i.item_id = 'smtp-test-mail'"
    " AND i.obligation_id = 'smtp-postfach' AND i.state IN ('done', 'warning')))"
)
NO_PATH = "keiner"
CONTACTS = words.CONTACTS
MAX_WORDS = 8  # words of one search that count (each is one more condition)
# "Stockt": no progress for this many days – the dashboard's default filter and the digest
# use this one number, so the word means the same everywhere.
STALL_DAYS = 7
DEFAULT_DAYS = STALL_DAYS
MAX_DAYS = 3650


@dataclass(frozen=True)
class View:
    """What the dashboard shows: search, filters, sort and page, all from the URL."""

    q: str = ""
    weg: str = ""
    status: str = ""
    tage: int = DEFAULT_DAYS
    sort: str = "aktivitaet"
    seite: int = 1
    errors: dict = field(default_factory=dict, compare=False)
    wer: str = ""  # "meine": the viewing manager's customers; "niemand": nobody assigned
    me: int | None = field(default=None, compare=False)  # the viewing manager's id

    @classmethod
    def from_args(cls, args, path_ids, me: int | None = None) -> View:
        """Read a view from query arguments; unknown values fall back, bad numbers say so."""
        errors = {}
        q = " ".join((args.get("q") or "").split())[:200]
        weg = args.get("weg", "")
        weg = weg if weg in (*path_ids, NO_PATH) else ""
        status = args.get("status", "")
        status = status if status in STATUSES else ""
        sort = args.get("sort", "")
        sort = sort if sort in SORTS else "aktivitaet"
        tage = DEFAULT_DAYS
        raw = (args.get("tage") or "").strip()
        if raw:
            if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_DAYS:
                tage = int(raw)
            else:
                errors["tage"] = words.BAD_DAYS.format(max_days=MAX_DAYS, default_days=DEFAULT_DAYS)
        raw = (args.get("seite") or "1").strip()
        seite = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else 1
        wer = args.get("wer", "")
        wer = wer if wer in CONTACTS else ""
        return cls(q, weg, status, tage, sort, seite, errors, wer, me)

    def args(self, **changes) -> dict:
        """Return the query arguments of this view (defaults left out), with changes."""
        view = replace(self, **changes)
        defaults = View()
        return {
            name: getattr(view, name)
            for name in ("q", "wer", "weg", "status", "tage", "sort", "seite")
            if getattr(view, name) != getattr(defaults, name)
        }

    def query_string(self, **changes) -> str:
        return urlencode(self.args(**changes))

    @property
    def search(self) -> tuple[str, list]:
        """The search as (condition on customer_search, arguments), folded like the index.

        Every word must occur, in any order ("verlag müller" finds "Müller Verlag"), and
        ä/ae, ö/oe, ü/ue, ß/ss are equal (textfold.search_fold). Words of three characters
        or more are quoted phrases of one trigram MATCH (the text contains each; answered
        from the index); shorter words have no trigram and are tested with instr (GLOB with
        fewer than three characters misses matches of multi-byte letters like "mü").
        """
        words = search_fold(self.q).split()[:MAX_WORDS]
        long = [w for w in words if len(w) >= 3]
        short = [w for w in words if len(w) < 3]
        clauses, arguments = [], []
        if long:
            clauses.append("customer_search MATCH ?")
            arguments.append(" ".join('"' + w.replace('"', '""') + '"' for w in long))
        for word in short:
            clauses.append("instr(text, ?) > 0")
            arguments.append(word)
        return " AND ".join(clauses), arguments

    def where(
        self, at: datetime | None = None, walk: bool = False, rows: bool = False
    ) -> tuple[str, list]:
        """Return the SQL condition and its parameters for this view's customers.

        walk=True (a search most customers match) tests each customer's own search text
        (instr, the same folded text the trigram index holds, so the same matches) instead of
        looking the matches up in the index: the count then reads one covering index
        (archived_at, search_text), and the page walks the sort order's index and stops after
        one page. rows=True (the page, not the count) keeps the contact condition off its
        index ("+"), so that the page walks the sort order's index too.
        """
        archived = self.status == "archiviert"
        clauses = ["archived_at IS NOT NULL" if archived else "archived_at IS NULL"]
        params: list = []
        contact = "+contact_manager_id" if rows else "contact_manager_id"
        if self.wer == "meine":
            clauses.append(f"{contact} = ?")
            params.append(self.me)
        elif self.wer == "niemand":
            # nobody assigned, or a deactivated manager (nobody's contact any more)
            clauses.append(
                f"({contact} IS NULL OR contact_manager_id IN"
                " (SELECT id FROM managers WHERE active = 0))"
            )
        if self.weg == NO_PATH:  # the SMTP obligation's path; customers without it have none
            clauses.append(
                "path IS NULL AND id IN (SELECT customer_id FROM customer_obligations"
                f" WHERE obligation_id = '{SMTP_OBLIGATION}')"
            )
        elif self.weg:
            clauses.append("path = ?")
            params.append(self.weg)
        if self.status == "aufmerksamkeit":
            clauses.append("needs_attention = 1")
        elif self.status == "peiq":
            clauses.append("waiting_for_peiq = 1")
        elif self.status == "fertig":
            clauses.append("progress = 100")
        elif self.status == "passwort-endet":
            clauses.append(PASSWORD_AT_RISK)
        elif self.status == "stockt":
            cutoff = (at or datetime.now(UTC)) - timedelta(days=self.tage)
            # unary "+": no range on the progress or moved_at index; the filter index covers it
            clauses.append("+progress < 100 AND completed_at IS NULL AND +moved_at <= ?")
            params.append(cutoff.isoformat(timespec="seconds"))
        if self.q and walk:
            words = search_fold(self.q).split()[:MAX_WORDS]
            clauses.extend("instr(search_text, ?) > 0" for _ in words)
            params.extend(words)
        elif self.q:
            condition, arguments = self.search
            clauses.append(f"id IN (SELECT rowid FROM customer_search WHERE {condition})")
            params.extend(arguments)
        return " AND ".join(clauses), params


COLUMNS = (
    "id, name, domain, contact_email, path, progress, attention, last_activity_at, moved_at,"
    " archived_at, completed_at, summary_revision, mail_evidence, contact_manager_id,"
    " obligations_summary,"
    " (SELECT name FROM managers m WHERE m.id = contact_manager_id) AS peiq_name,"
    " (SELECT active FROM managers m WHERE m.id = contact_manager_id) AS peiq_active"
)


def _decode(row: dict) -> dict:
    domain = row["domain"] or ""
    return {
        **row,
        "attention": json.loads(row["attention"] or "[]"),
        # per obligation {"path", "progress"}, by id (board_columns' per-obligation columns)
        "obligations": {o["id"]: o for o in json.loads(row["obligations_summary"] or "[]")},
        "shown_domain": display_domain(domain) if "xn--" in domain else domain,
    }


# A search matching more customers than this is answered by walking the sort order's index
# and testing each customer against the matches (no row read per match, and the page stops
# early); a rarer one by looking its few matches up and sorting them.
COMMON_MATCHES = 200
USUAL_MATCHES = 2000  # up to this many, looking matches up counts them faster than reading all


def page(db: Database, view: View, size: int = PAGE_SIZE) -> tuple[list[dict], int, int]:
    """Return (customers on the view's page, total matching, number of the last page)."""
    if not (view.status or view.weg or view.wer):
        # every active customer, or those a search matches, counted without reading them:
        # all customers (SQLite counts a table from its b-tree pages) or all matches in the
        # trigram index, less the archived ones among them (few, from their own index)
        if view.q:
            matches = _matches(db, view, limit=-1)
            every = matches
        else:
            matches, every = 0, db.execute("SELECT COUNT(*) FROM customers").fetchone()[0]
        total = every - _archived_matches(db, view)
    else:
        matches = _matches(db, view) if view.q else 0
        # counted by looking the matches up while they are few, by reading every search text
        # (one covering index) once most customers match; a page walks the sort order either way
        where, params = view.where(walk=matches > USUAL_MATCHES)
        total = db.execute(f"SELECT COUNT(*) FROM customers WHERE {where}", params).fetchone()[0]
    last = max(1, -(-total // size))
    number = min(view.seite, last)
    where, params = view.where(walk=matches > COMMON_MATCHES, rows=True)
    rows = db.query(
        f"SELECT {COLUMNS} FROM customers WHERE {where}"
        f" ORDER BY {SORTS[view.sort][1]} LIMIT ? OFFSET ?",
        [*params, size, (number - 1) * size],
    )
    return [_decode(r) for r in rows], total, number


def obligations_in_use(db: Database, catalog: Iterable[Obligation]) -> list[Obligation]:
    """The loaded obligations (catalog order) that at least one customer, archived ones too,
    has: the dashboard's per-obligation columns are theirs (one index lookup each)."""
    return [
        o
        for o in catalog
        if db.execute(
            "SELECT 1 FROM customer_obligations WHERE obligation_id = ? LIMIT 1", [o.id]
        ).fetchone()
    ]


def password_at_risk(db: Database) -> set[int]:
    """Active customers whose proven settings log in with a password at Microsoft 365/Google."""
    rows = db.execute(
        f"SELECT id FROM customers WHERE +archived_at IS NULL AND {PASSWORD_AT_RISK}"
    ).fetchall()
    return {r[0] for r in rows}


def _matches(db: Database, view: View, limit: int = USUAL_MATCHES + 1) -> int:
    """How many customers (archived ones included) the search alone matches, up to limit
    (-1: all). Deciding between the plans needs one more than USUAL_MATCHES at most."""
    condition, arguments = view.search
    query = f"SELECT COUNT(*) FROM (SELECT 1 FROM customer_search WHERE {condition} LIMIT ?)"
    return db.execute(query, [*arguments, limit]).fetchone()[0]


def _archived_matches(db: Database, view: View) -> int:
    """How many archived customers the search matches (all of them without a search): every
    word in their folded search text (instr, the text the trigram index holds, so the same
    matches as its MATCH), read from the (archived_at, search_text) index. Archived customers
    are few; active ones are counted as all matches less these."""
    where, params = replace(view, status="archiviert").where(walk=True)
    return db.execute(f"SELECT COUNT(*) FROM customers WHERE {where}", params).fetchone()[0]


def every(db: Database, view: View):
    """Yield every customer of the view (all pages), in the view's order."""
    where, params = view.where()
    rows = db.query(
        f"SELECT {COLUMNS} FROM customers WHERE {where} ORDER BY {SORTS[view.sort][1]}", params
    )
    for row in rows:
        yield _decode(row)


def drift(db: Database, customer_id: int) -> list[dict]:
    """Return the open drift incidents of a completed setup (what broke, since when)."""
    rows = db.query(
        "SELECT d.* FROM drift d JOIN item_states s USING (customer_id, item_id)"
        " WHERE d.customer_id = ? AND d.incident_at IS NOT NULL AND s.state = 'failed'"
        " AND s.obligation_id = 'smtp-postfach'"
        " ORDER BY d.item_id",
        [customer_id],
    )
    return [dict(r, detail=reword(json.loads(r["detail"] or "{}"))) for r in rows]  # words now
