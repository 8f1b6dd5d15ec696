"""Mails are templates: `templates/mail/<template>.txt`, each with two blocks.

`{% block subject %}` holds the subject (whitespace, line breaks included, collapses to one
space, so a long subject may wrap in the file); `{% block body %}` holds the plain-text body
exactly as sent. Both render with the app's Jinja environment: `.txt` is not autoescaped and
undefined names raise (StrictUndefined, set in create_app). Needs an application context.
"""

from typing import NamedTuple

from jinja2_fragments.flask import render_block


class Mail(NamedTuple):
    """A rendered mail: one-line subject and plain-text body (str, str)."""

    subject: str
    body: str


def subject(template: str, /, **context) -> str:
    """The subject block of templates/mail/<template>.txt, as one line."""
    return " ".join(render_block(f"mail/{template}.txt", "subject", **context).split())


def body(template: str, /, **context) -> str:
    """The body block of templates/mail/<template>.txt, exactly as written."""
    return render_block(f"mail/{template}.txt", "body", **context)


def render(template: str, /, **context) -> Mail:
    """Subject and body of templates/mail/<template>.txt rendered with the same context."""
    return Mail(subject(template, **context), body(template, **context))
