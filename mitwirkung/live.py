"""Glue between the web layer and the live checks: admit a run, start it, store what it found.

Checks (mitwirkung/checks) know nothing of the database; views know nothing of SMTP or DNS.
This module turns a customer's request into a runner job and the job's result into item
states, in one transaction with the run row.
"""

import asyncio
import dataclasses
import ipaddress
import json
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from . import crypto, handover, mail, mail_providers, mailjet_followup, store
from .checks import diagnose, dnsprovider
from .checks.dns import DnsReport, MailjetExpectation, check_mailjet, planned_records
from .checks.dns.zonefile import zone_snippet
from .checks.netguard import GuardError, vet
from .checks.smtp import SmtpResult, SmtpSettings, probe_settings, run_smtp_test
from .checks.smtp.oauth import OAuthLogin
from .db import now
from .runner import Runner
from .runner import reap as runner_reap

SMTP_KINDS = ("smtp", "probe", "mailjet-mail")  # all count against the SMTP test limits
AUTO_CHECK_WINDOW = 30 * 60


class RateLimited(Exception):
    """Too many live tests; the message says in German when to try again."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _since(seconds: int) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def _local_hhmm(iso: str) -> str:
    from .web import local_time

    return local_time(iso, "%H:%M")


def _limit(
    db: Database, where: str, value, kinds, limit: int, window: int, label: str, noun: str
) -> None:
    """Raise RateLimited when `limit` runs of these kinds matched `where` in the window."""
    marks = ",".join("?" * len(kinds))
    rows = db.execute(
        f"SELECT started_at FROM runs WHERE {where} AND kind IN ({marks}) AND started_at > ?"
        " ORDER BY started_at",
        [value, *kinds, _since(window)],
    ).fetchall()
    if len(rows) >= limit:
        again = datetime.fromisoformat(rows[-limit][0]) + timedelta(seconds=window)
        raise RateLimited(
            f"Es wurden {label} schon {len(rows)} {noun} gestartet – mehr "
            f"sind zum Schutz der Server nicht möglich. Bitte versuchen Sie es ab "
            f"{_local_hhmm(again.isoformat())} Uhr wieder."
        )  # fmt: skip


# Outcomes of runs that ended before any connection to the customer's server: they cost the
# server nothing, so they do not count against the customer's budget (the address limit stays).
NOT_CONNECTED = ("invalid_host", "blocked_address", "blocked_port", "host_not_found",
                 "dns_unavailable", "address_invalid", "password_missing")  # fmt: skip
# A test mail and a probe ("Einstellungen ermitteln") have a budget each per customer: finding
# the right port never uses up the test mails, and the other way round.
CUSTOMER_BUDGETS = {"smtp": ("smtp", "mailjet-mail"), "mailjet-mail": ("smtp", "mailjet-mail"),
                    "probe": ("probe",)}  # fmt: skip


def _customer_runs(db: Database, customer_id: int, kinds) -> list[str]:
    marks, skip = ",".join("?" * len(kinds)), ",".join("?" * len(NOT_CONNECTED))
    return [row[0] for row in db.execute(
        f"SELECT started_at FROM runs WHERE customer_id = ? AND kind IN ({marks})"
        f" AND started_at > ? AND COALESCE(outcome, '') NOT IN ({skip}) ORDER BY started_at",
        [customer_id, *kinds, _since(600), *NOT_CONNECTED],
    )]  # fmt: skip


def tests_left(db: Database, config, customer_id: int, kind: str = "smtp") -> int:
    """How many more runs of this kind the customer may start in the current 10 minutes."""
    used = len(_customer_runs(db, customer_id, CUSTOMER_BUDGETS[kind]))
    return max(0, config["SMTP_TESTS_PER_CUSTOMER"] - used)


def admit(
    db: Database, config, customer_id: int, client_addr: str | None, kind: str = "smtp"
) -> None:
    """Raise RateLimited when the customer's budget for this kind (test mails, or probes) or the
    client address's budget for all SMTP tests is used up; runs that never connected are free."""
    rows = _customer_runs(db, customer_id, CUSTOMER_BUDGETS[kind])
    limit = config["SMTP_TESTS_PER_CUSTOMER"]
    if len(rows) >= limit:
        again = datetime.fromisoformat(rows[-limit]) + timedelta(seconds=600)
        noun = "Port-Suchen" if kind == "probe" else "Testmails"
        raise RateLimited(
            f"Es wurden in den letzten 10 Minuten schon {len(rows)} {noun} gestartet – mehr "
            f"sind zum Schutz der Server nicht möglich. Bitte versuchen Sie es ab "
            f"{_local_hhmm(again.isoformat())} Uhr wieder."
        )  # fmt: skip
    _limit(db, "client_addr = ?", client_addr, SMTP_KINDS, config["SMTP_TESTS_PER_ADDRESS"],
           3600, "in der letzten Stunde", "Tests")  # fmt: skip


