"""Find the working port and encryption of a host: greeting, EHLO and TLS, no login."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mitwirkung.checks.diagnose import ENCRYPTION_LABELS, PROBE_MESSAGES, describe
from mitwirkung.checks.netguard import GuardError, normalize_host, vet

from .classify import classify
from .dialogue import auth_methods, choose_mechanism, stored_words
from .session import Session
from .tls import TlsInfo, tls_context
from .transcript import Transcript


@dataclass(frozen=True)
class Probe:
    port: int
    encryption: str
    ok: bool
    code: str
    message: str
    tls: TlsInfo | None
    auth: bool = True  # the server offers a login PRINT PPS can use on this combination
    words: dict | None = None  # what message is worded from (word_probe)


def word_probe(words: dict) -> str:
    """The German message of a probe from its stored words (Probe.words, through JSON).

    words: {"probe": a key of PROBE_MESSAGES, "params": {port, encryption, methods}} for a
    combination that answered, else {"code", "params", "guard"} as for diagnose.describe (the
    guard: the refused host's context, or {"text": …} when it was worded without one).
    Raises KeyError for words of another shape.
    """
    params = words["params"]
    if "probe" in words:
        label = ENCRYPTION_LABELS[params["encryption"]]
        return PROBE_MESSAGES[words["probe"]].format(
            port=params["port"], label=label, methods=params.get("methods", "")
        )
    guard = words.get("guard")
    if guard is not None:
        return guard["text"] if "text" in guard else describe(words["code"], **guard).message
    return describe(words["code"], **params).message


def _guarded(exc: GuardError) -> dict:
    """The guard part of a probe's words."""
    return exc.context if exc.context is not None else {"text": exc.message}


async def probe_settings(
    host: str,
    *,
    timeout,
    allowed_ports,
    allowed_networks,
    nameservers,
    ca_file,
    ports=((465, "ssl"), (587, "tls"), (25, "tls")),
) -> list[Probe]:
    """Try each port/encryption pair in parallel up to the TLS handshake, without login."""
    try:
        name, _ = normalize_host(host)
    except GuardError as exc:
        words = stored_words({"code": exc.code, "params": {}, "guard": _guarded(exc)})
        message = word_probe(words)
        return [Probe(p, e, False, exc.code, message, None, words=words) for p, e in ports]
    context = await asyncio.to_thread(tls_context, ca_file)
    return list(
        await asyncio.gather(
            *(
                _probe(
                    name,
                    port,
                    encryption,
                    context=context,
                    timeout=timeout,
                    allowed_ports=allowed_ports,
                    allowed_networks=allowed_networks,
                    nameservers=nameservers,
                )  # fmt: skip
                for port, encryption in ports
            )
        )
    )


async def _probe(host, port, encryption, *, context, timeout, **guard) -> Probe:
    """Greeting, EHLO and TLS on one port; return whether that combination works."""
    deadline = asyncio.get_running_loop().time() + timeout
    session = Session(host, port, encryption, context=context, transcript=Transcript(),
                      ehlo_name=None, timeout=timeout, deadline=deadline)  # fmt: skip
    failure = None
    try:
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await vet(host, port, timeout=timeout, **guard)
                await session.connect(addresses)
                await session.open()
                offers_auth = session.smtp.supports_extension("auth")
                methods = auth_methods(session.smtp)
                usable = choose_mechanism(session.smtp.server_auth_methods, encrypted=True)
        except Exception as exc:
            failure = await classify(exc, session)
    finally:
        await session.close()
    if failure is None:
        code = "ok" if usable else "auth_methods_unsupported"
        code = code if offers_auth else "auth_not_offered"
        plain = code == "auth_not_offered" and encryption == "none"
        words = stored_words({
            "probe": code + "_plain" if plain else code,
            "params": {"port": port, "encryption": encryption, "methods": methods},
        })  # fmt: skip
        return Probe(port, encryption, code == "ok", code, word_probe(words), session.tls,
                     code == "ok", words=words)  # fmt: skip
    context_ = dict(failure.context)
    guard_message = context_.pop("guard_message", None)
    guard = context_.pop("guard_context", None)
    if guard is None and guard_message:
        guard = {"text": guard_message}
    params = {"host": host, "port": port, "address": str(session.address or ""),
              "reply": session.transcript.flat(failure.reply), **context_}  # fmt: skip
    words = stored_words({"code": failure.code, "params": params, "guard": guard})
    return Probe(port, encryption, False, failure.code, word_probe(words), session.tls,
                 words=words)  # fmt: skip
