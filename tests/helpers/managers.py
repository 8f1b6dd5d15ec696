"""Account managers for tests: the real `create_manager`, with each password's scrypt hash
made once per test session (a hash costs up to a second on a loaded machine, and most tests
need the same manager). Logging in still checks the password against that real hash."""

import functools
from unittest import mock

from werkzeug.security import generate_password_hash

from mitwirkung import accounts
from mitwirkung.cli import create_manager


@functools.cache
def password_hash(password: str) -> str:
    """A real scrypt hash of password (werkzeug's default), made once per test session."""
    return generate_password_hash(password)


def create_test_manager(db, email: str, password: str, name: str) -> dict:
    """`create_manager` with the password's hash made once per session: a scrypt hash costs
    about a second on a loaded machine, and most tests need the same manager."""
    with mock.patch.object(accounts, "generate_password_hash", password_hash):
        return create_manager(db, email, password, name)