def _check_options(config) -> dict:
    return {
        "timeout": float(config["SMTP_TIMEOUT"]),
        "allowed_ports": config["SMTP_ALLOWED_PORTS"],
        "allowed_networks": config["SMTP_ALLOWED_NETWORKS"],
        "nameservers": config["DNS_NAMESERVERS"],
        "ca_file": config["SMTP_CA_FILE"],
    }


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


def _public_settings(settings: SmtpSettings) -> dict:
    return dataclasses.asdict(settings)


def smtp_key(settings: dict) -> tuple:
    """What a test mail proves something about: server, port, encryption, login and sender.

    Takes a row of `smtp_settings` or a run's settings; the recipient is left out (a mail
    that arrived in another mailbox still proves the server sends).
    """
    login = settings["login"] if "login" in settings else not settings.get("no_login")
    method = (settings.get("auth_method") or "password") if login else ""
    oauth = ()
    if method == "oauth-m365":
        oauth = (settings.get("oauth_tenant"), settings.get("oauth_client"))
    return (
        settings.get("host"), int(settings.get("port") or 0), settings.get("encryption"),
        (settings.get("username") or "") if login else "", settings.get("sender"), bool(login),
        method, *oauth,
    )  # fmt: skip


SETTINGS_FIELDS = ("host", "port", "encryption", "username", "sender", "recipient", "no_login",
                   "auth_method", "oauth_tenant", "oauth_client")  # fmt: skip
TRIAL_RULE = (
    "Ihre gespeicherten Einstellungen sind schon erfolgreich getestet: „Testmail senden“ "
    "übernimmt geänderte Einstellungen erst, wenn der Server die Testmail angenommen hat."
)
STALE = "Die Einstellungen wurden seitdem geändert – bitte senden Sie erneut eine Testmail."


