"""The receiver's verdict for the pages: the wording catalog's lines plus where to look."""

from flask import Flask

from .checks.inbound.wording import explain, headline
from .progress import EVIDENCE_LABELS, evidence

PART_LABELS = {"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC", "arc": "ARC"}


def verdict_lines(verdict: dict, path: str | None = None) -> list[dict]:
    """Return the stored verdict (Verdict.to_dict()) as rows: label, state, text, fix, anchor.

    anchor: the id of the checklist item on the page that shows the record concerned (on the
    Mailjet path), so the fix can say "siehe Eintrag oben" as a link.
    """
    return [
        {
            "label": PART_LABELS.get(line.part, line.part),
            "state": line.state,
            "text": line.text,
            "fix": line.fix,
            "anchor": f"item-{line.item_id}" if line.item_id else None,
        }
        for line in explain(verdict, path=path)
    ]


def verdict_headline(verdict: dict) -> str:
    """One German sentence summing the verdict up (Empfang nachgewiesen – …)."""
    return headline(verdict)[1]


def init_app(app: Flask) -> None:
    app.add_template_global(evidence)
    app.add_template_global(EVIDENCE_LABELS, "EVIDENCE_LABELS")
    app.add_template_global(verdict_lines)
    app.add_template_global(verdict_headline)
