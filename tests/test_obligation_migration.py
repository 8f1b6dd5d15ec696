"""A database from before obligations were per customer migrates without loss.

The database is built by the real migrations up to (not including) the one that introduced
per-customer obligations, filled the way the old code wrote it, then opened by the app.
"""

import json

from cryptography.fernet import Fernet

from app import create_app
from mitwirkung import crypto, store
from mitwirkung.catalog import SMTP_OBLIGATION
from mitwirkung.db import connect
from mitwirkung.migrations import migrations

BEFORE = "m_obligations_per_customer"
AT = "2026-12-01T09:00:00+00:00"


def _customer(db, app, cid, name, path):
    with app.app_context():
        edit, share = f"edit-token-{cid}", f"share-token-{cid}"
        db.table("customers").insert(
            {
                "id": cid,
                "name": name,
                "domain": f"kunde{cid}.de",
                "path": path,
                "edit_token_hash": crypto.token_hash(edit),
                "edit_token_enc": crypto.encrypt(edit),
                "share_token_hash": crypto.token_hash(share),
                "share_token_enc": crypto.encrypt(share),
                "created_at": AT,
                "last_activity_at": AT,
                "revision": 5,
            }  # fmt: skip
        )
    return edit, share


def _old_database(path, app):
    db = connect(str(path))
    migrations.apply(db, stop_before=BEFORE)
    assert "obligation_id" not in db.table("item_states").columns_dict
    own = _customer(db, app, 1, "Müller Verlag", "smtp-own")
    portal = _customer(db, app, 2, "Weser Kurier", "portal")
    _customer(db, app, 3, "Ohne Weg", None)
    states = [
        (1, "smtp-settings", "done", {"host": "mail.kunde1.de"}),
        (1, "smtp-password", "warning", {"message": "ungetestet"}),
        (1, "smtp-test-mail", "failed", {"run_id": 1, "code": "auth"}),
        (1, "mail-received:portal", "done", {"path": "portal", "evidence": "received"}),
        (2, "portal-adopt", "done", {"portal": "portal.kunde2.de"}),
        (2, "mail-received:portal", "done", {"path": "portal", "evidence": "link", "run_id": 2}),
        (2, "mail-received", "done", {"by_hand": True}),  # a legacy tick: read on no path
    ]
    db.table("item_states").insert_all(
        {"customer_id": c, "item_id": i, "state": s, "detail": json.dumps(d),
         "updated_at": AT, "updated_by": "customer"}
        for c, i, s, d in states
    )  # fmt: skip
    db.table("runs").insert_all(
        [
            {
                "id": 1,
                "customer_id": 1,
                "kind": "dns",
                "state": "done",
                "started_at": AT,
                "settings": '{"host": "mail.kunde1.de"}',
                "result": '{"ok": false}',
            },
            {
                "id": 2,
                "customer_id": 2,
                "kind": "mailjet-mail",
                "state": "done",
                "started_at": AT,
                "settings": '{"path": "portal"}',
                "result": '{"ok": true}',
            },
        ]  # fmt: skip
    )
    db.table("events").insert_all(
        {"customer_id": c, "at": AT, "actor": "customer", "kind": k, "item_id": i, "data": "{}"}
        for c, k, i in [(1, "customer-created", None), (1, "item-state", "smtp-settings"),
                        (2, "path-chosen", None), (2, "item-state", "portal-adopt")]
    )  # fmt: skip
    db.table("secrets").insert(
        {
            "customer_id": 1,
            "kind": "smtp-password",
            "ciphertext": "x",
            "created_at": AT,
            "expires_at": "2026-12-14T09:00:00+00:00",
        }  # fmt: skip
    )
    db.table("confirmations").insert(
        {"token_hash": "h", "customer_id": 2, "run_id": 2, "created_at": AT, "path": "portal"}
    )
    return db, own, portal


def _snapshot(db):
    return {
        table: [dict(r) for r in db.query(f"SELECT * FROM {table} ORDER BY rowid")]
        for table in ("item_states", "runs", "events", "secrets", "confirmations")
    }


def test_old_database_keeps_every_state_run_and_event_and_reads_as_before(tmp_path):
    config = {
        "TESTING": True, "DATABASE": str(tmp_path / "old.db"), "SECRET_KEY": "s",
        "ENCRYPTION_KEY": Fernet.generate_key().decode(), "BASE_URL": "http://mitwirkung.test",
    }  # fmt: skip
    helper = create_app({**config, "DATABASE": str(tmp_path / "helper.db")})
    helper.extensions["runner"].shutdown()
    helper.config["ENCRYPTION_KEY"] = config["ENCRYPTION_KEY"]
    db, own, portal = _old_database(tmp_path / "old.db", helper)
    before = _snapshot(db)
    read_before = {
        cid: store._rows_for_path(db.table("item_states").rows_where("customer_id = ?", [cid]), p)
        for cid, p in ((1, "smtp-own"), (2, "portal"), (3, None))
    }
    db.close()

    app = create_app(config)  # migrates
    try:
        db = connect(config["DATABASE"])
        after = _snapshot(db)
        for table, rows in before.items():
            kept = [{k: v for k, v in r.items() if k != "obligation_id"} for r in after[table]]
            assert kept == rows, table
        for table in ("item_states", "runs", "events"):
            assert {r["obligation_id"] for r in after[table]} == {SMTP_OBLIGATION}
        assert [
            (r["customer_id"], r["obligation_id"], r["path"])
            for r in db.query("SELECT * FROM customer_obligations ORDER BY customer_id")
        ] == [(1, SMTP_OBLIGATION, "smtp-own"), (2, SMTP_OBLIGATION, "portal"),
              (3, SMTP_OBLIGATION, None)]  # fmt: skip
        for cid, rows in read_before.items():
            now = store.item_rows(db, cid)
            # the no-login rule marks nothing here: every row reads as the old code read it
            assert {i: {k: v for k, v in r.items() if k != "obligation_id"}
                    for i, r in now.items()} == rows  # fmt: skip
        client = app.test_client()
        status = client.get(f"/s/{own[1]}/status.json").get_json()
        assert status["path"] == "smtp-own" and status["progress"] == 50
        assert status["overall_progress"] == 50
        status = client.get(f"/s/{portal[1]}/status.json").get_json()
        assert status["path"] == "portal" and status["progress"] == 100
        assert {i["id"]: i["state"] for i in status["items"]} == {
            "portal-adopt": "done", "mail-received": "done",
        }  # fmt: skip
        page = client.get(f"/c/{own[0]}").text
        assert 'data-progress="50"' in page
        summary = db.execute(
            "SELECT progress, obligations_summary FROM customers WHERE id = 2"
        ).fetchone()
        assert summary[0] == 100
        assert json.loads(summary[1]) == [
            {"id": SMTP_OBLIGATION, "path": "portal", "progress": 100}
        ]
        db.close()
    finally:
        app.extensions["runner"].shutdown()