def save_smtp_settings(db: Database, customer_id: int, data: dict, actor: str) -> None:
    """Store the non-secret SMTP settings and mark `smtp-settings` done.

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
        if old is None or smtp_key(old) == smtp_key(new):
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


def start_smtp_test(
    db: Database,
    runner: Runner,
    config,
    *,
    customer: dict,
    settings: SmtpSettings,
    password: str | None,
    allow_plain: bool,
    confirm_url_for,
    actor: str,
    client_addr: str | None,
    save=None,
    handover_max_age: int | None = None,
    handover_secret: str | None = None,
    oauth: OAuthLogin | None = None,
) -> int:
    """Admit and start a test mail run; the password lives only in this job's memory.

    With `handover_max_age` (days) the password is handed over to PEIQ when the run ends, and
    only if its login succeeded (`handover.hand_over_after_test`); the run's result says what
    happened in `handover`.

    When the saved settings are proven (see `proven`), the run is a trial: the typed settings
    replace the saved ones only if the server accepts the mail, and a failure leaves the
    proven settings and their items as they are. Otherwise `save(db)` stores the typed
    settings once the run is admitted and `smtp-test-mail` shows `running`.
    """
    code = crypto.new_token()
    confirm_url = confirm_url_for(code)
    options = _check_options(config)
    today, providers = mail_providers.today(config), mail_providers.catalog()
    method = {"auth_method": "password"}
    if oauth:
        method = {"auth_method": "oauth-m365", "oauth_tenant": oauth.tenant,
                  "oauth_client": oauth.client_id}  # fmt: skip

    def check():
        return run_smtp_test(
            settings, password, confirm_url=confirm_url, customer_name=customer["name"],
            allow_plain_password=allow_plain, oauth=oauth, today=today, providers=providers,
            **options,
        )  # fmt: skip

    def on_start(db, run_id, trial):
        db.table("confirmations").insert(
            {
                "token_hash": crypto.token_hash(code),
                "customer_id": customer["id"],
                "run_id": run_id,
                "created_at": now(),
                "path": customer["path"],  # the link counts for the path that sent the mail
            }  # fmt: skip
        )
        if not trial:
            store.set_item(
                db, customer["id"], "smtp-test-mail", "running", actor, {"run_id": run_id}
            )

    given = handover_secret if handover_secret is not None else password
    secret = handover.seal(given) if handover_max_age is not None and given else None

    def finish(db, run_id, result):
        outcome, data = finish_smtp(db, run_id, result)
        if secret is not None:
            data["handover"] = handover.hand_over_after_test(
                db, customer["id"], secret, login_succeeded=bool(data.get("authenticated")),
                actor=actor, max_age_days=handover_max_age,
            )  # fmt: skip
        return outcome, data

    with db.atomic():
        admit(db, config, customer["id"], client_addr)
        trial = proven(db, customer["id"])
        if save and not trial:
            save(db)
        return runner.submit(
            db, customer_id=customer["id"], kind="smtp",
            settings={**_public_settings(settings), **method, "trial": trial,
                      "handover": bool(secret)},
            actor=actor, client_addr=client_addr, check=check, finish=finish,
            on_start=lambda db, run_id: on_start(db, run_id, trial),
        )  # fmt: skip


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
    `data["applied"]` says whether the items took the result.
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
        saved = {k: tested.get(k) for k in SETTINGS_FIELDS if k != "no_login"}
        save_smtp_settings(db, cid, {**saved, "no_login": int(not tested.get("login", True))},
                           run["actor"] or "system")  # fmt: skip
    saved = store.get_row(db, "smtp_settings", cid)
    data["applied"] = bool(
        newest == run_id
        and saved is not None
        and smtp_key(saved) == smtp_key(tested)
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


def start_probe(
    db: Database,
    runner: Runner,
    config,
    *,
    customer: dict,
    host: str,
    actor: str,
    client_addr: str | None,
) -> int:
    """Admit and start a probe of the usual port/encryption pairs of one host."""
    options = _check_options(config)

    ports = tuple((int(port), enc) for port, enc in config["SMTP_PROBE_PORTS"])

    def check():
        return probe_settings(host, ports=ports, **options)

    with db.atomic():
        admit(db, config, customer["id"], client_addr, kind="probe")
        return runner.submit(
            db, customer_id=customer["id"], kind="probe", settings={"host": host}, actor=actor,
            client_addr=client_addr, check=check, finish=finish_probe,
        )  # fmt: skip


def finish_probe(db: Database, run_id: int, probes):
    found = [dataclasses.asdict(p) for p in probes or []]
    ok = any(p["ok"] for p in found)
    title = PROBE_TITLES[ok] if probes is not None else DNS_OUTCOMES["unexpected"]
    return ("ok" if ok else "nothing_found"), {"probes": found, "title": title}


PROBE_TITLES = {
    True: "Funktionierende Einstellung gefunden",
    False: "Keine der üblichen Einstellungen funktioniert",
}


DNS_ITEMS = ("dns-verification", "dns-spf", "dns-dkim", "dns-dmarc")


def expectation(db: Database, customer_id: int) -> MailjetExpectation | None:
    """Return what the account manager entered from Mailjet, or None."""
    row = store.get_row(db, "mailjet_expectations", customer_id)
    if row is None:
        return None
    return MailjetExpectation(
        row["domain"], row["verification_name"], row["verification_value"],
        row["dkim_selector"] or "mailjet", row["dkim_key"] or None,
    )  # fmt: skip


DKIM_WAITING = (
    "Den Wert – den öffentlichen Schlüssel, den Mailjet für Ihre Domain erzeugt – trägt PEIQ "
    "hier noch ein. Sie bekommen Bescheid, sobald er da ist; die anderen Einträge können Sie "
    "schon anlegen."
)
DKIM_WAITING_ONLOOKER = (
    "Den Wert – den öffentlichen Schlüssel, den Mailjet für die Domain erzeugt – trägt PEIQ "
    "hier noch ein; die anderen Einträge kann die Kund:in schon anlegen."
)
MISSING_NAMES = {"dkim_key": "der öffentliche DKIM-Schlüssel"}


def missing_values(expected: MailjetExpectation | None) -> list[str]:
    """Names (German) of the Mailjet values PEIQ has not entered yet; [] when complete.

    Without the DKIM key the customer cannot publish the DKIM record (its value is the key,
    RFC 6376 §3.6.1), so the values are not "ready" for the customer, their mail or their IT.
    """
    if expected is None:
        return []
    return [name for key, name in MISSING_NAMES.items() if not getattr(expected, key)]


def dns_view(db: Database, customer_id: int) -> dict:
    """Return what the DNS table shows: the expectation, the records and the latest run."""
    expected = expectation(db, customer_id)
    history = runs(db, customer_id, "dns", 10)
    latest = history[0] if history else None
    if expected is None:
        return {"expected": None, "records": [], "run": latest, "nameservers": [], "history": [],
                "auto": False, "auto_until": None, "drift": [], "checked_at": None,
                "missing": []}  # fmt: skip
    records = [dataclasses.asdict(r) for r in planned_records(expected)]
    nameservers = []
    last_done = next((r for r in history if r["state"] in ("done", "failed")), None)
    if last_done and last_done["settings"] == dataclasses.asdict(expected):
        records = last_done["result"].get("records") or records
        nameservers = last_done["result"].get("nameservers") or []
        for record in records:  # a record the DNS did not answer for is still open
            if record["details"].get("dns_unavailable"):
                record["state"] = "open"
                _keep_known(record, history, last_done["settings"])
    drift = _drift_incidents(db, customer_id)
    checked_at = (latest or {}).get("finished_at") or (latest or {}).get("started_at")
    for incident in drift:  # what the daily watch found after completion is the news
        records = [
            {**incident["detail"], "drift_at": incident["incident_at"]}
            if r["item_id"] == incident["item_id"] and incident["detail"].get("item_id")
            else r
            for r in records
        ]
        checked_at = max(checked_at or "", incident["checked_at"] or "")
    return {
        "expected": expected,
        "records": records,
        "run": latest,
        "drift": drift,
        "checked_at": checked_at,
        "nameservers": nameservers,
        "history": history,
        "auto": auto_checks_allowed(db, customer_id),
        "auto_until": auto_checks_until(db, customer_id),
        "missing": missing_values(expected),
        "zone": zone_snippet(expected.domain, records),
    }


def _drift_incidents(db: Database, customer_id: int) -> list[dict]:
    """The open drift incidents (overview.drift), imported late: overview reads this module's
    neighbours, never the other way round at import time."""
    from .overview import drift

    return drift(db, customer_id)


def _keep_known(record: dict, history: list[dict], settings: dict) -> None:
    """Give an unanswered record the value offered by its last answered check.

    A timeout proves nothing: the record offered before (a merged SPF, say) stays offered, but
    only while it was derived from what the zone holds now (the same records found, or none
    seen this time). "Gefunden" always shows what this check saw, never an older answer.
    """
    for run in history:
        if run["settings"] != settings:
            continue
        for known in run["result"].get("records") or []:
            if known["item_id"] == record["item_id"] and not known["details"].get(
                "dns_unavailable"
            ):
                if record["found"] and list(record["found"]) != list(known["found"]):
                    return  # the zone changed since: the old offer could contradict it
                record["expected"] = known["expected"]
                record["details"] = {**known["details"], "dns_unavailable": True}
                return


def client_key(address: str | None) -> str | None:
    """The address a rate limit counts: IPv6 by its /64, which one client usually owns whole."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if ip.version == 6 and not ip.ipv4_mapped:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def auto_checks_until(db: Database, customer_id: int) -> str | None:
    """Return when automatic re-checks stop (or stopped): 30 minutes after the last click."""
    row = db.execute(
        "SELECT MAX(started_at) FROM runs WHERE customer_id = ? AND kind = 'dns'"
        " AND actor = 'customer'",
        [customer_id],
    ).fetchone()
    if not row or not row[0]:
        return None
    until = datetime.fromisoformat(row[0]) + timedelta(seconds=AUTO_CHECK_WINDOW)
    return until.isoformat(timespec="seconds")


