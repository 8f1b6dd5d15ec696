"""Times as German readers see them: stored UTC ISO strings in Europe/Berlin."""

from datetime import datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def local_time(value: str | None, fmt: str = "%d.%m.%Y, %H:%M Uhr") -> str:
    """Format a stored UTC ISO time for German readers ("–" for none, the text if unparsable)."""
    if not value:
        return "–"
    try:
        return datetime.fromisoformat(value).astimezone(BERLIN).strftime(fmt)
    except ValueError:
        return value
