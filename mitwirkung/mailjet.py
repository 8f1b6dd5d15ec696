"""Mailjet's REST API (v3): the sender domain's records and Mailjet's own view of them.

No Flask, no database: an account (key, secret, base URL) and a domain in, frozen results
out. Every failure becomes a MailjetError whose `code` the German catalog below explains.

Endpoints used (Basic auth, API key as user, secret as password), as Mailjet documents them
with example answers in https://github.com/mailjet/api-documentation/blob/master/guides/_domain-dns.md
(the source of https://dev.mailjet.com/email/guides/domain-dns/):
- `POST /v3/REST/sender` `{"Email": "*@<domain>"}` creates the domain sender; 400 "already
  exists" is fine.
- `GET /v3/REST/sender?Email=*@<domain>` the sender's `ID` and `Status` (Active/Inactive).
- `GET /v3/REST/dns/<domain>` `OwnerShipTokenRecordName`, `OwnerShipToken`,
  `DKIMRecordName`, `DKIMRecordValue`, `SPFRecordValue`, `SPFStatus`, `DKIMStatus`, `ID`.
- `POST /v3/REST/dns/<dns id>/check` Mailjet looks at the DNS now: `SPFStatus`, `DKIMStatus`,
  `SPFRecordsCurrentValues` (list; older sources: `SPFRecordCurrentValue`),
  `DKIMRecordCurrentValue`, `SPFErrors`, `DKIMErrors`.
- `POST /v3/REST/sender/<sender id>/validate` asks Mailjet to validate the sender (by the
  sender's id, not the DNS id); 400 "already active" is fine. Mailjet documents the answer as
  200 with `ValidationMethod` (`DNS`, `File`, `Domain`, `ActivationEmail`; empty on failure),
  `GlobalError` and per-method `Errors`, "success and failure to validate" alike
  (https://github.com/mailjet/api-documentation/blob/master/guides/_domain-dns.md, the source of
  https://dev.mailjet.com/email/guides/domain-dns/); the answer comes in the `Data` envelope
  or, as Mailjet also sends it, as the bare object `{"Errors":{},"ValidationMethod":"DNS",
  "GlobalError":""}` – both are read.
- `DELETE /v3/REST/sender/<sender id>` removes a sender we created for a domain that Mailjet
  then did not know (Mailjet's own client lists DELETE for `REST/sender`:
  https://github.com/mailjet/mailjet-gem/blob/master/lib/mailjet/resources/sender.rb).
"""

import re
from dataclasses import dataclass

import httpx

from .words.mailjet import MESSAGES, VALIDATION_WORDS

DEFAULT_URL = "https://api.mailjet.com"


@dataclass(frozen=True)
class Account:
    """Credentials of a Mailjet (sub-)account and the API base URL."""

    key: str
    secret: str
    url: str = DEFAULT_URL


@dataclass(frozen=True)
class DomainValues:
    """What Mailjet expects in the DNS of one sender domain, and its own status of it."""

    domain: str
    dns_id: int | None
    sender_id: int | None
    sender_status: str  # "Active" | "Inactive" | "" (unknown)
    verification_name: str  # may be absolute with a trailing dot, as Mailjet sends it
    verification_value: str
    dkim_name: str
    dkim_value: str
    spf_value: str  # Mailjet's default record; our check merges it with the customer's SPF
    spf_status: str  # "OK" | "Error" | "Not checked" | "Not found"
    dkim_status: str

    @property
    def dkim_selector(self) -> str:
        """The selector of `DKIMRecordName` (`mailjet._domainkey.example.de.` -> `mailjet`)."""
        name = self.dkim_name.strip().rstrip(".")
        return name.split("._domainkey", 1)[0] if "._domainkey" in name else "mailjet"


@dataclass(frozen=True)
class CheckResult:
    """Mailjet's answer after it looked at the DNS and the sender again."""

    spf_status: str
    dkim_status: str
    spf_found: tuple[str, ...]
    dkim_found: str
    spf_errors: str
    dkim_errors: str
    sender_status: str
    validate_error: str