def auto_checks_allowed(db: Database, customer_id: int) -> bool:
    """Automatic re-checks run for 30 minutes after the customer last pressed "DNS prüfen"."""
    row = db.execute(
        "SELECT 1 FROM runs WHERE customer_id = ? AND kind = 'dns' AND actor = 'customer'"
        " AND started_at > ? LIMIT 1",
        [customer_id, _since(AUTO_CHECK_WINDOW)],
    ).fetchone()
    return row is not None


def start_dns_check(
    db: Database,
    runner: Runner,
    config,
    *,
    customer: dict,
    expected: MailjetExpectation,
    actor: str,
    client_addr: str | None,
) -> int:
    """Start a check of the Mailjet records; the DNS items show `running` meanwhile.

    A click while a check runs just shows that check; automatic re-checks stop 30 minutes
    after the last click; at most DNS_CHECKS_PER_CUSTOMER checks per 10 minutes and
    DNS_CHECKS_PER_ADDRESS per hour from one client address, over all customers.
    """
    nameservers, timeout = config["DNS_NAMESERVERS"], float(config["DNS_TIMEOUT"])
    extra = mailjet_followup.Extra(db, config, customer["id"])

    async def check():
        report, delegation = await asyncio.gather(
            check_mailjet(expected, nameservers=nameservers, timeout=timeout),
            dnsprovider.observe(expected.domain, nameservers=nameservers, timeout=timeout),
        )
        await extra.after_check(report, delegation)
        return report

    def finish(db, run_id, report):
        outcome, data = finish_dns(db, run_id, report)
        return outcome, extra.store(db, data)

    def on_start(db, run_id):
        rows = store.item_rows(db, customer["id"])
        for item_id in DNS_ITEMS:
            row = rows.get(item_id)
            # keep the last verdict, so that a DNS that stops answering cannot undo it
            previous = row["detail"].get("previous", "open") if row else "open"
            if row and row["state"] != "running":
                previous = row["state"]
            detail = {**(row["detail"] if row else {}), "run_id": run_id, "previous": previous}
            store.set_item(db, customer["id"], item_id, "running", actor, detail)

    with db.atomic():
        running = db.execute(
            "SELECT id FROM runs WHERE customer_id = ? AND kind = 'dns' AND state = 'running'",
            [customer["id"]],
        ).fetchone()
        if running:
            return running[0]
        if actor == "auto" and not auto_checks_allowed(db, customer["id"]):
            raise RateLimited(
                "Die automatische Prüfung pausiert, weil länger niemand auf „DNS prüfen“ "
                "geklickt hat. Klicken Sie, sobald Sie die Einträge geändert haben."
            )
        recent = db.execute(
            "SELECT COUNT(*) FROM runs WHERE customer_id = ? AND kind = 'dns' AND started_at > ?",
            [customer["id"], _since(600)],
        ).fetchone()[0]
        if recent >= config["DNS_CHECKS_PER_CUSTOMER"]:
            raise RateLimited(
                "Es wurde in den letzten 10 Minuten sehr oft geprüft. Neue Einträge brauchen "
                "ohnehin etwas Zeit – bitte prüfen Sie in einigen Minuten erneut."
            )
        _limit(db, "client_addr = ?", client_addr, ("dns",), config["DNS_CHECKS_PER_ADDRESS"],
               3600, "in der letzten Stunde", "DNS-Prüfungen")  # fmt: skip
        return runner.submit(
            db, customer_id=customer["id"], kind="dns", settings=dataclasses.asdict(expected),
            actor=actor, client_addr=client_addr, check=check, finish=finish,
            on_start=on_start,
        )  # fmt: skip


