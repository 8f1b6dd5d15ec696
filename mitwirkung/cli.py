"""Command line: `flask --app app managers create ...`, `flask --app app customers create ...`."""

import json

import click
from flask import Flask
from flask.cli import AppGroup
from werkzeug.security import generate_password_hash

from . import store
from .checks.domain import normalize_domain
from .checks.smtp import shown_address
from .db import get_db, now
from .forms import normalize_email, normalize_name
from .web import customer_links

managers = AppGroup("managers", help="Account Manager:innen verwalten.")
customers = AppGroup("customers", help="Kund:innen verwalten.")


class Refused(click.ClickException):
    """A refused command: one German line on stderr, exit status 2, no traceback."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"Fehler: {self.format_message()}", err=True)


def utf8(value: str | None, hint: str) -> str | None:
    """Refuse an argument that was not valid UTF-8 (click keeps such bytes as surrogates)."""
    if value is not None and any("\ud800" <= c <= "\udfff" for c in value):
        raise Refused(
            f"{hint} enthält Bytes, die kein gültiges UTF-8 sind. Bitte prüfen Sie die "
            "Zeichenkodierung Ihres Terminals."
        )
    return value


def create_manager(db, email: str, password: str, name: str | None = None) -> dict:
    """Create an account manager with a hashed password."""
    table = db.table("managers")
    table.insert(
        {
            "email": email.lower(),
            "name": name or email.split("@")[0],
            "password_hash": generate_password_hash(password),
            "created_at": now(),
        }
    )
    return table.get(table.last_pk)


@managers.command("create")
@click.argument("email")
@click.option("--password", required=True, help="Erstes Passwort (mindestens 8 Zeichen).")
@click.option("--name", default=None, help="Angezeigter Name.")
def managers_create(email, password, name):
    """Legt eine:n Account Manager:in an, die/der sich unter /manage/ anmelden kann."""
    utf8(password, "--password")
    try:
        email = normalize_email(utf8(email, "EMAIL"))
        name = normalize_name(utf8(name, "--name")) if name is not None else None
    except ValueError as e:
        raise Refused(str(e)) from None
    if len(password) < 8:
        raise Refused("Das Passwort (--password) braucht mindestens 8 Zeichen.")
    db = get_db()
    if db.table("managers").count_where("email = ?", [email.lower()]):
        raise Refused(f"Ein:e Account Manager:in mit der E-Mail {email} gibt es schon.")
    create_manager(db, email, password, name)
    click.echo(f"Account Manager:in {shown_address(email)} angelegt.")


@customers.command("create")
@click.argument("name")
@click.option("--domain", default=None, help="Absender-Domain, z. B. example.de.")
@click.option("--contact", default=None, help="E-Mail der Ansprechperson.")
@click.option("--json", "as_json", is_flag=True, help="Ein JSON-Objekt ausgeben.")
def customers_create(name, domain, contact, as_json):
    """Legt eine Kund:in an und gibt Kund:innen-Link und Nur-Lese-Link aus.

    Die Links beginnen mit BASE_URL (MITWIRKUNG_BASE_URL); ohne sie mit dem Standardwert
    http://127.0.0.1:5000, auch wenn der Server gerade auf einem anderen Port läuft.
    """
    try:
        name = normalize_name(utf8(name, "NAME"))
        domain = normalize_domain(utf8(domain, "--domain")) if domain else None
        contact = normalize_email(utf8(contact, "--contact")) if contact else None
    except ValueError as e:  # DomainError too
        raise Refused(str(e)) from None
    customer, _, _ = store.create_customer(get_db(), name, domain, contact, "cli")
    edit_url, share_url = customer_links(customer)
    if as_json:
        click.echo(
            json.dumps(
                {"id": customer["id"], "name": name, "edit_url": edit_url, "share_url": share_url},
                ensure_ascii=False,
            )
        )
    else:
        click.echo(edit_url)
        click.echo(share_url)


def init_app(app: Flask) -> None:
    app.cli.add_command(managers)
    app.cli.add_command(customers)
