"""The customer's SMTP test mail (`runs.kind = "smtp"`): saving settings, the trial rule for
proven settings, starting the test and storing its result in `smtp-test-mail`.

The password (or OAuth client secret) lives only in the job's memory; a hand-over to PEIQ
is sealed before the run starts and decided when it ends (`handover.hand_over_after_test`).
"""

import asyncio
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from .. import handover, mail_providers, store
from ..checks import diagnose
from ..checks.netguard import GuardError, vet
from ..checks.smtp import SmtpResult, SmtpSettings, run_smtp_test
from ..checks.smtp.oauth import OAuthLogin
from ..db import now
from ..runner import Job
from ..service import Service
from ..words.runs import ABORTED, STALE
from ..words.runs import TRIAL_RULE as TRIAL_RULE  # said on the page (web.py)
from . import settings as smtp_settings
from .base import Caller, check_options
from .limits import admit
from .receipt import ConfirmationLink

KIND = "smtp"


@dataclass(frozen=True)
class SmtpTest:
    """One request for a test mail: what was typed and who asks.

    `password` is None without a login or with OAuth (`oauth` then carries the client
    secret); `save(db)` stores the typed settings (called once the run is admitted, unless
    the saved settings are proven: then the run is a trial). `handover_max_age` (days): hand
    `handover_secret` (else the password) over to PEIQ if the login succeeds.
    """

    customer: dict
    settings: SmtpSettings
    password: str | None
    caller: Caller
    allow_plain: bool = False
    oauth: OAuthLogin | None = None
    save: Callable[[Database], None] | None = None
    handover_max_age: int | None = None
    handover_secret: str | None = None


def refused_settings(config, host: str, port: int) -> dict[str, str]:
    """Return {field name: German message} for settings every SMTP test would refuse.

    A port outside SMTP_ALLOWED_PORTS, a host name the DNS does not know, a host whose address
    is not public. Saving names them at the field; a DNS that does not answer refuses nothing
    (the test will say so then). Resolves the host, at most DNS_TIMEOUT seconds.
    """
    try:
        asyncio.run(
            vet(
                host,
                port,
                allowed_ports=config["SMTP_ALLOWED_PORTS"],
                allowed_networks=config["SMTP_ALLOWED_NETWORKS"],
                nameservers=config["DNS_NAMESERVERS"],
                timeout=float(config["DNS_TIMEOUT"]),
            )  # fmt: skip
        )
    except GuardError as e:
        if e.code == "blocked_port":
            return {"port": e.message}
        if e.code != "dns_unavailable":
            return {"host": e.message}
    return {}


def save_smtp_settings(db: Database, customer_id: int, data: dict, actor: str) -> None:
    """Store the non-secret SMTP settings (a row's fields, see settings.py) and mark
    `smtp-settings` done.

    Evidence belongs to the settings it was gathered with: when server, port, encryption,
    login or sender change, `smtp-test-mail` and the smtp-own `mail-received` go back to open.
    """
    with db.atomic():
        old = store.get_row(db, "smtp_settings", customer_id)
        if "provider" not in data and (old is None or old.get("host") != data.get("host")):
            data = {**data, "provider": None}  # a server that said who it is was another one
        db.table("smtp_settings").upsert(
            {"customer_id": customer_id, **data, "updated_at": now()}, pk="customer_id"
        )
        store.set_item(db, customer_id, "smtp-settings", "done", actor, {"host": data["host"]})
        new = store.get_row(db, "smtp_settings", customer_id)
        if old is None or smtp_settings.key(old) == smtp_settings.key(new):
            return
        rows = store.item_rows(db, customer_id, "smtp-own")
        for item_id in ("smtp-test-mail", "mail-received"):
            if item_id in rows and rows[item_id]["state"] != "open":
                store.set_item(db, customer_id, item_id, "open", actor,
                               {"stale": True, "message": STALE}, path="smtp-own")  # fmt: skip


def proven(db: Database, customer_id: int) -> bool:
    """True when the saved SMTP settings passed a test (`smtp-test-mail` done or warning)."""
    row = store.item_rows(db, customer_id, "smtp-own").get("smtp-test-mail")
    return bool(row and row["state"] in ("done", "warning"))


