"""Behind the proxy. The README's production command trusts one proxy, the
app warns when it sees proxy headers it does not trust, and a manager who logged in from an
address before keeps getting in when others used up that address's budget."""

import logging
import shlex

from cryptography.fernet import Fernet
from flask import request
from gunicornserver import ROOT
from helpers.managers import create_test_manager
from helpers.web import login, parallel

from app import create_app
from mitwirkung import login_limits
from mitwirkung.db import connect

README = (ROOT / "README.md").read_text()


def test_the_production_command_trusts_one_proxy():
    block = README.split("## Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    words = shlex.split(" ".join(line.rstrip("\\").strip() for line in block.splitlines()))
    assert "MITWIRKUNG_PROXY_COUNT=1" in words
    assert words.index("MITWIRKUNG_PROXY_COUNT=1") < next(
        i for i, w in enumerate(words) if w.endswith("gunicorn")
    )


def test_untrusted_forwarded_for_is_warned_about_once(app, client, caplog):
    caplog.set_level(logging.WARNING, logger="mitwirkung.proxy")
    for _ in range(3):
        client.get("/manage/login", headers={"X-Forwarded-For": "198.51.100.23"})
    warnings = [r for r in caplog.records if "PROXY_COUNT" in r.getMessage()]
    assert len(warnings) == 1 and "X-Forwarded-For" in warnings[0].getMessage()


def test_no_warning_without_proxy_headers(app, client, caplog):
    caplog.set_level(logging.WARNING, logger="mitwirkung.proxy")
    client.get("/manage/login")
    assert not [r for r in caplog.records if "PROXY_COUNT" in r.getMessage()]


def test_a_known_manager_gets_in_after_others_used_up_the_address(app, auth, monkeypatch):
    """All clients behind one proxy address: random e-mails no longer shut out Anna."""
    monkeypatch.setattr(login_limits, "ADDRESS_ATTEMPTS", 12)  # fewer slow password checks
    proxy = "10.0.0.1"
    assert parallel(app, [login("am@peiq.de", "richtig-geheim", proxy)])[0].status_code == 303
    spray = parallel(app, [login(f"x{i}@irgendwo.test", "falsch", proxy) for i in range(16)])
    assert sum(a.status_code == 429 for a in spray) == 4  # the address's budget is used up
    assert parallel(app, [login("am@peiq.de", "richtig-geheim", proxy)])[0].status_code == 303
    stranger = parallel(app, [login("neu@irgendwo.test", "falsch", proxy)])[0]
    assert stranger.status_code == 429  # for anyone it never let in, the limit holds


def test_with_one_trusted_proxy_each_client_has_its_own_budget(tmp_path):
    proxied = create_app({"TESTING": True, "DATABASE": str(tmp_path / "p.db"),
                          "SECRET_KEY": "x", "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                          "BASE_URL": "https://mitwirkung.test", "PROXY_COUNT": 1})  # fmt: skip
    db = connect(proxied.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    db.close()
    client = proxied.test_client()
    seen = []

    @proxied.before_request
    def remember():
        seen.append(request.remote_addr)

    client.get("/manage/login", headers={"X-Forwarded-For": "198.51.100.23"},
               environ_base={"REMOTE_ADDR": "10.0.0.1"})  # fmt: skip
    proxied.extensions["runner"].shutdown()
    assert seen == ["198.51.100.23"]