def finish_dns(db: Database, run_id: int, report: DnsReport | None):
    """Write each record's verdict to its item; a DNS that does not answer proves nothing."""
    run = db.table("runs").get(run_id)
    customer_id, actor = run["customer_id"], run["actor"] or "system"  # who started the check
    rows = store.item_rows(db, customer_id)
    previous = {i: rows[i]["detail"].get("previous", "open") for i in DNS_ITEMS if i in rows}
    if report is None:
        for item_id in DNS_ITEMS:
            detail = {"run_id": run_id, "message": "Die Prüfung ist abgebrochen."}
            store.set_item(db, customer_id, item_id, previous.get(item_id, "open"), actor, detail)
        return "unexpected", {"records": []}
    for record in report.records:
        detail = {"run_id": run_id, **dataclasses.asdict(record)}
        state = record.state
        if record.details.get("dns_unavailable"):
            kept = previous.get(record.item_id)
            state = kept if kept in ("done", "warning") else "open"
        store.set_item(db, customer_id, record.item_id, state, actor, detail)
    data = dataclasses.asdict(report)
    needed = [r for r in report.records if r.item_id != "dns-dmarc"]  # DMARC: recommended
    outcome = (
        "dns_unavailable"
        if report.dns_unavailable
        else ("ok" if all(r.state != "failed" for r in needed) else "records_missing")
    )
    return outcome, data


