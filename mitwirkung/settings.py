"""Start-up check of the settings given in the environment (MITWIRKUNG_*).

Flask reads each MITWIRKUNG_<KEY> as JSON when it parses (`Config.from_prefixed_env`), else
as a string; a value of another kind than the setting's default would only fail later, in
some request. `problem` names the first such setting in one line, so the app refuses to start.
"""

import json

from cryptography.fernet import Fernet

SECRET = ("KEY", "SECRET", "PASSWORD")  # settings whose value is never repeated


def _kind(default) -> str | None:
    if isinstance(default, bool):
        return None
    if isinstance(default, int | float):
        return "a number"
    if isinstance(default, list):
        return "a JSON list"
    return None


def _fits(kind: str, value) -> bool:
    if kind == "a number":  # seconds, counts, ports: never negative
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return isinstance(value, list)


def problem(defaults: dict, config: dict) -> str | None:
    """The first setting that differs in kind from its default (numbers: not negative), a
    BASE_URL that is not http(s)://, or an ENCRYPTION_KEY that is not a Fernet key (32 bytes,
    URL-safe base64); None when all fit. Only keys whose value differs from the default are
    looked at (the environment's)."""
    for key, default in defaults.items():
        value = config.get(key)
        kind = _kind(default)
        if value is default or kind is None or _fits(kind, value):
            continue
        secret = any(word in key for word in SECRET)
        shown = "(hidden)" if secret else repr(value)
        if kind == "a JSON list" and isinstance(value, str) and not secret:
            return (f"MITWIRKUNG_{key}={shown} is not a JSON list: write it as"
                    f" MITWIRKUNG_{key}='{json.dumps([value])}'")  # fmt: skip
        return f"MITWIRKUNG_{key}={shown} is not {kind} (like {default!r})"
    base = str(config.get("BASE_URL", ""))
    if not base.startswith(("http://", "https://")):
        return f"MITWIRKUNG_BASE_URL={base!r} must start with http:// or https://"
    key = config.get("ENCRYPTION_KEY")
    if key:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return "MITWIRKUNG_ENCRYPTION_KEY is not a Fernet key (32 bytes, URL-safe base64)"
    return None
