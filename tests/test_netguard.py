"""Network guard: host normalisation, address classes, and no connection to what is refused."""

import asyncio
import ipaddress

import pytest
from dnsserver import ZoneServer
from smtpserver import Listener

from mitwirkung.checks.netguard import GuardError, is_public, normalize_host, vet
from mitwirkung.checks.smtp import SmtpSettings, run_smtp_test

ZONE = """\
$ORIGIN kunde.test.
$TTL 60
@        IN SOA ns.kunde.test. hostmaster.kunde.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
mail     IN A   127.0.0.1
private  IN A   10.0.0.5
mixed    IN A   127.0.0.1
mixed    IN A   192.168.10.10
public   IN A   93.184.215.14
public   IN AAAA 2606:2800:21f:cb07:6820:80da:af6b:8b2c
meta     IN CNAME metadata.kunde.test.
metadata IN A   169.254.169.254
v6only   IN AAAA fd00:ec2::254
broken   IN A   93.184.215.14
"""


@pytest.fixture(scope="module")
def dns():
    with ZoneServer(ZONE, servfail=["broken.kunde.test."]) as server:
        yield server


def vet_now(host, port=2525, *, networks=(), nameservers=None, ports=(25, 465, 587, 2525)):
    """Run vet() synchronously."""
    return asyncio.run(
        vet(
            host,
            port,
            allowed_ports=ports,
            allowed_networks=list(networks),
            nameservers=nameservers,
            timeout=3,
        )
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("smtp.example.de", ("smtp.example.de", None)),
        ("  SMTP.Example.DE.  ", ("smtp.example.de", None)),
        ("smtp.example.de:587", ("smtp.example.de", 587)),
        ("https://smtp.example.de/x", ("smtp.example.de", None)),
        ("smtps://smtp.example.de:465", ("smtp.example.de", 465)),
        ("smtp.example.de/pfad", ("smtp.example.de", None)),
        ("[2001:db8::1]:465", ("2001:db8::1", 465)),
        ("2001:db8::1", ("2001:db8::1", None)),
        ("[2001:DB8::1]", ("2001:db8::1", None)),
        ("mail.bücher.de", ("mail.xn--bcher-kva.de", None)),
        ("MAIL.BÜCHER.DE", ("mail.xn--bcher-kva.de", None)),
        ("192.0.2.7:25", ("192.0.2.7", 25)),
        ("2130706433", ("127.0.0.1", None)),
        ("0x7f000001", ("127.0.0.1", None)),
        ("0177.0.0.1", ("127.0.0.1", None)),
        ("127.1", ("127.0.0.1", None)),
    ],
)
def test_normalize_host_accepts(raw, expected):
    assert normalize_host(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "Mailservers"),
        ("   ", "Mailservers"),
        ("smtp example.de", "Leerzeichen"),
        ("versand@kunde.de", "E-Mail-Adresse"),
        ("a" * 64 + ".de", "Namensteil"),
        ("smtp.example.de:99999", "Port"),
        ("smtp.example.de:abc", "Port"),
        ("foo..de", "nicht erlaubt"),
        ("[2001:db8::1", "Klammern"),
        ("999.1.1.1", "IP-Adresse"),
        ("https://", "Servername"),
    ],
)
def test_normalize_host_rejects(raw, words):
    with pytest.raises(GuardError) as info:
        normalize_host(raw)
    assert info.value.code == "invalid_host"
    assert words in info.value.message


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:8.8.8.8",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "fe80::1",
        "fd00:ec2::254",
        "fec0::1",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.2.10",
        "2001:db8::1",
        "2002:7f00:1::1",
        "64:ff9b::a00:1",
        "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
        "::ffff:0:a00:1",  # IPv4-translated 10.0.0.1
        "::1:7f00:1",  # inside the reserved ::/8
        "::8.8.8.8",  # IPv4-compatible, even of a public address
        "5f00::1",  # SRv6 segment identifier
        "192.88.99.1",  # 6to4 relay anycast
        "4000::1",  # reserved, unallocated IPv6
    ],
)
def test_vet_refuses_non_public_literals(host):
    with pytest.raises(GuardError) as info:
        vet_now(host)
    assert info.value.code == "blocked_address"
    assert "öffentlich" in info.value.message


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert is_public(ipaddress.ip_address(address))
    assert vet_now(address) == [ipaddress.ip_address(address)]


def test_allowed_networks_exempt_exactly_their_range():
    assert vet_now("127.0.0.1", networks=["127.0.0.0/8"]) == [ipaddress.ip_address("127.0.0.1")]
    with pytest.raises(GuardError):
        vet_now("::ffff:127.0.0.1", networks=["127.0.0.0/8"])
    with pytest.raises(GuardError):
        vet_now("10.0.0.1", networks=["127.0.0.0/8"])


