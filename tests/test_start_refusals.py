"""A configuration Mitwirkung cannot run with stops the production server (gunicorn with two
workers, as the README runs it) at once, with its one-line reason, instead of workers failing
and restarting while the master keeps listening. Every kind of refusal behaves the same: a bad
obligation file, a bad provider file, a setting of the wrong kind, a key that is no key.
(A good configuration still starts: every test through tests/gunicornserver.py runs gunicorn
with gunicorn.conf.py and its check.)
"""

import subprocess

import pytest
from gunicornserver import GUNICORN, ROOT, app_env

BAD_TOML = 'id = "kaputt"\ntitle = "Kaputt"\n[[paths]\n'


@pytest.fixture
def config(tmp_path):
    return {"DATABASE": tmp_path / "db.sqlite", "SECRET_KEY": "s", "BASE_URL": "http://x.test",
            "ENCRYPTION_KEY": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="}  # fmt: skip


def start(config: dict, tmp_path, **env) -> tuple[int, str]:
    """Run gunicorn -w 2 as the README does; return its exit status and error log."""
    log = tmp_path / "error.log"
    args = [GUNICORN, "-c", "gunicorn.conf.py", "-w", "2", "-k", "gthread", "--threads", "2",
            "--no-control-socket", "-b", "127.0.0.1:0", "--error-logfile", str(log),
            "app:create_app()"]  # fmt: skip
    environment = {**app_env(config), **{f"MITWIRKUNG_{k}": v for k, v in env.items()}}
    try:
        proc = subprocess.run(args, cwd=ROOT, env=environment, timeout=60, capture_output=True)
    except subprocess.TimeoutExpired:  # still running: the refusal did not stop it
        pytest.fail(f"gunicorn kept running:\n{log.read_text()}")
    return proc.returncode, log.read_text() + proc.stderr.decode()


@pytest.mark.parametrize(
    "setting, value, reason",
    [
        ("OBLIGATION_FILES", '["{tmp}/kaputt.toml"]', "kaputt.toml"),
        ("DNS_PROVIDERS_FILE", "{tmp}/kaputt.toml", "kaputt.toml"),
        ("SMTP_TIMEOUT", "zwanzig", "MITWIRKUNG_SMTP_TIMEOUT='zwanzig' is not a number"),
        ("REMINDER_DAYS", "3", "MITWIRKUNG_REMINDER_DAYS=3 is not a JSON list"),
        ("ENCRYPTION_KEY", "geheim", "MITWIRKUNG_ENCRYPTION_KEY is not a Fernet key"),
    ],
)
def test_a_bad_configuration_stops_gunicorn_with_the_reason_once(
    config, tmp_path, setting, value, reason
):
    (tmp_path / "kaputt.toml").write_text(BAD_TOML)
    status, log = start(config, tmp_path, **{setting: value.format(tmp=tmp_path)})
    assert status != 0
    assert log.count("Mitwirkung cannot start:") == 1, log
    assert reason in log
    assert "Listening at" not in log and "Booting worker" not in log
    assert "geheim" not in log  # a refused key is never repeated


def test_a_database_a_worker_cannot_open_stops_gunicorn_too(config, tmp_path):
    """The master's check has no database; the worker that fails to open it exits with
    gunicorn's WORKER_BOOT_ERROR, which halts the master (no restarting workers)."""
    (tmp_path / "datei").write_text("")
    config["DATABASE"] = tmp_path / "datei" / "db.sqlite"  # its "folder" is a file
    status, log = start(config, tmp_path)
    assert status != 0
    assert "Mitwirkung cannot start: database" in log
    assert "Worker failed to boot" in log
    assert log.count("Booting worker") <= 2  # the two workers once, never restarted
