"""Runs: the glue between views and the live checks, one module per run kind.

| module | run kind |
| --- | --- |
| `smtp_test` | the customer's SMTP test mail (`runs.kind = "smtp"`) and saving SMTP settings |
| `probe` | "Einstellungen ermitteln" (`probe`) |
| `dns_check` | the Mailjet DNS check (`dns`) and what the DNS table shows |
| `mailjet_mail` | the Mailjet path's test mail through Mailjet's relay (`mailjet-mail`) |
| `receipt` | evidence of arrival: the confirmation link and the receiver's judged mail |
| `app_mail` | mails the app sends on someone's behalf (`mail`), "PEIQ informieren" |
| `limits` | every rate limit on runs and app mails |
| `settings` | the one mapping between SMTP settings' shapes (form, row, check, run) |
| `base` | shared plumbing: check options, reading runs back, outcome words |
| `lifecycle` | aborting and reaping runs (the runner's `on_abort`) |

Every kind starts through `Service.runner.submit` and stores its result in one `finish`
function, in the transaction that ends the run.
"""
