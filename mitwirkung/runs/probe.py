""" "Einstellungen ermitteln" (`runs.kind = "probe"`): which of the usual port/encryption
pairs (SMTP_PROBE_PORTS) of one host answer, without a login and without a mail."""

import dataclasses

from sqlite_utils import Database

from ..checks.smtp import probe_settings
from ..runner import Job
from ..service import Service
from .base import DNS_OUTCOMES, PROBE_TITLES, Caller, check_options
from .limits import admit

KIND = "probe"


def start_probe(svc: Service, customer: dict, host: str, caller: Caller) -> int:
    """Admit (the probe budget, see limits.admit) and start a probe; return the run id."""
    options = check_options(svc.config)
    ports = tuple((int(port), enc) for port, enc in svc.config["SMTP_PROBE_PORTS"])

    def check():
        return probe_settings(host, ports=ports, **options)

    db = svc.db
    with db.atomic():
        admit(db, svc.config, customer["id"], caller.client_addr, kind=KIND)
        return svc.runner.submit(db, Job(
            customer["id"], KIND, {"host": host}, caller.actor, check, finish_probe,
            client_addr=caller.client_addr,
        ))  # fmt: skip


def finish_probe(db: Database, run_id: int, probes):
    """Store what each pair answered; "ok" when one works, else "nothing_found"."""
    found = [dataclasses.asdict(p) for p in probes or []]
    ok = any(p["ok"] for p in found)
    title = PROBE_TITLES[ok] if probes is not None else DNS_OUTCOMES["unexpected"]
    return ("ok" if ok else "nothing_found"), {"probes": found, "title": title}