def inform_peiq(
    db: Database, runner: Runner, config, *, customer: dict, status_url: str, manage_url: str
) -> None:
    """Mark `peiq-informed`, show it on the dashboard and mail the managers if mail is set up.

    Required records that are not in order yet are named in the item, on the manager's page
    and in the mail, so PEIQ never reads "the records are in place" when they are not; the
    item then stays open (the records are the customer's to fix). A notice the managers
    already have and have not looked at is not mailed again; a changed one is. The
    item and the mail's run are stored together: the item never says "wartet auf PEIQ" while
    no mail is on its way.
    """
    with db.atomic():  # read, decide and write in one: parallel clicks mail once
        _inform_peiq(db, runner, config, customer=customer, status_url=status_url,
                     manage_url=manage_url)  # fmt: skip


def _inform_peiq(db, runner, config, *, customer, status_url, manage_url) -> None:
    from . import notify
    from .web import obligation

    rows = store.item_rows(db, customer["id"])
    states = {i: rows[i]["state"] if i in rows else "open" for i in DNS_ITEMS}
    items = obligation().items
    red = [i for i, s in states.items() if items[i].required and s not in ("done", "warning")]
    informed = rows.get("peiq-informed")
    already_told = bool(
        informed
        and informed["detail"].get("waiting_for") == "manager"
        and informed["detail"].get("red", []) == red
    )
    to = (
        [] if already_told or not mail.configured(config) else manager_addresses(db, customer["id"])
    )  # empty: the managers have this very notice and have not looked yet, or mail is off
    lines = "\n".join(f"  {STATE_WORDS.get(s, s):<12} {items[i].title}" for i, s in states.items())
    if red:
        subject = f"Mitwirkung: {customer['name']} meldet sich, DNS-Einträge noch nicht in Ordnung"
        intro = (
            f"{customer['name']} hat PEIQ informiert, obwohl diese nötigen DNS-Einträge noch nicht "
            f"in Ordnung sind: {', '.join(items[i].title for i in red)}. Vielleicht braucht die "
            "Kund:in Hilfe."
        )
    else:
        subject = f"Mitwirkung: {customer['name']} hat die DNS-Einträge für Mailjet gesetzt"
        intro = f"{customer['name']} meldet, dass die DNS-Einträge für Mailjet stehen."
    with db.atomic():
        # with records not in order nothing is in place yet: PEIQ knows, the step stays open
        detail = {"waiting_for": "manager", "dns": states, "red": red}
        store.set_item(db, customer["id"], "peiq-informed", "open" if red else "done",
                       "customer", detail)  # fmt: skip
        if to:
            notify.send_later(
                db, runner, config, customer_id=customer["id"], to=to, subject=subject,
                text=f"{intro}\n\nStand der Prüfung:\n{lines}\n\nKund:in ansehen: {manage_url}\n"
                f"Fortschritt (nur lesen): {status_url}\n",
                actor="customer",
            )  # fmt: skip