def test_localhost_is_refused_without_dns(dns):
    before = len(dns.queries)
    for host in ("localhost", "LOCALHOST.", "mail.localhost"):
        with pytest.raises(GuardError) as info:
            vet_now(host, nameservers=[dns.nameserver])
        assert info.value.code == "blocked_address"
    assert len(dns.queries) == before


@pytest.mark.parametrize("port", [22, 80, 443, 6379, 0])
def test_disallowed_port(port):
    with pytest.raises(GuardError) as info:
        vet_now("93.184.215.14", port)
    assert info.value.code == "blocked_port"
    assert str(port) in info.value.message and "587" in info.value.message


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("private.kunde.test", "blocked_address"),
        ("mixed.kunde.test", "blocked_address"),
        ("meta.kunde.test", "blocked_address"),
        ("v6only.kunde.test", "blocked_address"),
        ("gibtsnicht.kunde.test", "host_not_found"),
        ("broken.kunde.test", "dns_unavailable"),
    ],
)
def test_names_are_resolved_and_every_address_checked(dns, host, code):
    with pytest.raises(GuardError) as info:
        vet_now(host, nameservers=[dns.nameserver])
    assert info.value.code == code


def test_name_resolution_returns_all_public_addresses(dns):
    found = vet_now("public.kunde.test", nameservers=[dns.nameserver])
    assert {str(a) for a in found} == {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}


def test_name_in_allowed_network(dns):
    found = vet_now("mail.kunde.test", nameservers=[dns.nameserver], networks=["127.0.0.0/8"])
    assert found == [ipaddress.ip_address("127.0.0.1")]


def test_mixed_name_refused_even_if_one_address_allowed(dns):
    with pytest.raises(GuardError) as info:
        vet_now("mixed.kunde.test", nameservers=[dns.nameserver], networks=["127.0.0.0/8"])
    assert "192.168.10.10" in info.value.message


def test_dns_timeout_is_unavailable():
    with ZoneServer(ZONE, drop=["mail.kunde.test."]) as server:
        with pytest.raises(GuardError) as info:
            asyncio.run(
                vet(
                    "mail.kunde.test",
                    25,
                    allowed_ports=[25],
                    allowed_networks=["127.0.0.0/8"],
                    nameservers=[server.nameserver],
                    timeout=0.5,
                )
            )
    assert info.value.code == "dns_unavailable"


@pytest.fixture
def listener():
    with Listener() as sock:
        yield sock


def smtp_to(host, port, nameservers=None, ports=None):
    """Run a full SMTP test the way the web layer does, with the default (empty) exemptions."""
    settings = SmtpSettings(host, port, "tls", "", "a@kunde.test", "b@kunde.test")
    return asyncio.run(
        run_smtp_test(
            settings,
            None,
            confirm_url="http://127.0.0.1:5000/confirm/x",
            customer_name="Kunde",
            timeout=3,
            allowed_ports=ports or [port],
            allowed_networks=[],
            nameservers=nameservers,
            ca_file=None,
        )
    )


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "127.1",
        "[::ffff:127.0.0.1]",
        "[::ffff:0:7f00:1]",
        "[::1:7f00:1]",
        "https://127.0.0.1/",
    ],
)
def test_refused_hosts_get_no_connection(listener, host):
    result = smtp_to(host, listener.port)
    assert result.code == "blocked_address"
    assert not result.ok
    assert listener.attempts() == 0


def test_refused_name_gets_no_connection(dns, listener):
    result = smtp_to("mail.kunde.test", listener.port, nameservers=[dns.nameserver])
    assert result.code == "blocked_address"
    assert "127.0.0.1" in result.message
    assert listener.attempts() == 0


def test_refused_port_gets_no_connection(listener):
    result = smtp_to("127.0.0.1", listener.port, ports=[25, 465, 587])
    assert result.code == "blocked_port"
    assert listener.attempts() == 0


def test_ipv6_loopback_gets_no_connection():
    try:
        sock = Listener("::1")
    except OSError:
        pytest.skip("no IPv6 loopback")
    with sock:
        result = smtp_to("[::1]", sock.port)
        assert result.code == "blocked_address"
        assert sock.attempts() == 0


@pytest.mark.parametrize(
    "address", ["::ffff:0:7f00:1", "::1:7f00:1", "5f00::1", "192.88.99.1", "4000::1", "::ab:cd"]
)
def test_reserved_ranges_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


def test_allowed_network_does_not_open_translated_forms():
    with pytest.raises(GuardError):
        vet_now("::ffff:0:7f00:1", networks=["127.0.0.0/8"])
