"""Hostile requests and input, in process: URLs from BASE_URL only, no 500 from any input, request
size, per-address DNS limit, no cookie on error pages, CLI input, reaping dead processes."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.web import expect_mailjet, wait_until_done
from smtpserver import MailServer

from mitwirkung import store
from mitwirkung.db import connect, now
from mitwirkung.pagecache import PageCache
from mitwirkung.runner import HOST
from mitwirkung.runs.lifecycle import reap
from mitwirkung.web import public_url

EVIL = "//evil.example"
HOSTILE = [
    {"environ_overrides": {"SCRIPT_NAME": EVIL}},
    {"environ_overrides": {"SCRIPT_NAME": "/prefix"}},
    {"headers": {"Host": "evil.example"}},
    {"headers": {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": EVIL}},
    {"headers": {"X-Forwarded-Proto": "https", "X-Original-URL": EVIL}},
]


# 1. every URL that leaves the app is built from BASE_URL


@pytest.mark.parametrize(
    "base, expected",
    [
        ("http://mitwirkung.test", "http://mitwirkung.test/bestaetigen/abc"),
        ("https://peiq.test/mitwirkung/", "https://peiq.test/mitwirkung/bestaetigen/abc"),
        ("https://peiq.test:8443", "https://peiq.test:8443/bestaetigen/abc"),
    ],
)
def test_public_urls_ignore_the_request(app, base, expected):
    app.config["BASE_URL"] = base
    environ = {"SCRIPT_NAME": EVIL, "HTTP_HOST": "evil.example", "wsgi.url_scheme": "gopher"}
    with app.test_request_context("/c/x", environ_overrides=environ):
        assert public_url("customer.confirm", code="abc") == expected
    with app.app_context():  # the CLI has no request at all
        assert public_url("customer.confirm", code="abc") == expected


@pytest.mark.parametrize("htmx", [False, True])
def test_no_request_header_changes_the_page_another_visitor_gets(app, client, customers, htmx):
    customer, edit, share = customers.create(path="smtp-own")
    extra = {"HX-Request": "true"} if htmx else {}
    for url in (f"/s/{share}", f"/c/{edit}"):
        for hostile in HOSTILE:
            response = client.get(
                url,
                headers={**hostile.get("headers", {}), **extra},
                environ_overrides=hostile.get("environ_overrides"),
            )
            assert response.status_code in (200, 404)
        served = client.get(url, headers=extra).text
        app.extensions["page_cache"] = PageCache()
        assert served == client.get(url, headers=extra).text
        assert "evil" not in served and "prefix" not in served


def test_a_request_under_another_prefix_finds_no_route(smtp_mail_app, client, customers, db):
    customer, edit, share = customers.create(path="smtp-own")
    assert client.get(f"/s/{share}", environ_overrides={"SCRIPT_NAME": EVIL}).status_code == 404
    token = customers.csrf(f"/c/{edit}")
    form = {"host": "mail.kunde.test", "port": "587", "encryption": "tls", "username": "u",
            "sender": "v@kunde.test", "recipient": "it@kunde.test",
            "csrf_token": token}  # fmt: skip
    response = client.post(
        f"/c/{edit}/smtp-test", data=form, environ_overrides={"SCRIPT_NAME": EVIL}
    )
    assert response.status_code == 404
    assert db.table("runs").count == 0 and db.table("confirmations").count == 0


@pytest.fixture
def smtp_mail_app(app):
    app.config.update(SMTP_ALLOWED_PORTS=[1], SMTP_TIMEOUT=1)
    return app


def test_the_app_serves_under_the_path_of_base_url(app, client, customers):
    app.config["BASE_URL"] = "https://peiq.test/mitwirkung"
    customer, edit, share = customers.create(path="smtp-own")
    # a proxy may pass the prefix on or strip it: both reach the page, with prefixed links
    for url in (f"/mitwirkung/s/{share}", f"/s/{share}"):
        page = client.get(url).text
        assert 'src="/mitwirkung/static/vendor/htmx.min.js"' in page, url
    result = app.test_cli_runner().invoke(args=["customers", "create", "Präfix GmbH"])
    assert result.output.startswith("https://peiq.test/mitwirkung/c/"), result.output


# 3. no 500 from any input


def test_file_parts_and_json_bodies_count_as_missing_fields(app, client, customers, auth):
    token = customers.csrf()
    upload = {"email": (io.BytesIO(b"am@peiq.de"), "f.txt"), "password": "x",
              "csrf_token": token}  # fmt: skip
    response = client.post("/manage/login", data=upload, content_type="multipart/form-data")
    assert response.status_code == 422 and "Bitte ausfüllen." in response.text
    response = client.post("/manage/login", json={"email": 1, "password": [1], "csrf_token": token})
    assert 400 <= response.status_code < 500
    auth.login()
    token = customers.csrf("/manage/")
    upload = {"name": (io.BytesIO(b"x"), "name.txt"), "domain": "kunde.test",
              "csrf_token": token}  # fmt: skip
    response = client.post("/manage/customers", data=upload, content_type="multipart/form-data")
    assert response.status_code == 422 and 'value="kunde.test"' in response.text
    _, edit, _ = customers.create(path="smtp-own")
    upload = {"host": (io.BytesIO(b"mail.kunde.test"), "h.txt"), "port": "587",
              "encryption": "tls", "username": "it@kunde.test", "sender": "it@kunde.test",
              "csrf_token": customers.csrf(f"/c/{edit}")}  # fmt: skip
    response = client.post(
        f"/c/{edit}/smtp-settings", data=upload, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "Bitte ausfüllen." in response.text
    assert 'value="it@kunde.test"' in response.text  # the rest of what was typed is kept


@pytest.mark.parametrize(
    "number", ["9223372036854775808", "99999999999999999999", "9" * 5000, "9223372036854775807"]
)
def test_path_integers_beyond_sqlite_are_no_route(client, customers, auth, number):
    customer, edit, share = customers.create(path="smtp-own")
    for url in (f"/s/{share}/runs/{number}", f"/c/{edit}/runs/{number}"):
        assert client.get(url).status_code == 404, url
    auth.login()
    assert client.get(f"/manage/customers/{number}").status_code == 404
    response = customers.post(f"/manage/customers/{number}/archive", token_from="/manage/")
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["1" * 4300, "9" * 5000, "1." * 3000, "[" + "1" * 4400 + "]"])
def test_very_long_hosts_and_domains_get_a_german_answer(
    smtp_mail_app, client, customers, auth, value
):
    _, edit, _ = customers.create(path="smtp-own")
    form = {"host": value, "port": "587", "encryption": "tls", "username": "u",
            "sender": "v@kunde.test", "recipient": "it@kunde.test"}  # fmt: skip
    for route in ("smtp-settings", "smtp-test", "smtp-probe"):
        response = customers.post(f"/c/{edit}/{route}", form, htmx=True, token_from=f"/c/{edit}")
        assert response.status_code == 422, route
        assert "höchstens 300 Zeichen" in response.text, route
    auth.login()
    response = customers.post("/manage/customers", {"name": "Lang", "domain": value})
    assert response.status_code == 422 and "höchstens 300 Zeichen" in response.text


@pytest.mark.parametrize("name", ["Müller\r\nBcc: x@evil.example", "Müller\nVerlag",
                                  "Müller\u2028Verlag", "Müller\x85Verlag", "   "])  # fmt: skip
def test_names_with_line_breaks_are_refused_at_the_form(client, customers, auth, db, name):
    auth.login()
    response = customers.post("/manage/customers", {"name": name, "domain": "kunde.test"})
    assert response.status_code == 422
    assert "Zeilenumbrüche" in response.text or "Bitte ausfüllen." in response.text
    assert db.table("customers").count == 0


@pytest.mark.parametrize("name", ["Müller\r\nBcc: x@evil.example", "Müller\u2028Verlag",
                                  "Müller\x85Verlag"])  # fmt: skip
def test_informing_peiq_about_an_odd_name_still_mails(app, customers, auth, db, name):
    """A name stored before the form refused line breaks: the mail still goes out."""
    with MailServer() as mail_server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port,
                          MAIL_ENCRYPTION="none", MAIL_FROM="mitwirkung@peiq.example")  # fmt: skip
        customer, edit, _ = customers.create(name=name, path="mailjet")
        response = customers.post(
            f"/c/{edit}/inform", {"confirm_red": "1"}, htmx=True, token_from=f"/c/{edit}"
        )  # nothing checked yet: the customer confirms informing PEIQ anyway
        assert response.status_code == 200
        deadline = time.monotonic() + 10
        while not mail_server.handler.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    subject = mail_server.handler.messages[0].message["Subject"]
    assert subject.startswith("Mitwirkung: Müller") and "\n" not in subject
    assert mail_server.handler.messages[0].message["Bcc"] is None
    row = store.item_rows(db, customer["id"])["peiq-informed"]
    assert row["state"] == "open" and row["detail"]["waiting_for"] == "manager"


# 4. request size


def test_large_bodies_are_refused_in_german_before_they_are_read(app, client):
    response = client.post("/manage/login", data={"email": "x" * 70_000, "password": "y"})
    assert response.status_code == 413 and "Zu viele Daten" in response.text
    body = io.BytesIO(b"email=" + b"x" * 1_000_000)
    response = client.post(
        "/manage/login", input_stream=body, content_type="application/x-www-form-urlencoded",
        headers={"Content-Length": "100000000"},
    )  # fmt: skip
    assert response.status_code == 413 and body.tell() == 0
    assert "Set-Cookie" not in response.headers


# 5. DNS checks per client address


def test_dns_checks_are_limited_per_address_over_all_customers(app, client, customers, kunde_dns):
    app.config.update(DNS_NAMESERVERS=[kunde_dns.nameserver], DNS_CHECKS_PER_ADDRESS=4)
    links = []
    for i in range(3):
        customer, edit, _ = customers.create(name=f"Kunde {i}", path="mailjet")
        expect_mailjet(customers.db, customer["id"])
        links.append((customer, edit))
    answers = []
    for n in range(6):
        customer, edit = links[n % 3]
        answers.append(
            customers.post(f"/c/{edit}/dns-check", {}, htmx=True, token_from=f"/c/{edit}")
        )
        wait_until_done(customers.db)
    assert [a.status_code for a in answers] == [200] * 4 + [422] * 2
    assert "4 DNS-Prüfungen gestartet" in answers[4].text
    assert customers.db.table("runs").count_where("kind = 'dns'") == 4
    customer, edit = links[0]  # another address is not affected
    other = {"REMOTE_ADDR": "192.0.2.7"}
    token = customers.csrf(f"/c/{edit}")
    response = client.post(f"/c/{edit}/dns-check", data={"csrf_token": token},
                           headers={"HX-Request": "true"}, environ_base=other)  # fmt: skip
    assert response.status_code == 200


# 6. link tokens in logs (gunicorn's own logs: tests/test_server_attacks.py)


def test_the_apps_own_log_never_shows_a_link_token(app, client, customers, caplog):
    _, edit, share = customers.create(path="smtp-own")
    app.logger.error("Exception on /c/%s/smtp-test [POST]", edit)
    app.logger.error("Referer https://x.test/s/%s, encoded /c%%2F%s", share, edit)
    text = caplog.text
    assert edit not in text and share not in text and edit[:20] not in text
    assert "Exception on /c/…/smtp-test" in text and "/s/…" in text and "encoded /c/…" in text


# 9. error pages, CLI, dead processes


@pytest.mark.parametrize(
    "method, url",
    [("GET", "/gibt-es-nicht"), ("POST", "/healthz"), ("GET", "/c/" + "a" * 43),
     ("POST", "/c/x/path")],
)  # fmt: skip
def test_error_pages_set_no_cookie(client, method, url):
    response = client.open(url, method=method)
    assert 400 <= response.status_code < 500
    assert "Set-Cookie" not in response.headers and "<h1>" in response.text


def test_a_customer_write_without_token_sets_no_cookie(client, customers):
    _, edit, share = customers.create(path="smtp-own")
    response = client.post(f"/c/{edit}/path", data={"path": "portal"})
    assert response.status_code == 400 and "Set-Cookie" not in response.headers
    response = client.post(f"/s/{share}", data={})
    assert response.status_code == 405 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "args, message",
    [
        (["customers", "create", ""], "Bitte einen Namen eingeben."),
        (["customers", "create", "  "], "Bitte einen Namen eingeben."),
        (["customers", "create", "Müller\nVerlag"], "Zeilenumbrüche"),
        (["customers", "create", "Müller\u2028Verlag"], "Zeilenumbrüche"),
        (["customers", "create", "M\udcfcller"], "kein gültiges UTF-8"),
        (["customers", "create", "Müller", "--domain", "m\udcfc.de"], "kein gültiges UTF-8"),
        (["managers", "create", "a@b.de", "--password", "geheim\udcff123"], "kein gültiges UTF-8"),
        (["managers", "create", "a@b.de", "--password", "Kaffee-Regen-Tasse-7", "--name", "A\rB"],
         "Zeilenumbrüche"),
    ],
)  # fmt: skip
def test_cli_refuses_bad_text_in_german(app, db, args, message):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert f"Fehler: {message}" in result.output or message in result.output
    assert "Traceback" not in result.output
    assert db.table("customers").count == 0 and db.table("managers").count == 0


def test_cli_with_invalid_utf8_bytes_prints_no_traceback(app, tmp_path):
    env = {**os.environ, "MITWIRKUNG_DATABASE": app.config["DATABASE"],
           "MITWIRKUNG_SECRET_KEY": "x", "MITWIRKUNG_ENCRYPTION_KEY": app.config["ENCRYPTION_KEY"],
           "LC_ALL": "C.UTF-8"}  # fmt: skip
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    result = subprocess.run(
        [flask, "--app", "app", "customers", "create", b"M\xfcller"],
        capture_output=True, env=env, cwd=os.path.dirname(os.path.dirname(__file__)),
    )  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in err and "kein gültiges UTF-8" in err


def test_runs_of_a_killed_process_are_aborted_even_before_it_is_collected(app, customers, db):
    customer, edit, _ = customers.create(path="smtp-own")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        db.table("runs").insert({"customer_id": customer["id"], "kind": "smtp",
                                 "state": "running", "owner": f"{HOST}:{child.pid}",
                                 "started_at": now()})  # fmt: skip
        live_run = {"customer_id": customer["id"], "kind": "smtp", "state": "running",
                    "owner": f"{HOST}:{os.getpid()}", "started_at": now()}  # fmt: skip
        db.table("runs").insert(live_run)
        os.kill(child.pid, signal.SIGKILL)  # dead, but not collected by its parent: a zombie
        stat = Path(f"/proc/{child.pid}/stat")
        deadline = time.monotonic() + 10
        while " Z " not in stat.read_text() and time.monotonic() < deadline:
            time.sleep(0.01)
        with app.app_context():
            assert reap(connect(app.config["DATABASE"]), app.config) == 1
    finally:
        child.wait()
    states = [r["state"] for r in db.query("SELECT state FROM runs ORDER BY id")]
    assert states == ["aborted", "running"]
    assert customers.item_state(customer["id"], "smtp-test-mail") == "failed"