DNS_OUTCOMES = {
    "ok": "alle nötigen Einträge in Ordnung",
    "records_missing": "Einträge fehlen oder sind fehlerhaft",
    "dns_unavailable": "DNS antwortete nicht",
    "unexpected": "Prüfung abgebrochen",
    "aborted": "Prüfung unterbrochen",
    "running": "läuft …",
}


# Outcomes of runs that carry no German title of their own; never shown as a code.
OUTCOME_WORDS = {
    **DNS_OUTCOMES,
    "ok": "erfolgreich",
    "failed": "fehlgeschlagen",
    "nothing_found": PROBE_TITLES[False],
    "aborted": "unterbrochen",
}


def run_label(run: dict) -> str:
    """The German result of a run for tables: its title, else its outcome in words."""
    result = run.get("result") or {}
    if isinstance(result, dict) and result.get("title"):
        return result["title"]
    if run.get("kind") == "dns" and run.get("outcome") in DNS_OUTCOMES:
        return DNS_OUTCOMES[run["outcome"]]
    outcome = run.get("outcome") or run.get("state") or ""
    if outcome in OUTCOME_WORDS:
        return OUTCOME_WORDS[outcome]
    if outcome in diagnose.TABLE:
        return diagnose.describe(outcome).title
    return "abgeschlossen" if run.get("state") == "done" else "fehlgeschlagen"


def manager_addresses(db: Database, customer_id: int) -> list[str]:
    """The customer's assigned PEIQ contact; every active manager when nobody (active) is."""
    contact = store.peiq_contact(db, store.get_customer(db, customer_id) or {})
    if contact:
        return [contact["email"]]
    return [row[0] for row in db.execute("SELECT email FROM managers WHERE active = 1 ORDER BY id")]


STATE_WORDS = {"done": "erledigt", "warning": "Hinweis", "failed": "fehlt", "open": "offen"}


