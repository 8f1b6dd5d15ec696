"""Plumbing every run kind shares: the checks' options from the config, reading runs back,
and the German words for outcomes that carry no title of their own."""

import json
from dataclasses import dataclass

from sqlite_utils import Database

from ..checks import diagnose


def check_options(config) -> dict:
    """The live SMTP checks' keyword options: timeout (s), allowed ports and networks, the
    nameservers and the CA file (the customer's test and the Mailjet relay test share them)."""
    return {
        "timeout": float(config["SMTP_TIMEOUT"]),
        "allowed_ports": config["SMTP_ALLOWED_PORTS"],
        "allowed_networks": config["SMTP_ALLOWED_NETWORKS"],
        "nameservers": config["DNS_NAMESERVERS"],
        "ca_file": config["SMTP_CA_FILE"],
    }


def decode(run: dict) -> dict:
    """A `runs` row with its settings and result JSON decoded to dicts."""
    return dict(
        run,
        settings=json.loads(run["settings"] or "{}"),
        result=json.loads(run["result"] or "{}"),
    )


def runs(db: Database, customer_id: int, kind: str, limit: int = 10) -> list[dict]:
    """Return the newest runs of one kind with settings and result decoded."""
    rows = db.query(
        "SELECT * FROM runs WHERE customer_id = ? AND kind = ? ORDER BY id DESC LIMIT ?",
        [customer_id, kind, limit],
    )
    return [decode(r) for r in rows]


DNS_OUTCOMES = {
    "ok": "alle nötigen Einträge in Ordnung",
    "records_missing": "Einträge fehlen oder sind fehlerhaft",
    "dns_unavailable": "DNS antwortete nicht",
    "unexpected": "Prüfung abgebrochen",
    "aborted": "Prüfung unterbrochen",
    "running": "läuft …",
}

PROBE_TITLES = {
    True: "Funktionierende Einstellung gefunden",
    False: "Keine der üblichen Einstellungen funktioniert",
}

# Outcomes of runs that carry no German title of their own; never shown as a code.
OUTCOME_WORDS = {
    **DNS_OUTCOMES,
    "ok": "erfolgreich",
    "failed": "fehlgeschlagen",
    "nothing_found": PROBE_TITLES[False],
    "aborted": "unterbrochen",
}

STATE_WORDS = {"done": "erledigt", "warning": "Hinweis", "failed": "fehlt", "open": "offen"}


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


@dataclass(frozen=True)
class Caller:
    """Who starts a run: the actor stored with it ("customer", "auto", a manager's
    "manager:<id>") and the client address its rate limits count (`limits.client_key`)."""

    actor: str
    client_addr: str | None = None
