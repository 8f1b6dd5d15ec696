"""The openspf RFC 7208 test suite (release 2014.04) against check_host(), every scenario's zone
data served by a real DNS server on loopback (tests/dnsserver.py).

`make test` fetches the suite (tests/suites/rfc7208-tests.yml, from pyspf's sdist; not
committed). The share passed is printed by test_share_passed (run with -s to see it).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from dnslib import AAAA, CNAME, MX, PTR, QTYPE, RR, SOA, TXT, A
from dnsserver import ZoneServer

from mitwirkung.checks.inbound.spf import check_host, identity

SUITE = Path(__file__).parent / "suites" / "rfc7208-tests.yml"
TIMEOUT = 2.0  # seconds per check_host(); only the suite's TIMEOUT names wait this long
# Tests that do not apply to this receiver, with the reason (none so far).
INAPPLICABLE: dict[str, str] = {}


def _scenarios() -> list[dict]:
    if not SUITE.exists():
        return []
    import yaml

    with SUITE.open(encoding="utf-8") as handle:
        return [s for s in yaml.safe_load_all(handle) if s]


SCENARIOS = _scenarios()
CASES = [
    pytest.param(index, name, id=f"{index}-{name}")
    for index, scenario in enumerate(SCENARIOS)
    for name in scenario["tests"]
]


def _strings(value) -> list[bytes]:
    """Return TXT character-strings (a value may be one string or a list of them).

    A TXT record without strings ("null text", illegal) is served as one empty string:
    dnspython, like other resolvers, rejects an empty TXT rdata as malformed.
    """
    parts = (value or [""]) if isinstance(value, list) else [value]
    chunks = []
    for part in parts:
        data = str(part).encode("utf-8")
        chunks += [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
    return chunks


def zone(zonedata: dict) -> tuple[list[RR], set[str]]:
    """Turn a scenario's zonedata into RRs, and the names that time out for other types.

    As the suite's drivers do: a type SPF record is also served as TXT unless the name has
    TXT entries ("TXT: NONE" means no TXT record), and "TIMEOUT" makes every type the name
    does not own time out.
    """
    rrs = [RR(".", QTYPE.SOA, rdata=SOA("ns.", "h.", (1, 2, 3, 4, 5)), ttl=60)]
    silent: set[str] = set()
    for name, entries in zonedata.items():
        owner = name if name.endswith(".") else name + "."
        has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
        for entry in entries:
            if entry == "TIMEOUT":
                silent.add(owner)
                continue
            ((rtype, value),) = entry.items()
            if rtype in ("SPF", "TXT"):
                if value == "NONE":
                    continue
                rdata = TXT(_strings(value))
                rrs.append(RR(owner, getattr(QTYPE, rtype), rdata=rdata, ttl=60))
                if rtype == "SPF" and not has_txt:
                    rrs.append(RR(owner, QTYPE.TXT, rdata=rdata, ttl=60))
            elif rtype == "A":
                rrs.append(RR(owner, QTYPE.A, rdata=A(value), ttl=60))
            elif rtype == "AAAA":
                rrs.append(RR(owner, QTYPE.AAAA, rdata=AAAA(value), ttl=60))
            elif rtype == "MX":
                rrs.append(RR(owner, QTYPE.MX, rdata=MX(value[1], value[0]), ttl=60))
            elif rtype == "PTR":
                rrs.append(RR(owner, QTYPE.PTR, rdata=PTR(value), ttl=60))
            elif rtype == "CNAME":
                rrs.append(RR(owner, QTYPE.CNAME, rdata=CNAME(value), ttl=60))
            else:  # pragma: no cover - the suite uses no other types
                raise AssertionError(f"unknown type {rtype}")
    return rrs, silent


def _run(index: int, name: str, server: ZoneServer):
    case = SCENARIOS[index]["tests"][name]
    domain, sender = identity(case["mailfrom"], case["helo"])
    return check_host(
        case["host"],
        domain,
        sender,
        helo=case["helo"],
        nameservers=[server.nameserver],
        timeout=TIMEOUT,
    )


@pytest.fixture(scope="module")
def results():
    """Run every applicable test of the suite at once (the TIMEOUT cases wait in parallel)."""
    servers = {}
    for index, scenario in enumerate(SCENARIOS):
        rrs, silent = zone(scenario.get("zonedata") or {})
        servers[index] = ZoneServer("", rrs=rrs, silent_other=silent).start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = {
                (index, name): pool.submit(_run, index, name, servers[index])
                for index, scenario in enumerate(SCENARIOS)
                for name in scenario["tests"]
                if name not in INAPPLICABLE
            }
            yield {key: future.result() for key, future in futures.items()}
    finally:  # each stop waits for the server's poll loop: stop them side by side
        with ThreadPoolExecutor(max_workers=len(servers) or 1) as pool:
            list(pool.map(ZoneServer.stop, servers.values()))


def _passed(case: dict, result) -> bool:
    expected = case["result"] if isinstance(case["result"], list) else [case["result"]]
    if result.result not in expected:
        return False
    explanation = case.get("explanation")
    if explanation is not None and result.result == "fail":
        return (result.explanation or "DEFAULT") == explanation
    return True


@pytest.mark.skipif(not SCENARIOS, reason="run `make tests/suites/rfc7208-tests.yml` first")
@pytest.mark.parametrize(("index", "name"), CASES or [pytest.param(0, "", id="missing")])
def test_rfc7208(results, index, name):
    case = SCENARIOS[index]["tests"][name]
    if name in INAPPLICABLE:
        pytest.skip(INAPPLICABLE[name])
    result = results[(index, name)]
    assert _passed(case, result), (case.get("description"), case["result"], result)


@pytest.mark.skipif(not SCENARIOS, reason="run `make tests/suites/rfc7208-tests.yml` first")
def test_share_passed(results, capsys):
    """Print the share of the suite passed; every applicable test must pass."""
    passed = sum(_passed(SCENARIOS[i]["tests"][name], r) for (i, name), r in results.items())
    with capsys.disabled():
        print(f"\nRFC 7208 suite: {passed}/{len(results)} applicable tests passed", end=" ")
        print(f"({len(INAPPLICABLE)} inapplicable, {len(CASES)} in all)")
    assert passed == len(results)


def test_suite_is_present():
    """The suite must have been fetched: a missing file would silently skip every case."""
    assert SCENARIOS, "run `make test` (it fetches tests/suites/rfc7208-tests.yml)"