class MailjetError(Exception):
    """A request to Mailjet failed; `code` names the kind, `message` says it in German."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, MESSAGES["bad_answer"])

    @property
    def http_status(self) -> int:
        """422 where what was entered or configured is refused, 502/504 where Mailjet failed."""
        return UPSTREAM_STATUS.get(self.code, 422)


# A record's owner name (labels of letters, digits, "-" and "_"; absolute with a final dot)
# and a TXT value Mailjet asks for (printable ASCII, no quotes or angle brackets).
DNS_NAME = re.compile(r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?")
RECORD_TEXT = re.compile(r"[\x20\x21\x23-\x3b\x3d\x3f-\x5b\x5d-\x7e]{1,4096}")

# Mailjet itself failed; every other error is about the key, the domain or the order of steps.
UPSTREAM_STATUS = {"timeout": 504, "unreachable": 502, "server_error": 502, "bad_answer": 502,
                   "bad_check_answer": 502}  # fmt: skip


def _client(account: Account, timeout: float) -> httpx.Client:
    return httpx.Client(
        base_url=account.url.rstrip("/"),
        auth=(account.key, account.secret),
        timeout=timeout,
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )


def _request(
    client: httpx.Client, method: str, path: str, ok_400=(), bare=(), **kwargs
) -> dict | None:
    """Send one request; return the first `Data` entry, None for a tolerated 400.

    With `bare` (field names), a body without the `Data` envelope that carries one of these
    fields is the entry itself (the validate answer).
    """
    try:
        response = client.request(method, path, **kwargs)
    except httpx.TimeoutException as e:
        raise MailjetError("timeout", str(e)) from e
    except httpx.HTTPError as e:
        raise MailjetError("unreachable", str(e)) from e
    status = response.status_code
    if status == 401:
        raise MailjetError("unauthorized")
    if status == 403:
        raise MailjetError("forbidden")
    if status == 404:
        raise MailjetError("not_found", path)
    if status >= 500:
        raise MailjetError("server_error", str(status))
    body = _json(response)
    if status == 400:
        text = str(body.get("ErrorMessage", "")) + " " + str(body.get("ErrorInfo", ""))
        if any(phrase in text.lower() for phrase in ok_400):
            return None
        raise MailjetError("rejected", text.strip())
    if status >= 300:
        raise MailjetError("bad_answer", str(status))
    data = body.get("Data")
    if data is None and any(name in body for name in bare):
        return body
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        raise MailjetError("bad_answer", "no Data")
    return data[0]


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    return value.strip() if isinstance(value, str) else ""


def _id(entry: dict | None, key: str = "ID") -> int | None:
    value = (entry or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def find_sender(client: httpx.Client, domain: str) -> dict | None:
    """Return the domain sender `*@domain`, or None when Mailjet has none."""
    try:
        return _request(client, "GET", "/v3/REST/sender", params={"Email": f"*@{domain}"})
    except MailjetError as e:
        if e.code in ("not_found", "bad_answer"):  # an empty Data list: no such sender
            return None
        raise


def fetch_domain(account: Account, domain: str, *, timeout: float) -> DomainValues:
    """Create the domain sender if needed, then read what Mailjet expects in the DNS.

    Raises MailjetError. `domain` is the ASCII (IDNA) form without a trailing dot.
    """
    with _client(account, timeout) as client:
        # Mailjet says "already exists" or "There is an already existing ... sender"
        sender = _request(
            client, "POST", "/v3/REST/sender", ok_400=("already exist",),
            json={"Email": f"*@{domain}"},
        )  # fmt: skip
        created = sender is not None  # ours: to be taken back if the domain proves unknown
        if sender is None:
            sender = find_sender(client, domain)
        try:
            dns = _request(client, "GET", f"/v3/REST/dns/{domain}")
        except MailjetError:
            if created:
                _delete_sender(client, _id(sender))
            raise
    name, value = _text(dns, "OwnerShipTokenRecordName"), _text(dns, "OwnerShipToken")
    if not name or not value:
        raise MailjetError("bad_answer", "no ownership token")
    # what Mailjet answers is shown to the customer as records to create: judge it like input
    dkim_name, dkim_value = _text(dns, "DKIMRecordName"), _text(dns, "DKIMRecordValue")
    if not (DNS_NAME.fullmatch(name) and RECORD_TEXT.fullmatch(value)) or (
        (dkim_name and not DNS_NAME.fullmatch(dkim_name))
        or (dkim_value and not RECORD_TEXT.fullmatch(dkim_value))
    ):
        raise MailjetError("bad_answer", "names or values that are no DNS record")
    return DomainValues(
        domain=domain,
        dns_id=_id(dns),
        sender_id=_id(sender),
        sender_status=_text(sender or {}, "Status"),
        verification_name=name,
        verification_value=value,
        dkim_name=dkim_name,
        dkim_value=dkim_value,
        spf_value=_text(dns, "SPFRecordValue"),
        spf_status=_text(dns, "SPFStatus"),
        dkim_status=_text(dns, "DKIMStatus"),
    )


def _delete_sender(client: httpx.Client, sender_id: int | None) -> None:
    """Delete a sender we created a moment ago; best effort (the caller raises anyway)."""
    if sender_id is None:
        return
    try:
        client.request("DELETE", f"/v3/REST/sender/{sender_id}")
    except httpx.HTTPError:
        pass  # the original error is what the manager needs to read


def validate_problem(answer: dict) -> str:
    """Why Mailjet did not validate the sender, in German; "" when it did.

    Success is a `ValidationMethod` (e.g. "DNS") and no `GlobalError` – `Errors` may be `{}`
    or list the methods that were not used. On failure the method is empty; the DNS reason is
    said in German, any other reason is quoted as Mailjet wrote it.
    """
    errors = answer.get("Errors") if isinstance(answer.get("Errors"), dict) else {}
    if _text(answer, "ValidationMethod") and not _errors(answer, "GlobalError"):
        return ""
    if errors.get("DNSValidationError"):
        return VALIDATION_WORDS["DNSValidationError"]
    return _errors(answer, "GlobalError") or _errors(answer, "Errors")


def spf_current(entry: dict) -> tuple[str, ...]:
    """Mailjet's SPF record(s) as it saw them: `SPFRecordsCurrentValues` (a list) in the
    API reference, `SPFRecordCurrentValue` (one string) in older sources; accept both."""
    values = entry.get("SPFRecordsCurrentValues")
    if isinstance(values, list):
        return tuple(str(v) for v in values if v)
    single = entry.get("SPFRecordCurrentValue")
    return (single,) if isinstance(single, str) and single else ()


def _errors(entry: dict, key: str) -> str:
    value = entry.get(key)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v)
    return str(value).strip() if value else ""


def ask_to_check(
    account: Account, domain: str, dns_id: int, sender_id: int | None, *, timeout: float
) -> CheckResult:
    """Ask Mailjet to look at the DNS now and to validate the domain sender; raise MailjetError."""
    try:
        return _ask_to_check(account, domain, dns_id, sender_id, timeout=timeout)
    except MailjetError as e:
        if e.code == "bad_answer":  # the values stand; only this answer was not understood
            raise MailjetError("bad_check_answer", e.detail) from e
        raise


def _ask_to_check(
    account: Account, domain: str, dns_id: int, sender_id: int | None, *, timeout: float
) -> CheckResult:
    with _client(account, timeout) as client:
        check = _request(client, "POST", f"/v3/REST/dns/{dns_id}/check")
        validate_error = ""
        if sender_id is not None:
            try:
                answer = _request(
                    client, "POST", f"/v3/REST/sender/{sender_id}/validate",
                    ok_400=("already active",), bare=("ValidationMethod", "GlobalError"),
                )  # fmt: skip
            except MailjetError as e:
                if e.code != "rejected":
                    raise
                validate_error = e.detail
            else:
                validate_error = validate_problem(answer or {})
        sender = find_sender(client, domain)
    return CheckResult(
        spf_status=_text(check, "SPFStatus"),
        dkim_status=_text(check, "DKIMStatus"),
        spf_found=spf_current(check),
        dkim_found=_text(check, "DKIMRecordCurrentValue"),
        spf_errors=_errors(check, "SPFErrors"),
        dkim_errors=_errors(check, "DKIMErrors"),
        sender_status=_text(sender or {}, "Status"),
        validate_error=validate_error,
    )