def start_smtp_test(svc: Service, test: SmtpTest) -> int:
    """Admit and start a test mail run; return its run id. Raises limits.RateLimited.

    With `test.handover_max_age` (days) the secret is handed over to PEIQ when the run ends,
    and only if its login succeeded; the run's result says what happened in `handover`.

    When the saved settings are proven (see `proven`), the run is a trial: the typed settings
    replace the saved ones only if the server accepts the mail, and a failure leaves the
    proven settings and their items as they are. Otherwise `test.save(db)` stores the typed
    settings once the run is admitted and `smtp-test-mail` shows `running`.
    """
    customer, config, db = test.customer, svc.config, svc.db
    link = ConfirmationLink.new(svc.confirm_url)
    options = check_options(config)
    today, providers = mail_providers.today(config), mail_providers.catalog()

    def check():
        return run_smtp_test(
            test.settings, test.password, confirm_url=link.url,
            customer_name=customer["name"], allow_plain_password=test.allow_plain,
            oauth=test.oauth, today=today, providers=providers, **options,
        )  # fmt: skip

    def on_start(db, run_id, trial):
        # the link counts for the path that sent the mail
        link.remember(db, customer["id"], run_id, customer["path"])
        if not trial:
            store.set_item(
                db, customer["id"], "smtp-test-mail", "running", test.caller.actor,
                {"run_id": run_id},
            )  # fmt: skip

    given = test.handover_secret if test.handover_secret is not None else test.password
    secret = handover.seal(given) if test.handover_max_age is not None and given else None

    def finish(db, run_id, result):
        outcome, data = finish_smtp(db, run_id, result)
        if secret is not None:
            data["handover"] = handover.hand_over_after_test(
                db, customer["id"], secret, login_succeeded=bool(data.get("authenticated")),
                actor=test.caller.actor, max_age_days=test.handover_max_age,
            )  # fmt: skip
        return outcome, data

    with db.atomic():
        admit(db, config, customer["id"], test.caller.client_addr)
        trial = proven(db, customer["id"])
        if test.save and not trial:
            test.save(db)
        tested = {**smtp_settings.to_run(test.settings, test.oauth), "trial": trial,
                  "handover": bool(secret)}  # fmt: skip
        return svc.runner.submit(db, Job(
            customer["id"], KIND, tested, test.caller.actor, check, finish,
            client_addr=test.caller.client_addr,
            on_start=lambda db, run_id: on_start(db, run_id, trial),
        ))  # fmt: skip


def smtp_result_data(result: SmtpResult | None) -> dict:
    """Return the stored form of an SMTP result (it never holds the password)."""
    if result is None:
        d = diagnose.describe("unexpected")
        return {"ok": False, "code": "unexpected", "title": d.title, "message": d.message,
                "next_step": d.next_step, "transcript": [], "tls": None}  # fmt: skip
    return dataclasses.asdict(result)


def finish_smtp(db: Database, run_id: int, result: SmtpResult | None):
    """Write the test's outcome to the run and, if it still speaks for them, to the items.

    A result counts only while its run is the customer's newest test mail and its settings
    are the saved ones; a trial (see `start_smtp_test`) that passed saves its settings first.
    `data["applied"]` says whether the items took the result. Returns (outcome, data).
    """
    data = smtp_result_data(result)
    run = db.table("runs").get(run_id)
    cid, tested = run["customer_id"], json.loads(run["settings"] or "{}")
    state = "failed"
    if data["ok"]:
        # accepted without a login: passed, with the warning that PEIQ's addresses are needed
        state = "warning" if data["code"] == "ok_without_login" else "done"
    newest = db.execute(
        "SELECT MAX(id) FROM runs WHERE customer_id = ? AND kind = 'smtp'", [cid]
    ).fetchone()[0]
    if newest == run_id and tested.get("trial") and data["ok"]:
        save_smtp_settings(db, cid, smtp_settings.from_run(tested), run["actor"] or "system")
    saved = store.get_row(db, "smtp_settings", cid)
    data["applied"] = bool(
        newest == run_id
        and saved is not None
        and smtp_settings.key(saved) == smtp_settings.key(tested)
        and (data["ok"] or not tested.get("trial"))
    )
    if data["applied"]:
        if data.get("provider") is not None:  # what the server itself said decides
            db.table("smtp_settings").update(cid, {"provider": data["provider"]})
        store.set_item(
            db, cid, "smtp-test-mail", state, run["actor"] or "system",
            {"run_id": run_id, "code": data["code"], "title": data["title"]},
        )  # fmt: skip
    return ("ok" if data["ok"] else data["code"]), data


def abort(db: Database, run: dict) -> None:
    """A test mail cut off: `smtp-test-mail` says so and asks to start again."""
    store.set_item(
        db, run["customer_id"], "smtp-test-mail", "failed", "system",
        {"run_id": run["id"], "code": "aborted", "title": ABORTED},
    )  # fmt: skip