def on_abort(db: Database, run: dict) -> None:
    """A run that was cut off: its item says so and asks to start again."""
    if run["kind"] == "dns":
        for item_id in DNS_ITEMS:
            store.set_item(
                db,
                run["customer_id"],
                item_id,
                "open",
                "system",
                {"run_id": run["id"], "message": "Die Prüfung wurde unterbrochen."},
            )
    if run["kind"] == "smtp":
        store.set_item(
            db, run["customer_id"], "smtp-test-mail", "failed", "system",
            {"run_id": run["id"], "code": "aborted",
             "title": "Der Test wurde unterbrochen. Bitte starten Sie ihn erneut."},
        )  # fmt: skip


def reap(db: Database, config, run_id: int | None = None) -> int:
    """Abort runs (or the one run) whose process died or that outlived every timeout by far."""
    max_age = max(float(config["SMTP_TIMEOUT"]), float(config["DNS_TIMEOUT"])) + 60
    return runner_reap(db, max_age, on_abort, run_id)


def runs(db: Database, customer_id: int, kind: str, limit: int = 10) -> list[dict]:
    """Return the newest runs of one kind with settings and result decoded."""
    rows = db.query(
        "SELECT * FROM runs WHERE customer_id = ? AND kind = ? ORDER BY id DESC LIMIT ?",
        [customer_id, kind, limit],
    )
    return [decode(r) for r in rows]


def decode(run: dict) -> dict:
    return dict(
        run,
        settings=json.loads(run["settings"] or "{}"),
        result=json.loads(run["result"] or "{}"),
    )


def _path_of_run(db: Database, run_id: int | None) -> str:
    """The path a test mail was sent on: named in its run's settings, else smtp-own."""
    run = store.get_row(db, "runs", run_id) if run_id else None
    return (json.loads(run["settings"] or "{}").get("path") if run else None) or "smtp-own"


def _speaks_for_saved(db: Database, customer_id: int, run_id: int | None) -> bool:
    """True unless the link came from an SMTP test of settings that are no longer saved."""
    run = store.get_row(db, "runs", run_id) if run_id else None
    if run is None or run["kind"] != "smtp":
        return True  # e.g. a Mailjet test mail: nothing the customer can change since
    saved = store.get_row(db, "smtp_settings", customer_id)
    return saved is not None and smtp_key(saved) == smtp_key(json.loads(run["settings"]))


def confirm_arrival(db: Database, code: str) -> tuple[dict, str, str] | None:
    """Mark `mail-received` on the path whose test mail carried this code.

    Returns (customer, path id, outcome) or None for an unknown code. outcome is "ticked"
    when this opening ticked the item, "already" when a used link finds it still ticked, and
    "unticked" when a used link finds it unticked since: a link ticks once, never again;
    "stale" when the mail was sent with SMTP settings that have been changed since;
    "closed" when the customer's setup was archived; "received" when the product's own
    receiver had this path's mail already: its verdict decides the item, the link does not.
    """
    if not code or len(code) > 200:
        return None
    key = crypto.token_hash(code)
    row = store.get_row(db, "confirmations", key)
    if row is None:
        return None
    customer = store.get_customer(db, row["customer_id"])
    if customer is None:
        return None
    path = row.get("path") or _path_of_run(db, row["run_id"])
    if customer["archived_at"]:
        return customer, path, "closed"
    with db.atomic():
        if not row["used_at"] and not _speaks_for_saved(db, customer["id"], row["run_id"]):
            return customer, path, "stale"
        if not row["used_at"]:
            db.table("confirmations").update(key, {"used_at": now()})
            current = store.item_rows(db, customer["id"], path).get("mail-received")
            if current and current["detail"].get("evidence") == "received":
                return customer, path, "received"  # the receiver came first; its verdict stays
            store.set_item(
                db, customer["id"], "mail-received", "done", "recipient",
                {"run_id": row["run_id"], "via": "confirmation-link", "evidence": "link"},
                path=path,
            )  # fmt: skip
            return customer, path, "ticked"
        current = store.item_rows(db, customer["id"], path).get("mail-received")
    return customer, path, ("already" if current and current["state"] == "done" else "unticked")
