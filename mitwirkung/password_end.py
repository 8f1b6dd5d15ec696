"""After Microsoft's switch-off date: tell everyone whose proven settings log in with a password.

Once per customer (claimed in `job_claims`, so two job runners never mail twice), for active
customers whose smtp-own settings passed a test at Microsoft 365 with user and password
(overview.PASSWORD_AT_RISK): an event in the history, one mail to the account manager and
one to the customer's contact, at most BATCH customers per run (spread over the runs).

What this cannot do: send a new test mail itself. The password is never kept (it is handed
over to PEIQ, shown once and deleted), so only the customer's own "Testmail senden" can prove
whether the tenant still allows the login; the mail asks for exactly that, or OAuth 2.0.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from . import mail, mailtext, store
from .mail_providers import catalog
from .mail_providers import today as configured_today
from .overview import PASSWORD_AT_RISK
from .runs.app_mail import manager_addresses

log = logging.getLogger(__name__)
BATCH = 20


def notify_after_switch_off(db: Database, config, at: datetime, *, claim, links) -> int:
    """Tell manager and customer once per customer; return how many customers were told.

    claim(db, key) -> bool: jobs.claims.claim. links(customer) -> (edit URL, manager URL).
    Does nothing before the provider's `default_off` date (TODAY setting or at's date).
    """
    provider = catalog().get("microsoft")
    day = configured_today(config) if config.get("TODAY") else at.date()
    if provider is None or day < provider.default_off:
        return 0
    rows = list(db.query(
        "SELECT c.* FROM customers c JOIN smtp_settings s ON s.customer_id = c.id"
        f" WHERE c.archived_at IS NULL AND s.provider = 'microsoft' AND {PASSWORD_AT_RISK}"
        " ORDER BY c.id"
    ))  # fmt: skip
    told = 0
    for customer in rows:
        if told >= BATCH:
            break
        if not claim(db, f"m365-password-end:{customer['id']}"):
            continue
        edit, url = links(customer)
        off = provider.default_off_text
        mailed = mail.configured(config)
        kind = "m365-password-end" if mailed else "m365-password-end-unsent"
        store.add_event(db, customer["id"], "jobs", kind,
                        data={"off": provider.default_off.isoformat()}, activity=False)  # fmt: skip
        if mailed:
            values = {"name": customer["name"], "off": off, "removal": provider.removal_text,
                      "link": edit, "url": url}  # fmt: skip
            managers = manager_addresses(db, customer["id"])
            contact = [customer["contact_email"]]
            for to, who in ((contact, "customer"), (managers, "manager")):
                if to and to[0]:
                    problem = mail.deliver(config, to, *mailtext.render(
                        "password_end", to=who, **values))  # fmt: skip
                    if problem:
                        log.warning("switch-off mail for customer %s not sent: %s",
                                    customer["id"], problem)  # fmt: skip
        told += 1
    return told
