"""Account managers under /manage/: one blueprint `manage`, its views in modules by task.

| module | what a manager does there |
| --- | --- |
| `base` | the blueprint, `load_manager`, `actor`, `customer_or_404`, shared lookups |
| `access` | log in (throttled by `login_limits`), log out |
| `dashboard` | the dashboard and its CSV export (columns from `board_columns`) |
| `customers` | create, edit particulars, archive, restore |
| `detail` | one customer's page, its history and history CSV |
| `links` | mail the customer link, rotate links |
| `peiq` | PEIQ's steps: reveal the password, acknowledge, confirm the PORTAL |
| `mailjet_views` | Mailjet values and API actions |

Importing this package registers every view on `bp`; endpoint names stay `manage.<view>`.
"""

from . import access, customers, dashboard, detail, links, mailjet_views, peiq
from .base import actor, bp, customer_or_404, load_manager

__all__ = [
    "access",
    "actor",
    "bp",
    "customer_or_404",
    "customers",
    "dashboard",
    "detail",
    "links",
    "load_manager",
    "mailjet_views",
    "peiq",
]
