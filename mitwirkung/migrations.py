"""The schema as sqlite-utils Migrations, applied once per database file (see db.init_db).

Each migration is named by what it does and runs once: sqlite-utils records applied names in
`_sqlite_migrations`. Migrations once had names after the round that wrote them; `RENAMED`
maps those recorded names to today's, and `migrate` rewrites them before applying, so a
renamed migration never runs again on an existing database. New migrations go at the END.
"""

from sqlite_utils import Database, Migrations

from .textfold import search_fold, sort_name

migrations = Migrations("mitwirkung")

# name recorded in `_sqlite_migrations` by an older version -> the migration's name today
RENAMED = {
    "m_i10_login_addresses": "m_login_addresses",
    "m_i11_customer_summary": "m_customer_summary",
    "m_i11_customer_search_and_filters": "m_customer_search_and_filters",
    "m_i12_mailjet_state": "m_mailjet_state",
    "m_i8_smtp_no_login": "m_smtp_no_login",
    "m_i9_mail_received_per_path": "m_mail_received_per_path",
    "m_i11b_german_sort_and_waiting": "m_german_sort_and_waiting",
    "m16_inbound_addresses_and_mails": "m_inbound_addresses_and_mails",
    "m16_mail_evidence_summary": "m_mail_evidence_summary",
    "m19_manager_accounts": "m_manager_accounts",
    "m19_customer_note": "m_customer_note",
    "m19_search_spellings": "m_search_spellings",
    "m19_manager_voice": "m_manager_voice_badges",
    "m19_dashboard_indexes": "m_dashboard_indexes",
    "m15_smtp_oauth_login": "m_smtp_oauth_login",
    "m18_secret_tested": "m_secret_tested",
    "m19_todo_queue": "m_todo_queue",
    "m_inbound_bounds_mail_counts": "m_inbound_mail_counts",
}


def migrate(db: Database) -> None:
    """Bring the schema up to date: rename recorded old names (RENAMED), then apply every
    pending migration in order. Call it inside one transaction (db.init_db does)."""
    if db.table(migrations.migrations_table).exists():
        for old, new in RENAMED.items():
            db.execute(
                f"UPDATE {migrations.migrations_table} SET name = ?"
                " WHERE migration_set = ? AND name = ?",
                [new, migrations.name, old],
            )
    migrations.apply(db)


