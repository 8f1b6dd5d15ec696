"""Command line: `flask --app app managers ...`, `flask --app app customers create ...`."""

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import accounts, mail, mailtext, store
from .accounts import create_manager
from .catalog import SMTP_OBLIGATION, starting_paths
from .checks.domain import normalize_domain
from .checks.smtp import shown_address
from .db import get_db
from .forms import normalize_email, normalize_name
from .web import customer_links, local_time, obligations, public_url
from .words import cli as words

managers = AppGroup("managers", help=words.GROUP_MANAGERS)
customers = AppGroup("customers", help=words.GROUP_CUSTOMERS)


class Refused(click.ClickException):
    """A refused command: one German line on stderr, exit status 2, no traceback."""

    exit_code = 2

    def show(self, file=None):
        click.echo(words.ERROR.format(message=self.format_message()), err=True)


def utf8(value: str | None, hint: str) -> str | None:
    """Refuse an argument that was not valid UTF-8 (click keeps such bytes as surrogates)."""
    if value is not None and any("\ud800" <= c <= "\udfff" for c in value):
        raise Refused(words.NOT_UTF8.format(hint=hint))
    return value


def _password(password: str, email: str, name: str | None, option: str = "--password") -> str:
    problem = accounts.password_problem(utf8(password, option), email, name or "")
    if problem:
        raise Refused(words.OPTION_PROBLEM.format(option=option, problem=problem))
    return password


def _email(email: str) -> str:
    try:
        return normalize_email(utf8(email, "EMAIL")).lower()
    except ValueError as e:
        raise Refused(str(e)) from None


def _manager(email: str) -> dict:
    manager = accounts.by_email(get_db(), _email(email))
    if manager is None:
        raise Refused(words.NO_MANAGER.format(email=email))
    return manager


def _print_link(manager: dict, token: str, expires: str, purpose: str) -> None:
    url = public_url("team.set_password", token=token)
    shown = shown_address(manager["email"])
    click.echo(words.LINK[purpose].format(email=shown, expires=local_time(expires)))
    click.echo(url)
    if mail.configured(current_app.config):
        subject, text = mailtext.render(
            "manager_link", name=manager["name"], email=shown_address(manager["email"]),
            by=words.BY_ADMIN, purpose=purpose, url=url, expires=local_time(expires),
        )  # fmt: skip
        problem = mail.deliver(current_app.config, [manager["email"]], subject, text)
        click.echo(words.NOT_MAILED.format(problem=problem) if problem else words.MAILED)
    else:
        click.echo(words.NO_MAIL)


@managers.command("create")
@click.argument("email")
@click.option("--password", required=True, help=words.HELP["password"].format(rule=accounts.RULE))
@click.option("--name", default=None, help=words.HELP["name"])
def managers_create(email, password, name):
    """Legt eine:n Account Manager:in an, die/der sich unter /manage/ anmelden kann."""
    email = _email(email)
    try:
        name = normalize_name(utf8(name, "--name")) if name is not None else None
    except ValueError as e:
        raise Refused(str(e)) from None
    _password(password, email, name)
    db = get_db()
    if accounts.by_email(db, email):
        raise Refused(words.MANAGER_EXISTS.format(email=email))
    create_manager(db, email, password, name)
    accounts.record(db, "cli", "password-set", accounts.by_email(db, email)["id"])
    click.echo(words.CREATED.format(email=shown_address(email)))


@managers.command("list")
def managers_list():
    """Zeigt alle Zugänge: E-Mail, Name, Zustand, offene Sitzungen."""
    for m in get_db().query("SELECT * FROM managers ORDER BY email"):
        state = (
            "deactivated" if not m["active"]
            else "invited" if not m["password_set_at"] else "active"
        )  # fmt: skip
        sessions = accounts.open_sessions(get_db(), m["id"])
        line = words.MANAGER_LINE.format(
            email=shown_address(m["email"]), name=m["name"], state=words.STATES[state],
            sessions=sessions,
        )  # fmt: skip
        click.echo(line)


@managers.command("invite")
@click.argument("email")
@click.option("--name", default=None, help=words.HELP["name"])
def managers_invite(email, name):
    """Lädt ein: gibt einen einmaligen Link zum Festlegen des Passworts aus (und mailt ihn)."""
    email = _email(email)
    try:
        name = normalize_name(utf8(name, "--name")) if name is not None else None
        manager, token, expires = accounts.invite(get_db(), email, name, "cli")
    except ValueError as e:  # Refusal too
        raise Refused(str(e)) from None
    _print_link(manager, token, expires, "invite")


@managers.command("reset")
@click.argument("email")
def managers_reset(email):
    """Gibt einen einmaligen Link für ein neues Passwort aus (und mailt ihn)."""
    manager = _manager(email)
    if not manager["active"]:
        raise Refused(words.DEACTIVATED_HOW_BACK.format(email=email))
    purpose = "reset" if manager["password_set_at"] else "invite"
    token, expires = accounts.issue_token(get_db(), manager["id"], purpose, "cli")
    accounts.record(get_db(), "cli", "reset-sent", manager["id"])
    _print_link(manager, token, expires, purpose)


