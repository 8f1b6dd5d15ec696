"""Mail goes only where the product means it to.

One addr-spec check for every address the product mails to, the envelope recipient is the
address shown, the mail limits hold across two gunicorn workers (a mail sink counts the
RCPTs), and the forward does not repeat DNS text an outsider controls. (A bad stored address
stops one mail and never a job: test_jobs.py.)
"""

import http.client
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from dnszones import rsa_b64
from gunicornserver import Gunicorn
from helpers.managers import create_test_manager
from helpers.web import CSRF, EXPECTATION
from smtpserver import MailServer

from mitwirkung import inbound
from mitwirkung.address import AddressError, addr_spec

HOSTILE = [
    "a,b,c,d,e,f,g,h@irgendwo.test",
    "postmaster(x@irgendwo.test",
    "undisclosed-recipients:;x@irgendwo.test",
    "it@kunde.test, chef@kunde.test",
    "Chef <chef@kunde.test>",
    "a b@kunde.test",
    "a..b@kunde.test",
    ".a@kunde.test",
    "a@b@kunde.test",
    "it@kunde",
    "it@kunde.test;x@y.test",
    '"x"@kunde.test',
    "it@[127.0.0.1]",
    "x" * 65 + "@kunde.test",
    "=?utf-8?q?a=40evil.test?=@x.de",  # RFC 2047 §5: a mail library decodes it in To
]


@pytest.mark.parametrize("value", HOSTILE)
def test_anything_but_one_address_is_refused_in_german(value):
    with pytest.raises(AddressError) as refused:
        addr_spec(value)
    message = str(refused.value)
    assert message and ("Adresse" in message or "@" in message), message


def test_one_address_passes_with_its_domain_in_a_labels():
    assert addr_spec(" it@kunde.test ") == "it@kunde.test"
    assert addr_spec("vor.name+tag@müller.de") == "vor.name+tag@xn--mller-kva.de"
    assert addr_spec("mailto:o'brien@kunde.test") == "o'brien@kunde.test"


