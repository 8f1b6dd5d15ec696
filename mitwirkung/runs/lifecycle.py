"""Runs that were cut off: the runner's `on_abort` and reaping runs whose process died.

Each run kind that shows `running` in an item says how it is put right (`abort(db, run)`);
kinds without items (probe, mail, mailjet-mail) need nothing.
"""

from sqlite_utils import Database

from ..runner import reap as runner_reap
from . import dns_check, smtp_test

ABORTS = {dns_check.KIND: dns_check.abort, smtp_test.KIND: smtp_test.abort}


def on_abort(db: Database, run: dict) -> None:
    """A run that was cut off: its item says so and asks to start again."""
    put_right = ABORTS.get(run["kind"])
    if put_right is not None:
        put_right(db, run)


def reap(db: Database, config, run_id: int | None = None) -> int:
    """Abort runs (or the one run) whose process died or that outlived every timeout by far
    (the longer of SMTP_TIMEOUT and DNS_TIMEOUT plus 60 s). Returns how many."""
    max_age = max(float(config["SMTP_TIMEOUT"]), float(config["DNS_TIMEOUT"])) + 60
    return runner_reap(db, max_age, on_abort, run_id)