@managers.command("set-password")
@click.argument("email")
@click.option("--password", required=True, help=accounts.RULE)
def managers_set_password(email, password):
    """Setzt das Passwort direkt und beendet alle Sitzungen dieses Zugangs."""
    manager = _manager(email)
    _password(password, manager["email"], manager["name"])
    accounts.set_password(get_db(), manager["id"], password, "cli")
    click.echo(words.PASSWORD_SET.format(email=shown_address(manager["email"])))


@managers.command("deactivate")
@click.argument("email")
def managers_deactivate(email):
    """Sperrt einen Zugang: keine Anmeldung mehr, alle Sitzungen enden sofort."""
    manager = _manager(email)
    try:
        accounts.deactivate(get_db(), manager["id"], "cli")
    except accounts.Refusal as e:
        raise Refused(str(e)) from None
    click.echo(words.DEACTIVATED_DONE.format(email=shown_address(manager["email"])))


@managers.command("activate")
@click.argument("email")
def managers_activate(email):
    """Gibt einen deaktivierten Zugang wieder frei (mit dem bisherigen Passwort)."""
    manager = _manager(email)
    accounts.activate(get_db(), manager["id"], "cli")
    click.echo(words.ACTIVATED.format(email=shown_address(manager["email"])))


@managers.command("end-sessions")
@click.argument("email")
def managers_end_sessions(email):
    """Beendet alle Sitzungen eines Zugangs (das Passwort bleibt)."""
    manager = _manager(email)
    ended = accounts.end_sessions(get_db(), manager["id"])
    accounts.record(get_db(), "cli", "sessions-ended", manager["id"], count=ended)
    click.echo(words.SESSIONS_ENDED.format(count=ended, email=shown_address(manager["email"])))


@customers.command("create")
@click.argument("name")
@click.option("--domain", default=None, help=words.HELP["domain"])
@click.option("--contact", default=None, help=words.HELP["contact"])
@click.option(
    "--contact-manager", default=None, metavar="EMAIL",
    help=words.HELP["contact-manager"],
)  # fmt: skip
@click.option(
    "--obligation", "obligation_ids", multiple=True, metavar="ID",
    help=words.HELP["obligation"],
)  # fmt: skip
@click.option("--force", is_flag=True, help=words.HELP["force"])
@click.option("--json", "as_json", is_flag=True, help=words.HELP["json"])
def customers_create(name, domain, contact, contact_manager, obligation_ids, force, as_json):
    """Legt eine Kund:in an und gibt Kund:innen-Link und Nur-Lese-Link aus.

    Gibt es schon eine Kund:in mit demselben Namen oder derselben Absender-Domain (auch
    archiviert), wird nichts angelegt, außer mit --force.

    Die Links beginnen mit BASE_URL (MITWIRKUNG_BASE_URL); ohne sie mit dem Standardwert
    http://127.0.0.1:5000, auch wenn der Server gerade auf einem anderen Port läuft.
    """
    try:
        name = normalize_name(utf8(name, "NAME"))
        domain = normalize_domain(utf8(domain, "--domain")) if domain else None
        contact = normalize_email(utf8(contact, "--contact")) if contact else None
    except ValueError as e:  # DomainError too
        raise Refused(str(e)) from None
    catalog = obligations()
    obligation_ids = [utf8(o, "--obligation") for o in obligation_ids]
    unknown = [o for o in obligation_ids if o not in catalog]
    if unknown:
        known = ", ".join(catalog.ids)
        raise Refused(words.UNKNOWN_OBLIGATION.format(unknown=", ".join(unknown), known=known))
    # every customer has the SMTP mailbox (its page is the link's start page); without
    # --obligation every loaded obligation
    chosen = starting_paths(catalog, [SMTP_OBLIGATION, *(obligation_ids or catalog.ids)])
    db = get_db()
    manager_id = None
    if contact_manager:
        manager = _manager(utf8(contact_manager, "--contact-manager"))
        if not manager["active"]:
            raise Refused(words.DEACTIVATED.format(email=contact_manager))
        manager_id = manager["id"]
    similar = store.similar_customers(db, name, domain)
    if similar and not force:
        lines = "; ".join(
            words.SIMILAR.format(name=c["name"], id=c["id"], same=c["same"],
                                 archived=words.SIMILAR_ARCHIVED if c["archived_at"] else "")
            for c in similar[:5]
        )  # fmt: skip
        raise Refused(words.SIMILAR_EXISTS.format(lines=lines))
    customer, _, _ = store.create_customer(
        db, name, domain, contact, "cli", contact_manager_id=manager_id, obligations=chosen
    )
    edit_url, share_url = customer_links(customer)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "id": customer["id"],
                    "name": name,
                    "edit_url": edit_url,
                    "share_url": share_url,
                    "obligations": [obligation_id for obligation_id, _ in chosen],
                },
                ensure_ascii=False,
            )
        )
    else:
        click.echo(edit_url)
        click.echo(share_url)


def init_app(app: Flask) -> None:
    app.cli.add_command(managers)
    app.cli.add_command(customers)
