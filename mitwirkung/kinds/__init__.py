"""Item kinds that a new obligation can use without code: `manual`, `fields`, `peiq-confirm`.

Each kind is one module with its rules (how an item of the kind becomes done, what it
validates) and one template fragment `templates/kinds/<kind>.html` whose root element
names its swap target. `submit(item, form, row)` of a kind the customer acts on returns an
`Outcome`; the routes that call it live in `mitwirkung/obligation_page.py` (customer) and
`peiq_confirm.init_app` (manager). The SMTP obligation's kinds (form, handover, smtp, dns,
notify, portal, mail-received) have their routes in modules here too (`smtp_settings`,
`smtp_test`, `handover`, `dns`, `notify`, `portal`, `mail_received`) on the `customer`
blueprint; `customer.py` imports them, this package does not (they need the page's helpers).
"""

import dataclasses

from ..progress import ItemView
from . import fields, manual, peiq_confirm

# the kinds whose items the customer submits on their page, by kind name
CUSTOMER_KINDS = {"manual": manual, "fields": fields}


def prepare(views: list[ItemView]) -> list[ItemView]:
    """Return the views with what their kind derives from the others, e.g. a `peiq-confirm`
    item is PEIQ's turn ("Wartet auf PEIQ") once every other required item is complete."""
    return [
        dataclasses.replace(v, detail={**v.detail, "waiting_for": "manager"})
        if v.item.kind == "peiq-confirm" and peiq_confirm.waiting(v, views)
        else v
        for v in views
    ]
