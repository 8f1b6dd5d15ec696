"""The README documents every setting and command the app has."""

from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()
FLASK_OWN = {"TESTING", "WTF_CSRF_TIME_LIMIT"}


def test_every_setting_is_documented(app):
    ours = [
        key for key in app.config
        if key.isupper() and key not in FLASK_OWN and key not in app.default_config
        and not key.startswith(("WTF_", "SECRET_KEY_"))
    ]  # fmt: skip
    assert {"DATABASE", "SMTP_TIMEOUT", "MAIL_SERVER"} <= set(ours)
    missing = [key for key in ours if f"`{key}`" not in README]
    assert not missing, f"settings missing from the README's table: {missing}"


def test_every_cli_command_is_documented(app):
    for group in ("managers", "customers", "jobs", "inbound"):
        for command in app.cli.get_command(None, group).commands:
            assert f"{group} {command}" in README
