"""Logging that never writes a link token: a filter for every logger that sees request paths.

The customer link (/c/<token>), the share link (/s/<token>), the confirmation link
(/bestaetigen/<code>) and a manager's one-time link (/manage/zugang/<token>) are credentials.
Paths reach logs through werkzeug's development server, gunicorn's access log (request line
and Referer) and error log, and Flask's log of an unhandled exception; `install()` covers the
app's loggers and `RedactingLogger` (named in gunicorn.conf.py) covers gunicorn's.
"""

import logging
import re
from urllib.parse import unquote

from gunicorn.glogging import Logger

# "/" may arrive percent-encoded (%2F), and a token's characters too
SECRET_PATH = re.compile(r"((?:/|%2[Ff])(?:c|s|bestaetigen|zugang)(?:/|%2[Ff]))[A-Za-z0-9_%-]{20,}")


def redact(text: str) -> str:
    """Replace every link token in text by "…".

    A path may arrive percent-encoded in any of its letters (`/%63/<token>` is routed like
    `/c/<token>`), so a line that holds a token once decoded is logged decoded and redacted.
    """
    decoded = text
    for _ in range(3):  # a path encoded more than once is decoded once per layer
        decoded, previous = unquote(decoded), decoded
        if decoded == previous:
            break
    if decoded != text and SECRET_PATH.search(decoded):
        text = decoded
    return SECRET_PATH.sub(r"\1…", text)


class HideLinkTokens(logging.Filter):
    """Format the record's message and replace link tokens in it (args may be a mapping)."""

    def filter(self, record):
        if isinstance(record.msg, str) and record.args:
            record.msg = record.msg % record.args
            record.args = ()
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


HIDE_LINK_TOKENS = HideLinkTokens()


def install(*loggers: logging.Logger) -> None:
    """Add the filter to werkzeug's request log and the given loggers."""
    for logger in (logging.getLogger("werkzeug"), *loggers):
        logger.addFilter(HIDE_LINK_TOKENS)


class RedactingLogger(Logger):
    """gunicorn's logger whose access and error logs never contain a link token."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(HIDE_LINK_TOKENS)
        self.access_log.addFilter(HIDE_LINK_TOKENS)
