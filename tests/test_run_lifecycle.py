"""A run cut off (its process died) is reaped by kind: each kind puts its own items right, and
kinds without items leave every item as it was."""

import os
import subprocess
import sys

from mitwirkung import store
from mitwirkung.db import now
from mitwirkung.runner import HOST
from mitwirkung.runs.lifecycle import reap


def dead_owner() -> str:
    """The owner of a run whose process has ended (and was collected) on this host."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{HOST}:{child.pid}"


def left_running(db, customer_id: int, kind: str, owner: str) -> int:
    runs = db.table("runs")
    runs.insert({"customer_id": customer_id, "kind": kind, "state": "running", "owner": owner,
                 "settings": "{}", "started_at": now()})  # fmt: skip
    return runs.last_pk


def test_each_kind_puts_its_items_right_when_its_run_is_reaped(app, customers, db):
    mailjet, _, _ = customers.create(name="Mailjet GmbH", path="mailjet")
    own, _, _ = customers.create(name="Eigener Server AG", path="smtp-own")
    owner = dead_owner()
    dns_run = left_running(db, mailjet["id"], "dns", owner)
    for item_id in ("dns-spf", "dns-dkim"):
        store.set_item(db, mailjet["id"], item_id, "running", "customer", {"run_id": dns_run})
    smtp_run = left_running(db, own["id"], "smtp", owner)
    store.set_item(db, own["id"], "smtp-test-mail", "running", "customer", {"run_id": smtp_run})
    store.set_item(db, own["id"], "smtp-settings", "done", "customer", {"host": "mail.test"})
    left_running(db, own["id"], "probe", owner)
    left_running(db, mailjet["id"], "mail", owner)
    left_running(db, mailjet["id"], "mailjet-mail", owner)

    with app.app_context():
        assert reap(db, app.config) == 5

    assert {r["state"] for r in db.query("SELECT state FROM runs")} == {"aborted"}
    dns_rows = store.item_rows(db, mailjet["id"])
    for item_id in ("dns-verification", "dns-spf", "dns-dkim", "dns-dmarc"):
        assert dns_rows[item_id]["state"] == "open"
        assert dns_rows[item_id]["detail"] == {
            "run_id": dns_run, "message": "Die Prüfung wurde unterbrochen."
        }  # fmt: skip
    own_rows = store.item_rows(db, own["id"])
    assert own_rows["smtp-test-mail"]["state"] == "failed"
    assert own_rows["smtp-test-mail"]["detail"]["code"] == "aborted"
    assert own_rows["smtp-settings"]["state"] == "done"  # a probe has no item to put right
    assert "peiq-informed" not in dns_rows  # nor has a mail


def test_a_run_of_a_living_process_within_its_time_is_left_running(app, customers, db):
    customer, _, _ = customers.create(path="mailjet")
    run_id = left_running(db, customer["id"], "dns", f"{HOST}:{os.getpid()}")
    with app.app_context():
        assert reap(db, app.config, run_id) == 0
    assert db.table("runs").get(run_id)["state"] == "running"
