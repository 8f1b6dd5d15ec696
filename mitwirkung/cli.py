"""Command line: `flask --app app managers create ...`, `flask --app app customers create ...`."""

import json

import click
from flask import Flask
from flask.cli import AppGroup
from werkzeug.security import generate_password_hash

from . import store
from .checks.domain import DomainError, normalize_domain
from .db import get_db, now
from .forms import normalize_email
from .web import customer_links

managers = AppGroup("managers", help="Manage account managers.")
customers = AppGroup("customers", help="Manage customers.")


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
@click.option("--password", required=True, help="Initial password (at least 8 characters).")
@click.option("--name", default=None, help="Display name.")
def managers_create(email, password, name):
    """Create an account manager who can log in at /manage/."""
    try:
        email = normalize_email(email)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="EMAIL") from None
    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    db = get_db()
    if db.table("managers").count_where("email = ?", [email.lower()]):
        raise click.ClickException(f"A manager with e-mail {email} exists already.")
    create_manager(db, email, password, name)
    click.echo(f"Account manager {email} created.")


@customers.command("create")
@click.argument("name")
@click.option("--domain", default=None, help="Sender domain, e.g. example.de.")
@click.option("--contact", default=None, help="Contact e-mail address.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def customers_create(name, domain, contact, as_json):
    """Create a customer and print its customer link and share link."""
    try:
        domain = normalize_domain(domain) if domain else None
        contact = normalize_email(contact) if contact else None
    except (DomainError, ValueError) as e:
        raise click.BadParameter(str(e)) from None
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
