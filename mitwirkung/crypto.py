"""Link tokens and encryption at rest (Fernet) for tokens and handed-over secrets."""

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def new_token() -> str:
    """Return a fresh URL-safe token with 256 random bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the lookup key stored for a token (the token itself is never stored plainly)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def load_or_create_key(instance_path: str, name: str, make) -> str:
    """Read a key file from the instance folder, creating it (mode 600) on first use."""
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = make()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
    except FileExistsError:  # another worker won the race
        return path.read_text().strip()
    return key


def _fernet() -> Fernet:
    return Fernet(current_app.config["ENCRYPTION_KEY"])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(ciphertext: str) -> str | None:
    """Return the plain text, or None when the key does not fit."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return None
