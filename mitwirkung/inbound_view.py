"""The receiver's verdict as lines for the pages: label, German message, fix, anchor, state."""

from dataclasses import dataclass

from flask import Flask

from .progress import EVIDENCE_LABELS, evidence

# Where the page already shows the record a result depends on (Mailjet path's DNS rows).
ANCHORS = {"spf": "item-dns-spf", "dkim": "item-dns-dkim", "dmarc": "item-dns-dmarc"}
RESULT_WORDS = {
    "pass": ("bestanden", "done"),
    "fail": ("nicht bestanden", "failed"),
    "softfail": ("nicht sicher bestanden („softfail“)", "warning"),
    "neutral": ("ohne Aussage („neutral“)", "warning"),
    "none": ("nicht vorhanden", "warning"),
    "temperror": ("nicht prüfbar – der DNS antwortete nicht rechtzeitig", "warning"),
    "permerror": ("fehlerhafter Eintrag („permerror“)", "failed"),
}


@dataclass(frozen=True)
class Line:
    label: str
    message: str
    state: str
    fix: str | None = None
    anchor: str | None = None


def _words(result: str | None) -> tuple[str, str]:
    return RESULT_WORDS.get(result or "", (result or "–", "warning"))


def verdict_lines(verdict: dict, path: str | None = None) -> list[Line]:
    """Turn a stored verdict (to_dict() of checks.inbound's Verdict) into page lines."""
    anchors = ANCHORS if path == "mailjet" else {}
    spf = verdict.get("spf") or {}
    text, state = _words(spf.get("result"))
    lines = [Line("SPF", f"SPF {text}.", state, anchor=anchors.get("spf"))]
    signatures = verdict.get("dkim") or []
    if not signatures:
        lines.append(Line("DKIM", "Die Mail trägt keine DKIM-Signatur.", "warning"))
    for sig in signatures:
        text, state = _words(sig.get("result"))
        name = f"d={sig.get('domain')}, s={sig.get('selector')}"
        lines.append(Line("DKIM", f"Signatur ({name}) {text}.", state, anchor=anchors.get("dkim")))
    dmarc = verdict.get("dmarc") or {}
    text, state = _words(dmarc.get("result"))
    policy = dmarc.get("policy")
    more = f" Richtlinie der Domain: p={policy}." if policy else ""
    lines.append(Line("DMARC", f"DMARC {text}.{more}", state, anchor=anchors.get("dmarc")))
    return lines


def init_app(app: Flask) -> None:
    app.add_template_global(evidence)
    app.add_template_global(EVIDENCE_LABELS, "EVIDENCE_LABELS")
    app.add_template_global(verdict_lines)
