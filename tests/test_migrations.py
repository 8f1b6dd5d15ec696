"""The schema's migrations: named by what they do, each run once per database, also across a
rename (recorded old names are rewritten before applying), and the data migrations keep rows."""

import sqlite3

from sqlite_utils import Database, Migrations

from mitwirkung import store
from mitwirkung.db import connect, init_db
from mitwirkung.migrations import RENAMED, m_mail_received_per_path, migrations

OLD_NAMES = {new: old for old, new in RENAMED.items()}


def recorded(path) -> list[str]:
    db = connect(str(path))
    try:
        return [m.name for m in migrations.applied(db)]
    finally:
        db.close()


def test_a_fresh_database_records_every_migration_by_its_current_name(tmp_path):
    init_db(str(tmp_path / "fresh.db"))
    names = recorded(tmp_path / "fresh.db")
    assert names == [m.name for m in migrations._migrations]
    assert not set(names) & set(RENAMED)  # no old name is written anew
    assert all(new in names for new in RENAMED.values())


def test_a_database_made_under_the_old_names_migrates_without_running_them_again(tmp_path):
    path = tmp_path / "old.db"
    old = Migrations(migrations.name)  # the same steps, recorded as an older version named them
    for step in migrations._migrations:
        old(name=OLD_NAMES.get(step.name, step.name))(step.fn)
    db = connect(str(path))
    with db.atomic():
        old.apply(db)
    db.table("customers").insert(
        {"id": 1, "name": "Müller Verlag", "edit_token_hash": "e", "share_token_hash": "s",
         "created_at": "2026-12-01T08:00:00+00:00", "sort_name": "muller verlag"}
    )  # fmt: skip
    db.table("smtp_settings").insert({"customer_id": 1, "host": "mail.kunde.test", "port": 587})
    before = {r["name"]: r["applied_at"] for r in db.query("SELECT * FROM _sqlite_migrations")}
    db.close()
    assert set(RENAMED) <= set(before)

    init_db(str(path))  # a step that ran again would fail: its column or table exists already

    db = connect(str(path))
    after = {r["name"]: r["applied_at"] for r in db.query("SELECT * FROM _sqlite_migrations")}
    assert set(after) == {m.name for m in migrations._migrations}
    assert {RENAMED.get(n, n): at for n, at in before.items()} == after  # same times: not re-run
    assert db.table("smtp_settings").get(1)["no_login"] == 0
    assert db.table("customers").get(1)["name"] == "Müller Verlag"
    db.close()
    init_db(str(path))  # and again: nothing pending, nothing renamed
    assert recorded(path) == list(after)


def test_a_database_without_migrations_table_is_migrated_from_scratch(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    init_db(str(path))
    assert recorded(path) == [m.name for m in migrations._migrations]


def test_migration_moves_confirmations_to_the_path_of_their_test_mail(tmp_path):
    db = Database(tmp_path / "old.db")
    db.table("runs").insert_all(
        [
            {"id": 1, "kind": "smtp", "settings": '{"host": "mail.x.de"}'},
            {"id": 2, "kind": "mailjet-mail", "settings": '{"path": "mailjet"}'},
        ]  # fmt: skip
    )
    db.table("confirmations").insert_all(
        [
            {"token_hash": "a", "customer_id": 1, "run_id": 1},
            {"token_hash": "b", "customer_id": 2, "run_id": 2},
        ]  # fmt: skip
    )
    db.table("item_states").insert_all(
        [
            {
                "customer_id": 1,
                "item_id": "mail-received",
                "detail": '{"run_id": 1, "via": "confirmation-link"}',
            },
            {
                "customer_id": 2,
                "item_id": "mail-received",
                "detail": '{"run_id": 2, "via": "confirmation-link"}',
            },
            {"customer_id": 3, "item_id": "mail-received", "detail": '{"by_hand": true}'},
        ],  # fmt: skip
        pk=("customer_id", "item_id"),
    )
    m_mail_received_per_path(db)
    assert {r["token_hash"]: r["path"] for r in db.table("confirmations").rows} == {
        "a": "smtp-own", "b": "mailjet",
    }  # fmt: skip
    keys = {r["customer_id"]: r["item_id"] for r in db.table("item_states").rows}
    # a tick by hand cannot be attributed to a path: it is no longer read on any
    assert keys == {1: "mail-received:smtp-own", 2: "mail-received:mailjet", 3: "mail-received"}
    legacy = db.table("item_states").rows_where("customer_id = 3")
    assert store._rows_for_path(legacy, "portal") == {}
