"""DNS provider detection from NS (and SOA), against zones on a loopback DNS server."""

import asyncio
from pathlib import Path

import pytest
from dnsserver import ZoneServer

from mitwirkung.checks import dnsprovider
from mitwirkung.checks.dnsprovider import Delegation, ProviderCatalogError

CATALOG_FILE = Path(__file__).parent.parent / "data" / "providers" / "dns-providers.toml"

# domain -> (NS names, SOA MNAME, SOA RNAME, expected provider id, text of its own steps)
ZONES = {
    "ionos-kunde.de": (["ns1045.ui-dns.de", "ns1116.ui-dns.com", "ns1071.ui-dns.org",
                        "ns1115.ui-dns.biz"], "ns1045.ui-dns.de", "hostmaster.1und1.com",
                       "ionos", "my.ionos.de"),
    "strato-kunde.de": (["docks01.rzone.de", "shades08.rzone.de"], "docks01.rzone.de",
                        "hostmaster.strato-rz.de", "strato", "„Präfix“"),
    "allinkl-kunde.de": (["ns5.kasserver.com", "ns6.kasserver.com"], "ns5.kasserver.com",
                         "hostmaster.kasserver.com", "all-inkl", "KAS"),
    "hetzner-kunde.de": (["helium.ns.hetzner.de", "hydrogen.ns.hetzner.com",
                          "oxygen.ns.hetzner.com"], "hydrogen.ns.hetzner.com",
                         "dns.hetzner.com", "hetzner", "Add record"),
    "netcup-kunde.de": (["root-dns.netcup.net", "second-dns.netcup.net",
                         "third-dns.netcup.net"], "root-dns.netcup.net", "hostmaster.netcup.net",
                        "netcup", "DNS Records speichern"),
    "inwx-kunde.de": (["ns.inwx.de", "ns2.inwx.de", "ns3.inwx.eu"], "ns.inwx.de",
                      "hostmaster.inwx.de", "inwx", "Nameserver"),
    "ud-kunde.de": (["ns.udag.de", "ns.udag.net", "ns.udag.org"], "ns.udag.de",
                    "hostmaster.udag.de", "united-domains", "„Subdomain“"),
    "he-kunde.de": (["ns1.hans.hosteurope.de", "ns2.hans.hosteurope.de"],
                    "ns1.hans.hosteurope.de", "hostmaster.hosteurope.de", "hosteurope", "KIS"),
    "he-autodns.de": (["a.ns14.net", "b.ns14.net", "c.ns14.net", "d.ns14.net"], "a.ns14.net",
                      "hostmaster.hosteurope.de", "hosteurope", "AutoDNS-Oberfläche"),
    "autodns-kunde.de": (["a.ns14.net", "b.ns14.net", "c.ns14.net"], "a.ns14.net",
                         "hostmaster.kleiner-hoster.example", "autodns", "Zone speichern"),
    "godaddy-kunde.com": (["ns01.domaincontrol.com", "ns02.domaincontrol.com"],
                          "ns01.domaincontrol.com", "dns.jomax.net", "godaddy", "GoDaddy"),
    "cf-kunde.de": (["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"], "ada.ns.cloudflare.com",
                    "dns.cloudflare.com", "cloudflare", "Cloudflare-Dashboard"),
    "ovh-kunde.fr": (["dns10.ovh.net", "ns10.ovh.net"], "dns10.ovh.net", "tech.ovh.net",
                     "ovh", "OVHcloud Control Panel"),
    "aws-kunde.de": (["ns-1500.awsdns-01.co.uk", "ns-123.awsdns-15.com",
                      "ns-1000.awsdns-62.org", "ns-700.awsdns-22.net"],
                     "ns-123.awsdns-15.com", "awsdns-hostmaster.amazon.com", "route53",
                     "doppelten Anführungszeichen"),
    "azure-kunde.de": (["ns1-01.azure-dns.com", "ns2-01.azure-dns.net", "ns3-01.azure-dns.org",
                        "ns4-01.azure-dns.info"], "ns1-01.azure-dns.com",
                       "azuredns-hostmaster.microsoft.com", "azure", "Datensatzgruppe"),
    "gcp-kunde.de": (["ns-cloud-a1.googledomains.com", "ns-cloud-a2.googledomains.com"],
                     "ns-cloud-a1.googledomains.com", "cloud-dns-hostmaster.google.com",
                     "google-cloud", "Cloud DNS"),
    "klein-kunde.de": (["ns1.kleiner-hoster.example", "ns2.kleiner-hoster.example"],
                       "ns1.kleiner-hoster.example", "admin.kleiner-hoster.example", "generic",
                       "öffnen Sie die DNS-Einstellungen"),
}  # fmt: skip


def zone_file() -> str:
    parts = []
    for domain, (ns, mname, rname, *_) in ZONES.items():
        parts.append(f"$ORIGIN {domain}.\n@ IN SOA {mname}. {rname}. 1 3600 600 86400 300")
        parts += [f"@ IN NS {name}." for name in ns]
        parts.append('@ IN TXT "v=spf1 -all"')
    return "\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def server():
    with ZoneServer(zone_file(), servfail=["kaputt-kunde.de."]) as s:
        yield s


@pytest.fixture(scope="module")
def catalog():
    return dnsprovider.load(CATALOG_FILE)


def observe(server, domain):
    return asyncio.run(dnsprovider.observe(domain, nameservers=[server.nameserver], timeout=3))


RECORDS = [
    {"item_id": "dns-verification", "rtype": "TXT", "host": "mailjet._a1b2c3d4",
     "fqdn": "mailjet._a1b2c3d4.{d}"},
    {"item_id": "dns-spf", "rtype": "TXT", "host": "@", "fqdn": "{d}"},
    {"item_id": "dns-dkim", "rtype": "TXT", "host": "mailjet._domainkey",
     "fqdn": "mailjet._domainkey.{d}"},
]  # fmt: skip


