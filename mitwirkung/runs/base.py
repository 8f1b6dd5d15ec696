"""Plumbing every run kind shares: the checks' options from the config, reading runs back,
and the German words for outcomes that carry no title of their own."""

import json
from dataclasses import dataclass

from sqlite_utils import Database

from ..checks import diagnose
from ..checks.dns.common import reword
from ..checks.smtp.dialogue import word_result
from ..checks.smtp.probe import word_probe
from ..words.runs import DNS_OUTCOMES as DNS_OUTCOMES
from ..words.runs import OUTCOME_WORDS
from ..words.runs import PROBE_TITLES as PROBE_TITLES


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
    """A `runs` row with its settings and result JSON decoded to dicts, the result's German
    rendered now from its stored codes (`worded`)."""
    return dict(
        run,
        settings=json.loads(run["settings"] or "{}"),
        result=worded(json.loads(run["result"] or "{}")),
    )


def worded(result):
    """A stored result with its German rendered from the catalogs as they are today.

    SMTP tests and Mailjet test mails carry `words` (checks.smtp.dialogue.word_result), a DNS
    check's `records` their findings (checks.dns.common.reword), a settings probe's `probes`
    their `words` (checks.smtp.probe.word_probe). A result stored before codes were kept, or
    whose codes the catalog no longer knows, keeps the words it was stored with.
    """
    if not isinstance(result, dict):
        return result
    try:
        shown = dict(result)
        if isinstance(result.get("words"), dict):
            shown.update(word_result(result["words"]))
        if isinstance(result.get("records"), list):
            shown["records"] = [reword(r) for r in result["records"]]
        if isinstance(result.get("probes"), list):
            shown["probes"] = [
                {**p, "message": word_probe(p["words"])} if p.get("words") else p
                for p in result["probes"]
            ]
    except (KeyError, TypeError, ValueError, IndexError):
        return result
    return shown


def runs(db: Database, customer_id: int, kind: str, limit: int = 10) -> list[dict]:
    """Return the newest runs of one kind with settings and result decoded."""
    rows = db.query(
        "SELECT * FROM runs WHERE customer_id = ? AND kind = ? ORDER BY id DESC LIMIT ?",
        [customer_id, kind, limit],
    )
    return [decode(r) for r in rows]


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
