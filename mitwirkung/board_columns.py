"""The dashboard's columns, defined once for the table and the CSV export.

Each column has the header both show, whether the table shows it, and how the CSV spells
its value. Dates in the CSV are ISO 8601 in Berlin time without the "T" ("2026-12-06 14:03"),
which spreadsheets read as date and time and sort correctly; the table shows German dates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .checks.domain import display_domain
from .checks.smtp import shown_address
from .dates import BERLIN


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


@dataclass(frozen=True)
class Column:
    key: str  # names the table cell in _dashboard_row.html
    label: str  # header of the table and the CSV
    csv: Callable[[dict, dict], object]  # (customer row, context) -> CSV value
    table: bool = True


COLUMNS = (
    Column("name", "Name", lambda c, x: c["name"]),
    Column("domain", "Absender-Domain", lambda c, x: display_domain(c["domain"] or "")),
    Column("contact", "E-Mail der Ansprechperson",
           lambda c, x: shown_address(c["contact_email"] or ""), table=False),
    Column("peiq", "PEIQ-Ansprechpartner:in", lambda c, x: c["peiq_name"] or ""),
    Column("path", "Weg", lambda c, x: x["paths"][c["path"]].short if c["path"] in x["paths"]
           else "noch nicht gewählt"),
    Column("progress", "Fortschritt (%)", lambda c, x: c["progress"]),
    Column("activity", "Letzte Aktivität", lambda c, x: iso_local(c["last_activity_at"])),
    Column("attention", "Braucht Aufmerksamkeit",
           lambda c, x: " | ".join(b["text"] for b in c["attention"])),
    Column("moved", "Letzter Fortschritt", lambda c, x: iso_local(c["moved_at"]), table=False),
    Column("archived", "Archiviert", lambda c, x: iso_local(c["archived_at"]), table=False),
    Column("id", "Nr.", lambda c, x: c["id"], table=False),
    Column("url", "Seite in Mitwirkung", lambda c, x: f"{x['customer_url']}{c['id']}",
           table=False),
    Column("evidence", "Nachweis der Ankunft", lambda c, x: c["mail_evidence"] or "",
           table=False),  # in the table below the progress
    Column("password_login", "Microsoft 365/Google mit Passwort",
           lambda c, x: "ja" if c["id"] in x.get("at_risk", ()) else "", table=False),
)  # fmt: skip
TABLE = tuple(c for c in COLUMNS if c.table)


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
