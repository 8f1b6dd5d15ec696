"""The dashboard's columns, defined once for the table and the CSV export.

Each column has the header both show, whether the table shows it, and how the CSV spells
its value. When customers have more than one obligation between them, `columns(in_use)`
adds one progress column per obligation in use after the fixed ones: the CSV's columns, shown
by the table inside its progress cell; with one obligation, nothing changes.
Dates in the CSV are ISO 8601 in Berlin time without the "T" ("2026-12-06 14:03"), which
spreadsheets read as date and time and sort correctly; the table shows German dates.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from .catalog import SMTP_OBLIGATION
from .checks.domain import display_domain
from .checks.smtp import shown_address
from .dates import BERLIN
from .words import board as words


def iso_local(value: str | None) -> str:
    """A stored UTC time as "YYYY-MM-DD HH:MM" in Berlin time; empty when there is none."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: a leading formula character is neutralised."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA) else text


NOT_AGREED = words.NOT_AGREED  # the customer does not have this obligation


def smtp_path(c: dict, paths: dict) -> str:
    """The "Weg" cell: the SMTP obligation's chosen path (its short title), "noch nicht
    gewählt", or NOT_AGREED for a customer without the SMTP obligation."""
    if c["obligations"] and SMTP_OBLIGATION not in c["obligations"]:
        return NOT_AGREED
    return paths[c["path"]].short if c["path"] in paths else words.NOT_CHOSEN


@dataclass(frozen=True)
class Column:
    key: str  # names the table cell in _dashboard_row.html
    label: str  # header of the table and the CSV
    csv: Callable[[dict, dict], object]  # (customer row, context) -> CSV value
    table: bool = True
    obligation: str | None = None  # a per-obligation column: the obligation's id


def peiq_shown(c: dict) -> str:
    """The PEIQ contact's name, marked when the account is deactivated (then nobody's
    contact: the customer page names nobody, notices go to every active manager)."""
    if not c.get("peiq_name"):
        return ""
    return c["peiq_name"] + (words.DEACTIVATED if c.get("peiq_active") == 0 else "")


LABEL = words.COLUMN_LABELS
COLUMNS = (
    Column("name", LABEL["name"], lambda c, x: c["name"]),
    Column("domain", LABEL["domain"], lambda c, x: display_domain(c["domain"] or "")),
    Column("contact", LABEL["contact"],
           lambda c, x: shown_address(c["contact_email"] or ""), table=False),
    Column("peiq", LABEL["peiq"], lambda c, x: peiq_shown(c)),
    Column("path", LABEL["path"], lambda c, x: smtp_path(c, x["paths"])),
    Column("progress", LABEL["progress"], lambda c, x: c["progress"]),
    Column("activity", LABEL["activity"], lambda c, x: iso_local(c["last_activity_at"])),
    Column("attention", LABEL["attention"],
           lambda c, x: " | ".join(b["text"] for b in c["attention"])),
    Column("moved", LABEL["moved"], lambda c, x: iso_local(c["moved_at"]), table=False),
    Column("archived", LABEL["archived"], lambda c, x: iso_local(c["archived_at"]), table=False),
    Column("id", LABEL["id"], lambda c, x: c["id"], table=False),
    Column("url", LABEL["url"], lambda c, x: f"{x['customer_url']}{c['id']}", table=False),
    Column("evidence", LABEL["evidence"], lambda c, x: c["mail_evidence"] or "",
           table=False),  # in the table below the progress
    Column("password_login", LABEL["password_login"],
           lambda c, x: words.YES if c["id"] in x.get("at_risk", ()) else "", table=False),
)  # fmt: skip
TABLE = tuple(c for c in COLUMNS if c.table)


def obligation_progress(obligation_id: str) -> Callable[[dict, dict], object]:
    """The CSV value of one obligation's column: its progress 0..100, empty when the customer
    does not have that obligation (`c["obligations"]` maps id -> {"path", "progress"})."""

    def value(c: dict, x: dict) -> object:
        entry = c["obligations"].get(obligation_id)
        return "" if entry is None else entry["progress"]

    return value


def columns(in_use: Iterable) -> tuple[Column, ...]:
    """Every column for these obligations (catalog.Obligation, catalog order; those that
    customers have: overview.obligations_in_use).

    One obligation: COLUMNS as they are. More: COLUMNS ("Fortschritt (%)" is then the overall
    progress; "Weg" is named as the SMTP mailbox's path, "Weg (SMTP-Postfach)", the only one
    it shows), then "<title> (%)" per obligation.
    """
    loaded = list(in_use)
    if len(loaded) < 2:
        return COLUMNS
    smtp = next((o.title for o in loaded if o.id == SMTP_OBLIGATION), SMTP_OBLIGATION)
    named = tuple(replace(c, label=f"{c.label} ({smtp})") if c.key == "path" else c
                  for c in COLUMNS)  # fmt: skip
    return named + tuple(
        Column(f"obligation-{o.id}", words.OBLIGATION_COLUMN.format(title=o.title),
               obligation_progress(o.id), table=False, obligation=o.id)
        for o in loaded
    )  # fmt: skip


def obligation_columns(in_use: Iterable) -> tuple[Column, ...]:
    """The per-obligation columns: the CSV's own columns; the table lists them in the
    progress cell ("<title>: <n> %", only the customer's own obligations), which keeps the
    table as wide as before."""
    return tuple(c for c in columns(in_use) if c.obligation)


def table_columns(in_use: Iterable) -> tuple[Column, ...]:
    """The columns the dashboard's table shows for these obligations."""
    return tuple(c for c in columns(in_use) if c.table)


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """The page links to show: first, last, and `around` on each side of current; None is a gap.

    page_numbers(7, 20) == [1, None, 5, 6, 7, 8, 9, None, 20]; a gap of one page shows it.
    """
    wanted = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    shown: list[int | None] = []
    for number in sorted(wanted):
        if shown and number - shown[-1] == 2:
            shown.append(number - 1)
        elif shown and number - shown[-1] > 2:
            shown.append(None)
        shown.append(number)
    return shown
