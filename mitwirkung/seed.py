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

DEMO_EMAIL = "demo@peiq.example"


def seed() -> None:
    db = get_db()
    if not db.table("managers").count and not db.table("customers").count:
        create_manager(db, DEMO_EMAIL, secrets.token_urlsafe(12), "Demo Account Manager:in")
        store.create_customer(db, "Demo-Verlag GmbH", "demo-verlag.example", None, "seed")
    rows = list(db.table("managers").rows_where("email = ?", [DEMO_EMAIL]))
    print("\nMitwirkung")
    if rows:
        password = secrets.token_urlsafe(12)
        db.table("managers").update(
            rows[0]["id"], {"password_hash": generate_password_hash(password)}
        )
        print(f"  Anmeldung /manage/: {DEMO_EMAIL} / {password}  (gilt bis zum nächsten Start)")
    demo = list(
        db.table("customers").rows_where("name = ? AND archived_at IS NULL", ["Demo-Verlag GmbH"])
    )
    if demo:
        edit_url, share_url = customer_links(demo[0])
        print(f"  Demo-Kund:in:       {edit_url}")
        print(f"  Nur-Lese-Link:      {share_url}")
    print()


if __name__ == "__main__":
    from app import create_app

    with create_app().app_context():
        seed()