@pytest.mark.parametrize("domain", sorted(ZONES))
def test_the_provider_is_detected_and_its_steps_shown(server, catalog, domain):
    *_, expected_id, words = ZONES[domain]
    delegation = observe(server, domain)
    found = dnsprovider.match(catalog, delegation)
    assert found.provider.id == expected_id
    assert found.known == (expected_id != "generic")
    for record in RECORDS:
        record = {**record, "fqdn": record["fqdn"].format(d=domain)}
        steps = dnsprovider.steps_for(found.provider, record)
        text = " ".join(steps.steps + steps.traps)
        assert words in text
        assert "{" not in text  # every placeholder filled
        if record["host"] != "@":
            assert f"„{record['host']}“" in text  # the short host, never the full name twice


def test_every_provider_of_the_issue_is_covered(catalog):
    ids = {p.id for p in catalog.providers}
    assert {"ionos", "strato", "all-inkl", "hetzner", "netcup", "inwx", "united-domains",
            "hosteurope", "godaddy", "cloudflare", "ovh", "route53", "azure",
            "google-cloud"} <= ids  # fmt: skip


def test_an_unknown_provider_is_named_from_its_name_servers(server, catalog):
    found = dnsprovider.match(catalog, observe(server, "klein-kunde.de"))
    assert not found.known and found.operator == "kleiner-hoster.example"


def test_a_name_below_the_zone_walks_up_to_it(server, catalog):
    delegation = observe(server, "post.strato-kunde.de")
    assert delegation.zone == "strato-kunde.de"
    assert dnsprovider.match(catalog, delegation).provider.id == "strato"


def test_a_dns_that_does_not_answer_says_nothing(server, catalog):
    delegation = observe(server, "kaputt-kunde.de")
    assert delegation.unavailable and delegation.ns == ()
    assert not dnsprovider.match(catalog, delegation).known


@pytest.mark.parametrize(
    ("ns", "rname", "expected"),
    [
        (("a.ns14.net", "b.ns14.net"), "hostmaster.hosteurope.de", "hosteurope"),
        (("a.ns14.net", "b.ns14.net"), "hostmaster.anderer.example", "autodns"),
        # one secondary elsewhere: the majority decides
        (("docks01.rzone.de", "shades08.rzone.de", "ns.secondary.example"), "x.example", "strato"),
    ],
)
def test_the_soa_decides_only_where_ns_are_shared(catalog, ns, rname, expected):
    found = dnsprovider.match(catalog, Delegation("x.de", ns, ns[0], rname))
    assert found.provider.id == expected


def test_dkim_and_underscore_traps_go_with_their_records(catalog):
    route53 = next(p for p in catalog.providers if p.id == "route53")
    dkim = dnsprovider.steps_for(route53, {**RECORDS[2], "fqdn": "mailjet._domainkey.a.de"})
    spf = dnsprovider.steps_for(route53, {**RECORDS[1], "fqdn": "a.de"})
    assert any("255 Zeichen" in t for t in dkim.traps)
    assert not any("255 Zeichen" in t for t in spf.traps)
    generic = dnsprovider.steps_for(catalog.generic, {**RECORDS[0], "fqdn": "mailjet._a.a.de"})
    assert any("Unterstrich" in t for t in generic.traps)
    assert not any("statt „@“" in t for t in generic.traps)
    at_root = dnsprovider.steps_for(catalog.generic, {**RECORDS[1], "fqdn": "a.de"})
    assert any("statt „@“" in t for t in at_root.traps)
    assert not any("Unterstrich" in t for t in at_root.traps)
    assert "@" in " ".join(dnsprovider.steps_for(catalog.generic, {**RECORDS[1], "fqdn": "a.de"})
                           .steps)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t.replace("[generic]", "[allgemein]"), "[generic] entry is missing"),
        (lambda t: t.replace('host = "short"', 'host = "kurz"', 1), "'host' must be"),
        (lambda t: t.replace('ns = ["rzone.de", "stratoserver.net"]', "ns = []"),
         "give 'ns' or 'ns_regex'"),
        (lambda t: t.replace('id = "strato"', 'id = "ionos"'), "unique"),
        (lambda t: t + "\n[[provider]\n", ""),
    ],
)  # fmt: skip
def test_a_broken_provider_file_is_refused_with_its_reason(tmp_path, change, words):
    broken = tmp_path / "providers.toml"
    broken.write_text(change(CATALOG_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ProviderCatalogError) as caught:
        dnsprovider.load(broken)
    assert words in str(caught.value) and str(broken) in str(caught.value)


@pytest.mark.parametrize(
    ("provider_id", "host", "sentence"),
    [
        ("strato", "@", "Lassen Sie „Präfix“ leer – der Eintrag gilt für die Domain selbst"),
        ("ionos", "@", "Tragen Sie bei „Hostname“ „@“ ein – das steht für die Domain selbst"),
        ("strato", "_dmarc", "Tragen Sie bei „Präfix“ „_dmarc“ ein. Strato zeigt"),
        ("cloudflare", "mailjet._domainkey", "Tragen Sie bei „Name“ „mailjet._domainkey“ ein."),
    ],
)
def test_the_host_field_is_named_the_panels_way(catalog, provider_id, host, sentence):
    provider = next(p for p in catalog.providers if p.id == provider_id)
    fqdn = "a.de" if host == "@" else f"{host}.a.de"
    record = {"item_id": "dns-spf", "rtype": "TXT", "host": host, "fqdn": fqdn}
    assert sentence in " ".join(dnsprovider.steps_for(provider, record).steps)
