"""SMTP verdicts: replies and handshakes read as servers mean them, against scripted
servers on 127.0.0.1 (tests/smtpserver.py)."""

import base64
import ssl

import pytest
from helpers.smtp import NAMES, assert_no_secret, smtp_test, text_of, tls_server
from smtpserver import CLOSE, PASSWORD, RESET, USER, ScriptedServer

from mitwirkung.checks.smtp.replies import auth_code, ehlo_refusal, reply_code

RFC_1024_DH = (  # RFC 2409 §6.2, the 1024-bit MODP group ("Oakley group 2"), generator 2
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"
)


# --- kind 7: the reply class comes first (RFC 5321 §4.2.1) ------------------------------------


@pytest.mark.parametrize(
    ("where", "reply"),
    [
        ("EHLO", "421 4.7.0 Try again later, closing connection."),
        ("EHLO", "421 4.7.28 Our system has detected an unusual rate of mail, try later"),
        ("MAIL", "451 4.7.1 Service unavailable - try again later"),
        ("RCPT", "450 4.7.1 Client host rejected: cannot find your reverse hostname"),
    ],
)
def test_a_temporary_reply_is_never_a_block(certs, logs, where, reply):
    with ScriptedServer(replies={where: reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "temporary_policy", result.code
    assert "Sperrliste" not in text_of(result) and "eine Sperre ist das nicht" in result.message
    assert "in einigen Minuten erneut" in result.next_step
    assert reply.split(" ", 2)[2] in result.message  # the server's words are passed on
    assert_no_secret(result, logs)


def test_a_temporary_greeting_is_never_a_block(certs, logs):
    greeting = "421 4.7.0 mx.example Try again later, closing connection"
    with ScriptedServer(greeting=greeting) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "temporary_policy"
    assert "Sperrliste" not in text_of(result)


def test_temporary_auth_failure_is_not_blamed_on_the_password(certs, logs):
    reply = "454 4.7.0 Temporary authentication failure"
    with ScriptedServer(replies={"AUTH": reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, allow_plain_password=True)
    assert result.code == "temporary_policy", result.code
    assert "Passwort" not in result.next_step
    assert "in einigen Minuten erneut" in result.next_step


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("534 5.7.9 Authentication mechanism is too weak", "auth_mechanism_too_weak"),
        ("534 5.7.9 Authentication mechanism too weak for this user", "auth_mechanism_too_weak"),
        (
            "534 5.7.9 Application-specific password required. Learn more at https://x",
            "app_password_required",
        ),
    ],
)
def test_534_is_an_app_password_only_when_the_text_says_so(certs, logs, reply, code):
    with ScriptedServer(replies={"AUTH": reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, allow_plain_password=True)
    assert result.code == code
    if code == "auth_mechanism_too_weak":
        assert "App-Passwort" not in result.title
        assert "RFC 4954 §6" in result.message and "Betreiber" in result.next_step
    assert_no_secret(result, logs)


def test_reply_class_rules_for_every_step():
    # 4yz: transient whatever the subject; 5yz with the same subject: a block
    assert ehlo_refusal(421, "4.7.0 Try again later", False) == "temporary_policy"
    assert ehlo_refusal(554, "5.7.1 Client host blocked using zen.spamhaus.org", False) == (
        "sender_system_blocked"
    )
    assert reply_code(450, "4.7.25 Client host rejected: no PTR", "rcpt") == "temporary_policy"
    assert reply_code(550, "5.7.25 Client host rejected: no PTR", "rcpt") == (
        "sender_system_blocked"
    )
    assert reply_code(451, "4.7.1 Greylisted, try again later", "rcpt") == "greylisted"
    assert reply_code(452, "4.2.2 Mailbox full", "rcpt") == "mailbox_full"
    assert reply_code(451, "4.3.0 Local error", "data") == "temporary"
    assert auth_code(454, "4.7.0 Temporary authentication failure", "tls") == "temporary_policy"
    assert auth_code(535, "5.7.8 Authentication credentials invalid", "tls") == "auth_failed"


# --- kind 8: TLS failures name their cause and whose job it is --------------------------------


def client_cert_server(certs, maximum: ssl.TLSVersion) -> ssl.SSLContext:
    context = certs.context("127.0.0.1", "mail.kunde.test")
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(certs.ca_file)
    context.maximum_version = maximum
    return context


@pytest.mark.parametrize("encryption", ["ssl", "tls"])
@pytest.mark.parametrize("maximum", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2])
def test_a_required_client_certificate_is_named(certs, logs, encryption, maximum):
    with tls_server(client_cert_server(certs, maximum), encryption) as server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.code == "tls_client_cert_required", (result.code, result.message)
    assert "Client-Zertifikat" in result.title
    assert "Port und Verschlüsselung sind richtig gewählt" in result.message
    assert "Betreiber des Mailservers" in result.next_step
    assert "Prüfen Sie Port" not in result.next_step
    assert "gemeinsames Verschlüsselungsverfahren" not in text_of(result)
    assert server.auth_commands == 0
    assert_no_secret(result, logs)


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    length = (
        bytes([size])
        if size < 0x80
        else bytes([0x81 if size < 256 else 0x82]) + (size.to_bytes(1 if size < 256 else 2, "big"))
    )
    return bytes([tag]) + length + body


def dh_params_pem(prime: int, generator: int) -> bytes:
    """PKCS #3 DHParameter (SEQUENCE of two INTEGERs) as PEM, without the deprecated FFDH API."""
    ints = b"".join(
        _der(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big")) for n in (prime, generator)
    )
    body = base64.encodebytes(_der(0x30, ints)).decode().replace("\n", "")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN DH PARAMETERS-----\n{lines}\n-----END DH PARAMETERS-----\n".encode()


def test_a_1024_bit_dh_group_names_the_operator(certs, logs, tmp_path):
    (tmp_path / "dh1024.pem").write_bytes(dh_params_pem(int(RFC_1024_DH, 16), 2))
    context = certs.custom_context("127.0.0.1")
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0")
    context.load_dh_params(str(tmp_path / "dh1024.pem"))
    with tls_server(context, "ssl") as server:
        result = smtp_test(server.port, "ssl", certs=certs)
    assert result.code == "tls_weak_dh", (result.code, result.message)
    assert "weniger als 2048 Bit" in result.message
    assert "Port und Verschlüsselung sind richtig gewählt" in result.message
    assert "Prüfen Sie Port" not in result.next_step and "RFC 7919" in result.next_step
    assert_no_secret(result, logs)


def cn_only_context(certs, tmp_path, name: str) -> ssl.SSLContext:
    """A server context whose leaf names name only in its CN (no subjectAltName)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_cert = x509.load_pem_x509_certificate(certs.ca.cert_pem.bytes())
    ca_key = serialization.load_pem_private_key(certs.ca.private_key_pem.bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    path = tmp_path / "cn-only.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(path))
    return context


@pytest.mark.parametrize("encryption", ["ssl", "tls"])
def test_a_certificate_with_the_name_only_in_cn_is_named(certs, logs, tmp_path, encryption):
    with tls_server(cn_only_context(certs, tmp_path, "127.0.0.1"), encryption) as server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.code == "cert_cn_only", (result.code, result.message)
    assert "nur im Feld „CN“" in result.message and "RFC 9525" in result.message
    assert "subjectAltName" in result.next_step
    assert "Prüfen Sie Port" not in result.next_step
    assert server.auth_commands == 0


def test_a_certificate_for_another_name_in_cn_only_stays_a_name_mismatch(certs, logs, tmp_path):
    with tls_server(cn_only_context(certs, tmp_path, "other.kunde.test"), "ssl") as server:
        result = smtp_test(server.port, "ssl", certs=certs)
    assert result.code == "cert_hostname"
    assert "other.kunde.test" in result.message


@pytest.mark.parametrize(
    ("encryption", "replies", "proven"),
    [
        ("none", {"RCPT": CLOSE}, True),
        ("none", {"MAIL": RESET}, True),
        ("tls", {"MAIL": CLOSE}, True),
    ],
)
def test_a_hang_up_after_the_route_worked_never_asks_to_check_port(
    certs, logs, encryption, replies, proven
):
    kwargs = (
        {"starttls": certs.context(*NAMES), "ehlo": ("STARTTLS",)}
        if encryption == "tls"
        else {"ehlo": ()}
    )
    with ScriptedServer(replies=replies, **kwargs) as server:
        result = smtp_test(server.port, encryption, certs=certs, login=False)
    assert result.code == "connection_closed"
    assert "Port und Verschlüsselung sind richtig gewählt" in result.message
    assert "Prüfen Sie Port" not in result.next_step


def test_a_hang_up_at_the_greeting_still_asks_to_check_port(certs, logs):
    with ScriptedServer(greeting=CLOSE) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "connection_closed" and "Prüfen Sie Port" in result.next_step


# --- kind 9: AUTH LOGIN answers the server's prompts as asked ---------------------------------

LOGIN_EHLO = ("STARTTLS", "AUTH LOGIN")  # LOGIN is the only mechanism offered
B64_USER = base64.b64encode(USER.encode()).decode()
B64_PASS = base64.b64encode(PASSWORD.encode()).decode()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "prompts",
    [
        ("334 " + b64("Username:"), "334 " + b64("Password:")),
        ("334 " + b64("User Name\0"), "334 " + b64("Password\0")),
        ("334 " + b64("Benutzername:"), "334 " + b64("Kennwort:")),
    ],
)
def test_auth_login_answers_each_prompt_as_asked(certs, logs, prompts):
    with ScriptedServer(
        ehlo=LOGIN_EHLO, starttls=certs.context(*NAMES), login_prompts=prompts
    ) as s:
        result = smtp_test(s.port, "tls", certs=certs, recipient=USER, sender=USER)
        lines = [line.decode().strip() for line in s.received]
    auth = lines.index(next(x for x in lines if x.upper().startswith("AUTH")))
    assert lines[auth : auth + 3] == ["AUTH LOGIN", B64_USER, B64_PASS]  # no initial response
    assert result.code in ("ok", "ok_without_login"), (result.code, result.message)
    assert_no_secret(result, logs)


def test_a_server_asking_for_the_user_name_twice_never_gets_the_password_as_name(certs, logs):
    prompts = ("334 " + b64("Username:"), "334 " + b64("Username:"), "334 " + b64("Password:"))
    with ScriptedServer(
        ehlo=LOGIN_EHLO, starttls=certs.context(*NAMES), login_prompts=prompts
    ) as s:
        smtp_test(s.port, "tls", certs=certs, recipient=USER, sender=USER)
        lines = [line.decode().strip() for line in s.received]
    auth = lines.index("AUTH LOGIN")
    assert lines[auth : auth + 4] == ["AUTH LOGIN", B64_USER, B64_USER, B64_PASS]


# --- kind 9: U-labels wherever a person reads a host name, A-labels on the wire ---------------

IDN_ZONE = """$ORIGIN xn--mller-verlag-dlb.de.
$TTL 300
@    IN SOA ns1.dns-provider.net. hostmaster.xn--mller-verlag-dlb.de. 1 3600 600 86400 300
@    IN NS  ns1.dns-provider.net.
mail IN A   127.0.0.1
"""


@pytest.mark.parametrize("typed", ["mail.müller-verlag.de", "mail.xn--mller-verlag-dlb.de"])
def test_an_idn_server_name_is_shown_in_unicode(certs, logs, typed):
    import asyncio

    from dnsserver import ZoneServer

    from mitwirkung.checks.smtp import SmtpSettings, run_smtp_test

    context = certs.context("other.kunde.test")  # a certificate for another name
    with ZoneServer(IDN_ZONE) as dns, ScriptedServer(implicit=context) as server:
        settings = SmtpSettings(typed, server.port, "ssl", USER, USER, USER, True)
        result = asyncio.run(
            run_smtp_test(
                settings,
                PASSWORD,
                confirm_url="http://127.0.0.1:5000/confirm/t",
                customer_name="Müller Verlag",
                timeout=5.0,
                allowed_ports=[server.port],
                allowed_networks=["127.0.0.0/8"],
                nameservers=[dns.nameserver],
                ca_file=certs.ca_file,
            )  # fmt: skip
        )
        asked = [name for name, _ in dns.queries]
    assert result.code == "cert_hostname", (result.code, result.message)
    assert "gilt nicht für mail.müller-verlag.de" in result.message
    assert "xn--" not in text_of(result)
    assert any("xn--mller-verlag-dlb" in name for name in asked)  # A-labels on the wire
