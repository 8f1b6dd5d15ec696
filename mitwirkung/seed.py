"""`make run` start-up: seed a demo manager and customer into an empty database, print access.

The demo manager's password is random and set anew at every start, so it can be printed
without ever being stored in plain text.
"""

import secrets

from werkzeug.security import generate_password_hash

from . import store
from .cli import create_manager
from .db import get_db
from .web import customer_links
from .words import cli as words

DEMO_EMAIL = "demo@peiq.example"
DEMO_NAME = "Demo-Verlag GmbH"


def seed() -> None:
    """Seed what an empty database lacks and print how to get in."""
    db = get_db()
    if not db.table("managers").count:  # nobody could log in otherwise
        create_manager(db, DEMO_EMAIL, secrets.token_urlsafe(12), words.SEED_MANAGER_NAME)
    if not db.table("customers").count:
        store.create_customer(db, DEMO_NAME, "demo-verlag.example", None, "seed")
    print("\nMitwirkung")
    demo_manager = next(db.query("SELECT id FROM managers WHERE email = ?", [DEMO_EMAIL]), None)
    if demo_manager:
        password = secrets.token_urlsafe(12)
        hashed = generate_password_hash(password)
        db.table("managers").update(demo_manager["id"], {"password_hash": hashed})
        print(words.SEED_LOGIN.format(email=DEMO_EMAIL, password=password))
    demo = next(
        db.query("SELECT * FROM customers WHERE name = ? AND archived_at IS NULL", [DEMO_NAME]),
        None,
    )
    if demo:
        edit_url, share_url = customer_links(demo)
        print(words.SEED_CUSTOMER.format(url=edit_url))
        print(words.SEED_SHARE.format(url=share_url))
    print()


if __name__ == "__main__":
    from app import create_app

    with create_app().app_context():
        seed()
