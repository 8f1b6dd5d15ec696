"""Test helpers written once and imported by the test modules (fixtures live in conftest.py).

- `helpers.web`: the CSRF token pattern, the SMTP settings form, the manager's Mailjet form,
  waiting for runs, a Mailjet expectation row, parallel requests, dashboard names.
- `helpers.smtp`: the live SMTP test run synchronously against loopback, and its assertions.
- `helpers.inbound`: mails sent to the Empfangsprüfung's receiver and what it stored.
- `helpers.dnscheck`: the DNS check against a zone server and its assertions.
- `helpers.managers`: account managers with one scrypt hash per password and session.
"""