@pytest.fixture
def mailjet(app, customers, auth):
    auth.login()
    customer, edit, share = customers.create(path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    values = {**EXPECTATION, "dkim_key": rsa_b64(2048)}  # complete: the page offers a forward
    assert customers.post(f"{url}/mailjet", values, token_from=url).status_code == 303
    return customer, edit


@pytest.mark.parametrize("value", HOSTILE[:4])
def test_forward_refuses_lists_at_the_field(mail_app, outbox, customers, mailjet, db, value):
    customer, edit = mailjet
    answer = customers.post(f"/c/{edit}/forward", {"email": value}, htmx=True,
                            token_from=f"/c/{edit}")  # fmt: skip
    assert answer.status_code == 422
    assert "E-Mail-Adresse" in answer.text or "Adresse" in answer.text
    assert urllib.parse.quote(value) not in answer.text or value in answer.text  # kept
    assert not list(db.query("SELECT * FROM runs WHERE kind = 'mail'"))


def test_forward_refuses_a_pruefadresse_at_the_field(mail_app, outbox, customers, mailjet, db):
    customer, edit = mailjet
    with mail_app.app_context():
        to = inbound.current_address(db, mail_app.config, customer["id"], "mailjet")
    answer = customers.post(f"/c/{edit}/forward", {"email": to.upper()}, htmx=True,
                            token_from=f"/c/{edit}")  # fmt: skip
    assert answer.status_code == 422
    assert "Das ist eine Prüfadresse" in answer.text and to.upper() in answer.text  # kept
    assert not list(db.query("SELECT * FROM runs WHERE kind = 'mail'"))
    assert not outbox.handler.messages


def test_the_envelope_recipient_is_the_address_shown(mail_app, outbox, customers, mailjet):
    customer, edit = mailjet
    answer = customers.post(f"/c/{edit}/forward", {"email": "it@müller.de"}, htmx=True,
                            token_from=f"/c/{edit}")  # fmt: skip
    assert answer.status_code == 200
    mail_app.extensions["runner"].shutdown()
    [message] = outbox.handler.messages
    assert message.rcpt_tos == ["it@xn--mller-kva.de"]


def post_many(port: int, target: str, form: dict, count: int) -> list[int]:
    """One session, then count parallel htmx posts of form through gunicorn."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", target.rsplit("/", 1)[0])
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    body = urllib.parse.urlencode({**form, "csrf_token": CSRF.search(page.read().decode())[1]})
    connection.close()

    def post(_):
        one = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            one.request("POST", target, body, {
                "Cookie": cookie, "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            response = one.getresponse()
            response.read()
            return response.status
        finally:
            one.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(post, range(count)))


def settle(db, kind="mail", timeout=20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not db.execute("SELECT COUNT(*) FROM runs WHERE kind = ? AND state = 'running'",
                          [kind]).fetchone()[0]:  # fmt: skip
            return
        time.sleep(0.1)
    raise AssertionError("mail runs did not finish")


def test_mail_limits_hold_across_two_workers(app, customers, mailjet, db, tmp_path):
    customer, edit = mailjet
    for number in range(3):
        create_test_manager(db, f"am{number}@peiq.de", "richtig-geheim-lang", f"AM {number}")
    with MailServer() as sink:
        server = Gunicorn(app.config, tmp_path, workers=2)
        server.env.update({"MITWIRKUNG_MAIL_SERVER": "127.0.0.1",
                           "MITWIRKUNG_MAIL_PORT": str(sink.port),
                           "MITWIRKUNG_MAIL_ENCRYPTION": "none",
                           "MITWIRKUNG_MAIL_FROM": "mitwirkung@peiq.example"})  # fmt: skip
        with server:
            forwards = post_many(server.port, f"/c/{edit}/forward",
                                 {"email": "it@kunde.test"}, 30)  # fmt: skip
            informs = post_many(server.port, f"/c/{edit}/inform", {"confirm_red": "1"}, 20)
            settle(db)
            time.sleep(0.3)  # a mail still on the wire reaches the sink
        rcpts = [tuple(m.rcpt_tos) for m in sink.handler.messages]
    assert 500 not in forwards + informs and forwards.count(200) == 5
    assert set(forwards) == {200, 422}
    assert rcpts.count(("it@kunde.test",)) == 5
    notices = [r for r in rcpts if r != ("it@kunde.test",)]
    assert len(notices) == 1, rcpts  # 20 clicks, one notice to the managers
    events = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'records-forwarded'")
    assert events.fetchone()[0] == 5


def test_a_bad_stored_contact_is_said_on_link_mail_and_mailjet_values(
    mail_app, outbox, customers, auth, client, db
):
    """Stored before the check: "Link senden" and saving the Mailjet values answer in German."""
    auth.login()
    customer, _, _ = customers.create(path="mailjet")
    db.execute("UPDATE customers SET contact_email = ? WHERE id = ?",
               ["undisclosed-recipients:;x@irgendwo.test", customer["id"]])  # fmt: skip
    url = f"/manage/customers/{customer['id']}"
    sent = customers.post(f"{url}/send-link", {}, token_from=url)
    assert sent.status_code == 303
    page = client.get(url).text
    assert "Der Link wurde nicht verschickt" in page and "Adresse" in page
    values = {**EXPECTATION, "dkim_key": rsa_b64(2048)}  # complete: the "ready" mail is due
    saved = customers.post(f"{url}/mailjet", values, token_from=url)
    assert saved.status_code == 303
    page = client.get(url).text
    assert "keine gültige Adresse, deshalb ging keine E-Mail hinaus" in page
    mail_app.extensions["runner"].shutdown()
    assert outbox.handler.messages == []


def test_a_manager_entered_contact_is_refused_at_the_field(app, customers, auth, client, db):
    auth.login()
    customer, _, _ = customers.create()
    url = f"/manage/customers/{customer['id']}"
    form = {"edit-name": "Müller Verlag", "edit-domain": "mueller-verlag.de",
            "edit-contact": "undisclosed-recipients:;x@irgendwo.test"}  # fmt: skip
    answer = customers.post(f"{url}/edit", form, token_from=url)
    assert answer.status_code == 422
    assert "nicht vorkommen dürfen" in answer.text
    assert "undisclosed-recipients:;x@irgendwo.test" in answer.text  # what was typed stays
    assert db.execute("SELECT contact_email FROM customers").fetchone()[0] is None


def test_the_forward_quotes_dns_text_only_as_far_as_needed():
    from mitwirkung.notify import QUOTE_LIMIT, short_quotes

    planted = "GEWINNSPIEL! Sie haben gewonnen, klicken Sie http://phish.example/x " * 3
    fix = f"Ändern Sie „t={planted}“ in „v=DKIM1“."
    cut = short_quotes(fix)
    assert "phish.example" not in cut and "GEWINNSPIEL" in cut
    assert cut.endswith(" …“ in „v=DKIM1“.")  # the product's own short quote stays whole
    assert len(cut) < len("Ändern Sie „t=“ in „v=DKIM1“.") + QUOTE_LIMIT + 4
