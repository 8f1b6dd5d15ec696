"""The Mailjet DNS check (`runs.kind = "dns"`): what the customer is to publish, starting a
check (the DNS items show `running` meanwhile), storing each record's verdict in its item,
and what the DNS table shows."""

import asyncio
import dataclasses

from sqlite_utils import Database

from .. import mailjet_followup, store
from ..checks import dnsprovider
from ..checks.dns import DnsReport, MailjetExpectation, check_mailjet, planned_records
from ..checks.dns.common import reword
from ..checks.dns.zonefile import zone_snippet
from ..overview import drift
from ..runner import Job
from ..service import Service
from ..words.runs import DKIM_WAITING as DKIM_WAITING
from ..words.runs import DKIM_WAITING_ONLOOKER as DKIM_WAITING_ONLOOKER
from ..words.runs import DNS_CHECK_ABORTED, DNS_CHECK_FAILED, MISSING_NAMES
from .base import Caller, runs
from .limits import admit_dns, auto_checks_allowed, auto_checks_until

KIND = "dns"
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
    history = runs(db, customer_id, KIND, 10)
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
    incidents = drift(db, customer_id)
    checked_at = (latest or {}).get("finished_at") or (latest or {}).get("started_at")
    for incident in incidents:  # what the daily watch found after completion is the news
        records = [
            {**incident["detail"], "drift_at": incident["incident_at"]}
            if r["item_id"] == incident["item_id"] and incident["detail"].get("item_id")
            else r
            for r in records
        ]
        checked_at = max(checked_at or "", incident["checked_at"] or "")
    records = [reword(r) for r in records]  # a drift incident's words too, rendered now
    return {
        "expected": expected,
        "records": records,
        "run": latest,
        "drift": incidents,
        "checked_at": checked_at,
        "nameservers": nameservers,
        "history": history,
        "auto": auto_checks_allowed(db, customer_id),
        "auto_until": auto_checks_until(db, customer_id),
        "missing": missing_values(expected),
        "zone": zone_snippet(expected.domain, records),
    }


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


def start_dns_check(svc: Service, customer: dict, expected: MailjetExpectation,
                    caller: Caller) -> int:  # fmt: skip
    """Start a check of the Mailjet records; the DNS items show `running` meanwhile.

    A click while a check runs just shows that check (its run id is returned); otherwise
    limits.admit_dns decides (raises limits.RateLimited).
    """
    config, db = svc.config, svc.db
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
            store.set_item(db, customer["id"], item_id, "running", caller.actor, detail)

    with db.atomic():
        running = db.execute(
            "SELECT id FROM runs WHERE customer_id = ? AND kind = 'dns' AND state = 'running'",
            [customer["id"]],
        ).fetchone()
        if running:
            return running[0]
        admit_dns(db, config, customer["id"], caller.actor, caller.client_addr)
        return svc.runner.submit(db, Job(
            customer["id"], KIND, dataclasses.asdict(expected), caller.actor, check, finish,
            client_addr=caller.client_addr, on_start=on_start,
        ))  # fmt: skip


def finish_dns(db: Database, run_id: int, report: DnsReport | None):
    """Write each record's verdict to its item; a DNS that does not answer proves nothing."""
    run = db.table("runs").get(run_id)
    customer_id, actor = run["customer_id"], run["actor"] or "system"  # who started the check
    rows = store.item_rows(db, customer_id)
    previous = {i: rows[i]["detail"].get("previous", "open") for i in DNS_ITEMS if i in rows}
    if report is None:
        for item_id in DNS_ITEMS:
            detail = {"run_id": run_id, "message": DNS_CHECK_FAILED}
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


def abort(db: Database, run: dict) -> None:
    """A check cut off: the DNS items go back to open and say so."""
    for item_id in DNS_ITEMS:
        detail = {"run_id": run["id"], "message": DNS_CHECK_ABORTED}
        store.set_item(db, run["customer_id"], item_id, "open", "system", detail)
