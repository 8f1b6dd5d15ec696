"""The Empfangsprüfung's verdict: what a receiving server concludes about one message.

Pure checks (no Flask, no SQLite):
- check_host(ip, domain, sender, *, helo=None, nameservers=None, timeout=20.0) -> SpfResult
  (RFC 7208); check_host_async() for event loops.
- judge_message(raw, *, peer_ip, helo, mail_from, nameservers=None, timeout=20.0) -> Verdict
  (SPF, every DKIM signature, DMARC RFC 9989, ARC reported); judge_message_async().
- item_state(verdict) -> "done" | "warning" | "failed" for the item mail-received.
- wording.explain(verdict_dict) -> German lines with the fix, at display time.
"""

from mitwirkung.checks.inbound.dkim import DkimEntry
from mitwirkung.checks.inbound.dmarc import DmarcResult
from mitwirkung.checks.inbound.spf import SpfResult, check_host, check_host_async
from mitwirkung.checks.inbound.verdict import (
    ArcResult,
    Verdict,
    item_state,
    judge_message,
    judge_message_async,
)

__all__ = [
    "ArcResult",
    "DkimEntry",
    "DmarcResult",
    "SpfResult",
    "Verdict",
    "check_host",
    "check_host_async",
    "item_state",
    "judge_message",
    "judge_message_async",
]
