"""The password mask on hostile 32 KB SMTP replies against an ordinary 32 KB reply.

Run: .venv/bin/python bench/mask.py        options: --rounds N (5)

What it does: masks, as Transcript.mask and Transcript.flat do for every server reply, 32 KB
replies (aiosmtplib's limit) that a hostile server builds close to a 500-character password
(issue 21: seven password characters and a break, in several readable forms; a reply made
of password characters; one line per character) and, as the same-run baseline, an
ordinary 32 KB reply of the same length. Prints the median ms per reply of each case and
its ratio to the baseline. Before issue 21 the "umlauts" case took 14 s and a check with
three such replies 56-66 s; the goal is every case well under a second (linear work).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/: its dns.py

from mitwirkung.checks.smtp.transcript import Transcript  # noqa: E402

SIZE = 32 * 1024
PASSWORDS = {
    "ä×500": "ä" * 500,
    "mixed": "".join("äöüßÄÖÜ€abcAB12 !"[i * 7 % 17] for i in range(500)),
    "astral": "".join(chr(0x1F600 + i) for i in range(500)),
}
UNITS = {
    "umlauts": "ä" * 7 + "x",
    "percent": "%c3%a4" * 7 + "x",
    "lost": "?" * 7 + "x",
    "entities": "&auml;" * 7 + ";",
    "all password": "ä",
    "lines": "ä\n",
}


def reply(unit: str) -> str:
    return ("535 5.7.8 " + unit * (SIZE // len(unit)))[:SIZE]


def timed(transcript: Transcript, text: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        transcript._masked.clear()  # no memo between rounds
        start = time.perf_counter()
        transcript.mask(text)
        transcript.flat(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ordinary = reply("Authentication credentials invalid, please check your account. ")
    for name, password in PASSWORDS.items():
        transcript = Transcript("versand@kunde.test", password)
        base = timed(transcript, ordinary, args.rounds)
        print(f"password {name}: baseline (ordinary 32 KB reply) {base:.0f} ms")
        for case, unit in UNITS.items():
            ms = timed(transcript, reply(unit), args.rounds)
            print(f"  {case:13} {ms:6.0f} ms  ({ms / base:.1f}x baseline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
