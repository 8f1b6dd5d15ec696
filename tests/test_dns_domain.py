"""Domain input is normalised or explained in German."""

import idna
import pytest

from mitwirkung.checks.dns import DomainError, MailjetExpectation, display_domain, normalize_domain

MUELLER = idna.encode("müller-verlag.de", uts46=True).decode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("firma.de", "firma.de"),
        ("  FIRMA.De  ", "firma.de"),
        ("firma.de.", "firma.de"),
        ("www.firma.de", "firma.de"),
        ("https://www.firma.de/impressum?x=1", "firma.de"),
        ("http://Firma.de:8080", "firma.de"),
        ("info@firma.de", "firma.de"),
        ("mailto:Info@Firma.de", "firma.de"),
        ("news.firma.de", "news.firma.de"),
        ("Müller-Verlag.de", MUELLER),
        ("www.müller-verlag.de", MUELLER),
        (MUELLER, MUELLER),
        ("\u200bfirma.de", "firma.de"),
    ],
)
def test_normalize_domain(raw, expected):
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("", "Bitte geben Sie eine Domain ein"),
        ("   ", "Bitte geben Sie eine Domain ein"),
        ("firma", "keine vollständige Domain"),
        ("localhost", "keine vollständige Domain"),
        ("192.0.2.1", "IP-Adresse"),
        ("https://[2001:db8::1]/", "IP-Adresse"),
        ("firma de.de", "Leerzeichen"),
        ("fir!ma.de", "kein gültiger Domainname"),
        ("-firma.de", "kein gültiger Domainname"),
        ("a..de", "kein gültiger Domainname"),
    ],
)
def test_normalize_domain_rejects_with_german_message(raw, needle):
    with pytest.raises(DomainError) as error:
        normalize_domain(raw)
    assert needle in error.value.message


def test_display_domain_shows_unicode():
    assert display_domain(MUELLER) == "müller-verlag.de"
    assert display_domain("firma.de") == "firma.de"


@pytest.mark.parametrize(
    "name",
    ["mailjet._a1b2", "mailjet._a1b2.firma.de", "Mailjet._A1B2.Firma.DE.", '"mailjet._a1b2"'],
)
def test_expectation_normalises_verification_name(name):
    exp = MailjetExpectation("www.Firma.de", name, "v", dkim_selector=" Mailjet ")
    assert exp.domain == "firma.de"
    assert exp.verification_name == "mailjet._a1b2.firma.de"
    assert exp.dkim_selector == "mailjet"
