"""What a DNS check does besides judging the records.

It remembers who serves the domain (NS and SOA, for the provider's panel steps) and, once
our own check is green, asks Mailjet to check the DNS and validate the domain sender, so
that the manager sees Mailjet's view next to ours.
"""

import asyncio
import dataclasses

from sqlite_utils import Database

from . import mailjet, mailjet_sync
from .checks.dnsprovider import Delegation

REQUIRED = ("dns-verification", "dns-spf", "dns-dkim")


def green(report) -> bool:
    """True when every record Mailjet needs passed our check (done or warning)."""
    states = {r.item_id: r.state for r in report.records}
    return all(states.get(item) in ("done", "warning") for item in REQUIRED)


class Extra:
    """Prepared in the request (reads the account), run in the check, stored in its finish."""

    def __init__(self, db: Database, config, customer_id: int):
        self.customer_id = customer_id
        self.account = mailjet_sync.account(db, config, customer_id)
        self.state = mailjet_sync.row(db, customer_id)
        # the customer waits for this too: never longer than the DNS check itself may take
        self.timeout = min(float(config["MAILJET_TIMEOUT"]), float(config["DNS_TIMEOUT"]))
        self.delegation: Delegation | None = None
        self.answer: mailjet.CheckResult | mailjet.MailjetError | None = None

    def _wanted(self, report) -> bool:
        state = self.state
        if not (self.account and state and state["dns_id"] and state["domain"] == report.domain):
            return False
        settled = (state["spf_status"], state["dkim_status"], state["sender_status"])
        return green(report) and settled != ("OK", "OK", "Active")

    async def after_check(self, report, delegation: Delegation) -> None:
        """Keep the delegation; when our check is green, ask Mailjet to check as well."""
        self.delegation = delegation
        if not self._wanted(report):
            return
        try:
            self.answer = await asyncio.to_thread(
                mailjet.ask_to_check, self.account, report.domain, self.state["dns_id"],
                self.state["sender_id"], timeout=self.timeout,
            )  # fmt: skip
        except mailjet.MailjetError as e:
            self.answer = e

    def store(self, db: Database, data: dict) -> dict:
        """Store Mailjet's answer; return the run's result with the delegation added."""
        if self.answer is not None:
            mailjet_sync.store_check(db, self.customer_id, self.answer)
        if self.delegation is None:
            return data
        return {**data, "delegation": dataclasses.asdict(self.delegation)}