@migrations()
def m001_initial(db: Database) -> None:
    db.table("managers").create(
        {"id": int, "email": str, "name": str, "password_hash": str, "created_at": str},
        pk="id",
        not_null={"email", "password_hash", "created_at"},
    )
    db.table("managers").create_index(["email"], unique=True)
    db.table("customers").create(
        {
            "id": int,
            "name": str,
            "domain": str,
            "contact_email": str,
            "path": str,
            "portal_name": str,
            "edit_token_hash": str,
            "edit_token_enc": str,
            "share_token_hash": str,
            "share_token_enc": str,
            "created_at": str,
            "last_activity_at": str,
            "archived_at": str,
        },
        pk="id",
        not_null={"name", "edit_token_hash", "share_token_hash", "created_at"},
    )
    db.table("customers").create_index(["edit_token_hash"], unique=True)
    db.table("customers").create_index(["share_token_hash"], unique=True)
    db.table("item_states").create(
        {
            "customer_id": int,
            "item_id": str,
            "state": str,
            "detail": str,
            "updated_at": str,
            "updated_by": str,
        },
        pk=("customer_id", "item_id"),
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"state", "updated_at"},
    )
    db.table("events").create(
        {
            "id": int,
            "customer_id": int,
            "at": str,
            "actor": str,
            "kind": str,
            "item_id": str,
            "data": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db.table("events").create_index(["customer_id", "at"])
    db.table("smtp_settings").create(
        {
            "customer_id": int,
            "host": str,
            "port": int,
            "encryption": str,
            "username": str,
            "sender": str,
            "recipient": str,
            "updated_at": str,
        },
        pk="customer_id",
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db.table("mailjet_expectations").create(
        {
            "customer_id": int,
            "domain": str,
            "verification_name": str,
            "verification_value": str,
            "dkim_selector": str,
            "dkim_key": str,
            "updated_at": str,
        },
        pk="customer_id",
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db.table("runs").create(
        {
            "id": int,
            "customer_id": int,
            "kind": str,
            "state": str,
            "actor": str,
            "client_addr": str,
            "owner": str,
            "settings": str,
            "outcome": str,
            "result": str,
            "started_at": str,
            "finished_at": str,
            "duration_ms": int,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"kind", "state", "started_at"},
    )
    db.table("runs").create_index(["customer_id", "kind", "started_at"])
    db.table("runs").create_index(["client_addr", "kind", "started_at"])
    db.table("runs").create_index(["state"])
    db.table("secrets").create(
        {
            "id": int,
            "customer_id": int,
            "kind": str,
            "ciphertext": str,
            "created_at": str,
            "expires_at": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db.table("confirmations").create(
        {"token_hash": str, "customer_id": int, "run_id": int, "created_at": str, "used_at": str},
        pk="token_hash",
        foreign_keys=[("customer_id", "customers", "id")],
    )


@migrations()
def m002_runs_newest_first(db: Database) -> None:
    # the pages list a customer's newest runs of one kind: ORDER BY id DESC
    db.table("runs").create_index(["customer_id", "kind", "id"])


@migrations()
def m003_customer_revision(db: Database) -> None:
    # bumped by every change a customer's page shows; keys the rendered-page cache
    db.table("customers").add_column("revision", int, not_null_default=0)


@migrations()
def m004_login_safety(db: Database) -> None:
    # a manager's sessions end together when the epoch moves (logout everywhere)
    db.table("managers").add_column("session_epoch", int, not_null_default=0)
    db.table("login_failures").create(
        {"id": int, "email": str, "client_addr": str, "at": str}, pk="id"
    )
    db.table("login_failures").create_index(["at"])


@migrations()
def m_login_addresses(db: Database) -> None:
    # addresses a manager's account logged in from; failures elsewhere cannot lock them out
    db.table("login_addresses").create(
        {"email": str, "client_addr": str, "at": str}, pk=("email", "client_addr")
    )


@migrations()
def m_customer_summary(db: Database) -> None:
    # What the dashboard filters, sorts and shows per customer, kept next to the customer so
    # that a page of 10,000 customers is one indexed query. A summary is stale while
    # summary_revision differs from revision; mitwirkung.overview.refresh brings it up to date.
    customers = db.table("customers")
    for column, kind in (
        ("summary_revision", int),
        ("search_text", str),
        ("moved_at", str),
        ("completed_at", str),
        ("completed_path", str),
        ("attention", str),
    ):
        customers.add_column(column, kind)
    for column in ("progress", "needs_attention", "waiting_for_peiq", "reminders_muted"):
        customers.add_column(column, int, not_null_default=0)
    customers.add_column("contact_manager_id", int)
    db.execute(
        "UPDATE customers SET contact_manager_id = (SELECT m.id FROM events e JOIN managers m"
        " ON e.actor = 'manager:' || m.email WHERE e.customer_id = customers.id"
        " AND e.kind = 'customer-created')"
    )
    for columns in (
        "archived_at, last_activity_at",
        "archived_at, progress",
        "archived_at, name COLLATE NOCASE",
        "archived_at, moved_at",
        "domain",
        "contact_manager_id",
    ):
        name = "idx_customers_" + "_".join(c.split()[0] for c in columns.split(", "))
        db.execute(f"CREATE INDEX {name} ON customers ({columns})")
    db.execute(
        "CREATE INDEX idx_customers_stale ON customers (id) WHERE summary_revision IS NOT revision"
    )
    db.table("secrets").create_index(["expires_at"])
    db.table("events").create_index(["customer_id", "kind", "at"])
    # One row per unit of background work (e.g. "reminder:17:2026-11-30"): whoever inserts
    # it does the work, so two copies of `jobs run` never do the same thing twice.
    db.table("job_claims").create(
        {"key": str, "claimed_at": str, "owner": str, "done_at": str}, pk="key"
    )
    # Drift watch of completed Mailjet setups: per DNS item the failures in a row.
    db.table("drift").create(
        {
            "customer_id": int,
            "item_id": str,
            "failures": int,
            "checked_at": str,
            "incident_at": str,
            "detail": str,
        },
        pk=("customer_id", "item_id"),
        foreign_keys=[("customer_id", "customers", "id")],
    )


@migrations()
def m_customer_search_and_filters(db: Database) -> None:
    # A trigram index of customers.search_text: "contains" searches (MATCH '"müller"') over
    # 10,000 customers without reading every row. Kept up to date by overview.refresh.
    db.execute(
        "CREATE VIRTUAL TABLE customer_search USING fts5"
        "(text, tokenize = 'trigram case_sensitive 1')"
    )
    db.execute(
        "INSERT INTO customer_search (rowid, text) SELECT id, search_text FROM customers"
        " WHERE search_text IS NOT NULL"
    )
    # Every sort order of the dashboard is an index order (ties broken by rowid), and one
    # covering index answers the counts of every filter without reading customer rows.
    db.execute("DROP INDEX idx_customers_archived_at_progress")
    db.execute(
        "CREATE INDEX idx_customers_progress ON customers (archived_at, progress, last_activity_at)"
    )
    db.execute(
        "CREATE INDEX idx_customers_filters ON customers (archived_at, needs_attention,"
        " waiting_for_peiq, progress, path, completed_at, moved_at)"
    )


@migrations()
def m_mailjet_state(db: Database) -> None:
    # Mailjet's ids and own view of a customer's sender domain, and an optional sub-account
    # whose key and secret are stored encrypted (Fernet) and never shown again
    db.table("mailjet_state").create(
        {
            "customer_id": int,
            "domain": str,
            "dns_id": int,
            "sender_id": int,
            "sender_status": str,
            "spf_status": str,
            "dkim_status": str,
            "check": str,
            "fetched_at": str,
            "checked_at": str,
            "api_key_enc": str,
            "api_secret_enc": str,
        },
        pk="customer_id",
        foreign_keys=[("customer_id", "customers", "id")],
    )


@migrations()
def m_smtp_no_login(db: Database) -> None:
    # "Mein Server braucht keine Anmeldung": the test runs without AUTH (relay by sender IP)
    db.table("smtp_settings").add_column("no_login", int, not_null_default=0)


# the path a test mail was sent on: named in its run's settings (Mailjet), else smtp-own
_RUN_PATH = (
    "COALESCE((SELECT json_extract(r.settings, '$.path') FROM runs r WHERE r.id = {run_id}),"
    " 'smtp-own')"
)


@migrations()
def m_mail_received_per_path(db: Database) -> None:
    # `mail-received` counts only on the path it was reached on: rows become "mail-received:<path>".
    # A confirmation link counts for the path its test mail was sent on; ticks by hand cannot be
    # attributed to a path (they could be given at 0 %), so they are left behind and not read.
    db.table("confirmations").add_column("path", str)
    db.execute(f"UPDATE confirmations SET path = {_RUN_PATH.format(run_id='confirmations.run_id')}")
    path = _RUN_PATH.format(run_id="json_extract(item_states.detail, '$.run_id')")
    db.execute(
        f"UPDATE item_states SET item_id = 'mail-received:' || {path},"
        f" detail = json_set(detail, '$.path', {path})"
        " WHERE item_id = 'mail-received' AND json_extract(detail, '$.via') = 'confirmation-link'"
    )


@migrations()
def m_german_sort_and_waiting(db: Database) -> None:
    # Sorting by name follows German dictionary order (overview.sort_name) from an indexed key.
    customers = db.table("customers")
    customers.add_column("sort_name", str)
    for row in list(db.query("SELECT id, name FROM customers")):
        db.execute(
            "UPDATE customers SET sort_name = ? WHERE id = ?", [sort_name(row["name"]), row["id"]]
        )
    db.execute("DROP INDEX IF EXISTS idx_customers_archived_at_name")
    db.execute("CREATE INDEX idx_customers_sort_name ON customers (archived_at, sort_name)")
    # Summaries that the new rules change: a Mailjet customer without Mailjet values waits for
    # PEIQ; a contact address with an A-label domain is also found in its Unicode spelling.
    db.execute(
        "UPDATE customers SET summary_revision = NULL WHERE (path = 'mailjet' AND id NOT IN"
        " (SELECT customer_id FROM mailjet_expectations)) OR contact_email LIKE '%xn--%'"
    )


@migrations()
def m_inbound_addresses_and_mails(db: Database) -> None:
    # Empfangsprüfung: one live Prüfadresse per customer and path (the local part is looked up
    # by its hash and kept encrypted to show it), and per mail received its connection facts,
    # headers and the receiver's verdict (purged after INBOUND_KEEP_DAYS).
    db.table("inbound_addresses").create(
        {
            "id": int,
            "customer_id": int,
            "path": str,
            "local_hash": str,
            "local_enc": str,
            "created_at": str,
            "expires_at": str,
            "retired_at": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "path", "local_hash", "local_enc", "created_at", "expires_at"},
    )
    db.table("inbound_addresses").create_index(["local_hash"], unique=True)
    db.table("inbound_addresses").create_index(["customer_id", "path", "retired_at"])
    db.table("inbound_mails").create(
        {
            "id": int,
            "customer_id": int,
            "path": str,
            "address_id": int,
            "received_at": str,
            "peer_ip": str,
            "reverse_name": str,
            "reverse_confirmed": int,
            "helo": str,
            "mail_from": str,
            "tls_version": str,
            "tls_cipher": str,
            "size": int,
            "delay_ms": int,
            "headers": str,
            "verdict": str,
            "state": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "path", "received_at"},
    )
    db.table("inbound_mails").create_index(["customer_id", "path", "id"])
    db.table("inbound_mails").create_index(["received_at"])


@migrations()
def m_mail_evidence_summary(db: Database) -> None:
    # The dashboard and the CSV say how `mail-received` was reached (received/link/manual):
    # a summary column, recomputed for everyone once.
    db.table("customers").add_column("mail_evidence", str)
    db.execute("UPDATE customers SET summary_revision = NULL")


@migrations()
def m_manager_accounts(db: Database) -> None:
    # Accounts the team runs itself: a deactivated manager cannot log in; an invited one has no
    # password of their own until the one-time link is used (password_set_at stays NULL).
    managers = db.table("managers")
    managers.add_column("active", int, not_null_default=1)
    managers.add_column("password_set_at", str)
    managers.add_column("deactivated_at", str)
    db.execute("UPDATE managers SET password_set_at = created_at")
    # one-time links (invitation, password reset): only the SHA-256 of the token is stored
    db.table("manager_tokens").create(
        {"token_hash": str, "manager_id": int, "purpose": str, "created_at": str,
         "expires_at": str, "created_by": str},
        pk="token_hash",
        foreign_keys=[("manager_id", "managers", "id")],
    )  # fmt: skip
    # one row per login: "Abmelden" ends this row only; the epoch still ends them all
    db.table("manager_sessions").create(
        {"id_hash": str, "manager_id": int, "created_at": str, "ended_at": str},
        pk="id_hash",
        foreign_keys=[("manager_id", "managers", "id")],
    )
    db.table("manager_sessions").create_index(["manager_id"])
    # who did what to which account (invited, reset, deactivated, password changed ...)
    db.table("team_events").create(
        {"id": int, "at": str, "actor": str, "kind": str, "manager_id": int, "data": str},
        pk="id",
    )


@migrations()
def m_customer_note(db: Database) -> None:
    # a short note per customer that only account managers see (never a customer page or mail)
    customers = db.table("customers")
    customers.add_column("manager_note", str)
    customers.add_column("manager_note_at", str)
    customers.add_column("manager_note_by", str)


@migrations()
def m_search_spellings(db: Database) -> None:
    # The search index holds ä/ö/ü/ß spelled out (textfold.search_fold), so "Mueller" finds
    # "Müller"; the stored texts are casefolded already, and folding them again suffices.
    rows = db.query("SELECT id, search_text FROM customers WHERE search_text IS NOT NULL")
    for row in list(rows):
        text = search_fold(row["search_text"])
        if text != row["search_text"]:
            db.execute("UPDATE customers SET search_text = ? WHERE id = ?", [text, row["id"]])
            db.execute("DELETE FROM customer_search WHERE rowid = ?", [row["id"]])
            db.execute("INSERT INTO customer_search (rowid, text) VALUES (?, ?)", [row["id"], text])


@migrations()
def m_manager_voice_badges(db: Database) -> None:
    # Dashboard badges name the test mail in the manager's voice ("über den Server der Kund:in")
    db.execute("UPDATE customers SET summary_revision = NULL WHERE attention LIKE '%Ihren Server%'")


@migrations()
def m_dashboard_indexes(db: Database) -> None:
    # "Meine Kund:innen" counted from an index; a search most customers match counted from
    # the customers' own search texts (overview.View.where, walk=True) without table reads
    db.execute("CREATE INDEX idx_customers_contact ON customers (archived_at, contact_manager_id)")
    db.execute("CREATE INDEX idx_customers_search_text ON customers (archived_at, search_text)")


@migrations()
def m_smtp_oauth_login(db: Database) -> None:
    # Anmeldeverfahren: "password" or "oauth-m365" (tenant and client ID are not secret; the
    # client secret is never stored); provider: "microsoft"/"google"/"" as last recognised.
    table = db.table("smtp_settings")
    table.add_column("auth_method", str, not_null_default="password")
    table.add_column("oauth_tenant", str)
    table.add_column("oauth_client", str)
    table.add_column("provider", str)


@migrations()
def m_secret_tested(db: Database) -> None:
    # A hand-over records whether a test's login proved the secret (1) or nobody tested it (0).
    db.table("secrets").add_column("tested", int, not_null_default=0)


@migrations()
def m_todo_queue(db: Database) -> None:
    # PEIQ's to-do queue ("Für PEIQ zu tun"): each customer's open to-dos as JSON (NULL: none),
    # written by overview.refresh with the rest of the summary; every summary is recomputed.
    # (oldest to-do first, and how many) so the dashboard reads only the few rows it shows.
    customers = db.table("customers")
    customers.add_column("todos", str)
    customers.add_column("todo_since", str)
    customers.add_column("todo_count", int, not_null_default=0)
    for name, column in (
        ("idx_customers_todos", "todo_since"),
        ("idx_customers_todo_count", "todo_count"),
    ):
        db.execute(
            f"CREATE INDEX {name} ON customers ({column})"
            " WHERE todos IS NOT NULL AND archived_at IS NULL"
        )
    db.execute("UPDATE customers SET summary_revision = NULL")


@migrations()
def m_inbound_mail_counts(db: Database) -> None:
    # A judged mail counts as evidence only when its From domain is the customer's (1);
    # mails from elsewhere are kept and shown, but tick nothing (0).
    db.table("inbound_mails").add_column("counts", int, not_null_default=1)
    db.execute(
        "CREATE INDEX idx_inbound_mails_counts ON inbound_mails (customer_id, path, counts, id)"
    )


@migrations()
def m_smtp_settings_provider_index(db: Database) -> None:
    # The dashboard counts customers whose proven settings log in with a password at
    # Microsoft 365 or Google on every view: looked up by provider, not by reading every
    # item state (overview.PASSWORD_AT_RISK).
    db.execute("CREATE INDEX idx_smtp_settings_provider ON smtp_settings (provider)")


# What a customer adds to the to-do totals: its to-dos and 1, while it has to-dos and is active.
_TODO_PART = "CASE WHEN {r}.todos IS NOT NULL AND {r}.archived_at IS NULL THEN {v} ELSE 0 END"


def _todo_totals_change(sign: str, row: str) -> str:
    return (
        f"UPDATE todo_totals SET todos = todos {sign} "
        + _TODO_PART.format(r=row, v=f"{row}.todo_count")
        + f", customers = customers {sign} "
        + _TODO_PART.format(r=row, v="1")
        + ";"
    )


@migrations()
def m_todo_totals_kept_by_triggers(db: Database) -> None:
    # The dashboard's "Für PEIQ zu tun" heading counts every open to-do and every customer
    # waiting: one row kept exact by triggers on every change of customers, instead of
    # summing the summary of every waiting customer on each view (todo.for_dashboard).
    db.execute(
        "CREATE TABLE todo_totals (id INTEGER PRIMARY KEY CHECK (id = 1),"
        " todos INTEGER NOT NULL, customers INTEGER NOT NULL)"
    )
    db.execute(
        "INSERT INTO todo_totals (id, todos, customers) SELECT 1, COALESCE(SUM(todo_count), 0),"
        " COUNT(*) FROM customers WHERE todos IS NOT NULL AND archived_at IS NULL"
    )
    add, remove = _todo_totals_change("+", "NEW"), _todo_totals_change("-", "OLD")
    db.execute(f"CREATE TRIGGER todo_totals_insert AFTER INSERT ON customers BEGIN {add} END")
    db.execute(f"CREATE TRIGGER todo_totals_delete AFTER DELETE ON customers BEGIN {remove} END")
    db.execute(
        "CREATE TRIGGER todo_totals_update AFTER UPDATE OF todos, todo_count, archived_at"
        f" ON customers BEGIN {remove} {add} END"
    )


@migrations()
def m_obligations_per_customer(db: Database) -> None:
    # A customer has a set of obligations, each with its own chosen path; item states are
    # keyed by obligation too. Every existing customer has the SMTP obligation with the path
    # chosen so far (customers.path stays that obligation's path, so old readers keep
    # working); its states, events and runs are the SMTP obligation's.
    db.table("customer_obligations").create(
        {
            "customer_id": int,
            "obligation_id": str,
            "path": str,
            "position": int,
            "added_at": str,
        },
        pk=("customer_id", "obligation_id"),
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"position", "added_at"},
    )
    db.execute(
        "INSERT INTO customer_obligations (customer_id, obligation_id, path, position, added_at)"
        " SELECT id, 'smtp-postfach', path, 0, created_at FROM customers"
    )
    # SQLite cannot change a primary key in place: the table is rebuilt with the new key
    db.execute(
        "CREATE TABLE item_states_new ("
        " customer_id INTEGER REFERENCES customers(id),"
        " obligation_id TEXT NOT NULL DEFAULT 'smtp-postfach',"
        " item_id TEXT, state TEXT NOT NULL, detail TEXT, updated_at TEXT NOT NULL,"
        " updated_by TEXT, PRIMARY KEY (customer_id, obligation_id, item_id))"
    )
    db.execute(
        "INSERT INTO item_states_new (customer_id, obligation_id, item_id, state, detail,"
        " updated_at, updated_by) SELECT customer_id, 'smtp-postfach', item_id, state, detail,"
        " updated_at, updated_by FROM item_states"
    )
    db.execute("DROP TABLE item_states")
    db.execute("ALTER TABLE item_states_new RENAME TO item_states")
    for table in ("events", "runs"):
        db.table(table).add_column("obligation_id", str)
        db.execute(f"UPDATE {table} SET obligation_id = 'smtp-postfach'")
    # the dashboard's per-obligation summary: JSON [{"id", "path", "progress"}]
    db.table("customers").add_column("obligations_summary", str)
    db.execute("UPDATE customers SET summary_revision = NULL")


@migrations()
def m_customer_obligations_by_obligation(db: Database) -> None:
    # The dashboard asks whether any customer has a given obligation (its per-obligation
    # columns appear once more than one is in use): one index lookup instead of a scan.
    db.execute(
        "CREATE INDEX idx_customer_obligations_obligation"
        " ON customer_obligations (obligation_id, customer_id)"
    )
