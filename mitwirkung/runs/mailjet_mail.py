"""The test mail on the Mailjet path: through Mailjet's SMTP relay, with the same runner,
transcript and diagnoses as the customer's own SMTP test (`run_smtp_test`).

Mailjet's relay takes the API key as user and the secret as password over STARTTLS on 587
(MAILJET_SMTP_HOST / MAILJET_SMTP_PORT). The mail carries a confirmation link; opening it
completes `mail-received` on the Mailjet path (the run's settings name the path).
"""

from sqlite_utils import Database

from .. import inbound, mailjet_sync, store
from ..checks.smtp import SmtpResult, SmtpSettings, run_smtp_test
from ..mailjet_followup import REQUIRED
from ..runner import Job
from ..service import Service
from ..words.mailjet import NOT_CONNECTED, OBSTACLES
from .base import Caller, check_options, runs
from .dns_check import expectation
from .limits import RateLimited, admit
from .receipt import ConfirmationLink
from .smtp_test import smtp_result_data

KIND = "mailjet-mail"
PATH = "mailjet"


def obstacle(db: Database, config, customer_id: int, audience: str = "customer") -> str | None:
    """Return why no test mail through Mailjet can be sent yet (German, worded for audience
    "customer" or "manager": only the manager can connect Mailjet), or None."""
    rows = store.item_rows(db, customer_id)
    if any(rows.get(i, {}).get("state") not in ("done", "warning") for i in REQUIRED):
        return OBSTACLES["records"]
    if mailjet_sync.account(db, config, customer_id) is None:
        return NOT_CONNECTED[audience]
    state = mailjet_sync.row(db, customer_id)
    if not state or state["sender_status"] != "Active":
        return OBSTACLES["sender"]
    return None


def manual_wait(db: Database, customer_id: int, contact: dict | None) -> str | None:
    """Why the customer cannot yet confirm by hand that a mail arrived (German), or None.

    On the Mailjet path no mail can arrive before PEIQ has finished its part at Mailjet: the
    hand-tick is offered only once the manager acknowledged the customer's "PEIQ informieren"
    or Mailjet reports the domain sender active.
    """
    state = mailjet_sync.row(db, customer_id)
    if state and state.get("sender_status") == "Active":
        return None
    informed = store.item_rows(db, customer_id).get("peiq-informed")
    if (
        informed
        and informed["state"] in ("done", "warning")
        and (informed["detail"].get("waiting_for") != "manager")
    ):
        return None
    who = contact["name"] if contact else "PEIQ"  # no one assigned: name no person
    return OBSTACLES["manual_wait"].format(who=who)


def latest(db: Database, customer_id: int) -> dict | None:
    """The newest test mail through Mailjet, decoded, or None."""
    found = runs(db, customer_id, KIND, 1)
    return found[0] if found else None


def start(svc: Service, customer: dict, sender: str, recipient: str, caller: Caller) -> int:
    """Admit (same limits as SMTP tests) and start a test mail through Mailjet's relay.

    Raises limits.RateLimited. The caller has checked `obstacle()` first.
    """
    config, db = svc.config, svc.db
    account = mailjet_sync.account(db, config, customer["id"])
    settings = SmtpSettings(
        config["MAILJET_SMTP_HOST"], int(config["MAILJET_SMTP_PORT"]), "tls", account.key,
        sender, recipient, copy_to=inbound.current_address(db, config, customer["id"], PATH),
    )  # fmt: skip
    link = ConfirmationLink.new(svc.confirm_url)
    options = check_options(config)  # the very options of the customer's own SMTP test

    def check():
        return run_smtp_test(
            settings, account.secret, confirm_url=link.url, customer_name=customer["name"],
            **options,
        )  # fmt: skip

    def on_start(db, run_id):
        link.remember(db, customer["id"], run_id)  # the run's settings name the path

    # the API key is the relay's user name: it stays out of the stored settings
    public = {"host": settings.host, "port": settings.port, "encryption": "tls",
              "sender": sender, "recipient": recipient, "path": PATH}  # fmt: skip
    with db.atomic():
        admit(db, config, customer["id"], caller.client_addr)
        return svc.runner.submit(db, Job(
            customer["id"], KIND, public, caller.actor, check, finish,
            client_addr=caller.client_addr, on_start=on_start,
        ))  # fmt: skip


def finish(db: Database, run_id: int, result: SmtpResult | None):
    """Store the outcome (an event, so the pages show it); `mail-received` waits for the link."""
    data = smtp_result_data(result)
    run = db.table("runs").get(run_id)
    customer_id = run["customer_id"]
    store.add_event(db, customer_id, run["actor"] or "system", "mailjet-test-mail",
                    data={"run_id": run_id, "title": data["title"]})  # fmt: skip
    return ("ok" if data["ok"] else data["code"]), data


def send_from_form(svc: Service, customer: dict, form, caller: Caller) -> str | None:
    """Validate the form and start the test mail; return the German reason it did not start.

    Field errors land on the form (everything typed stays); other reasons are returned.
    """
    blocked = obstacle(svc.db, svc.config, customer["id"])
    if blocked:
        return blocked
    expected = expectation(svc.db, customer["id"])
    if not form.validate() or not form.check_domain(expected.domain):
        return ""
    try:
        start(svc, customer, form.sender.data, form.recipient.data, caller)
    except RateLimited as e:
        return e.message
    return None


def default_form(form_class, db: Database, customer: dict):
    """The form as first shown: sender at the Mailjet domain, the customer's contact."""
    expected = expectation(db, customer["id"])
    domain = expected.domain if expected else (customer["domain"] or "")
    last = latest(db, customer["id"])
    data = {"sender": f"printpps@{domain}" if domain else "",
            "recipient": customer["contact_email"] or ""}  # fmt: skip
    if last:
        data = {"sender": last["settings"].get("sender"),
                "recipient": last["settings"].get("recipient")}  # fmt: skip
    return form_class(formdata=None, data=data)


def view(db: Database, config, customer: dict, form_class, audience: str = "customer") -> dict:
    """What the test-mail block shows: why not yet, the form, the latest run; `dns_green`
    (the required records passed) — before that the customer page leaves the block out;
    `connected` (a Mailjet account is there, so a test mail can be sent once all is green)."""
    rows = store.item_rows(db, customer["id"])
    return {
        "dns_green": all(rows.get(i, {}).get("state") in ("done", "warning") for i in REQUIRED),
        "connected": mailjet_sync.account(db, config, customer["id"]) is not None,
        "obstacle": obstacle(db, config, customer["id"], audience),
        "form": default_form(form_class, db, customer),
        "run": latest(db, customer["id"]),
    }
