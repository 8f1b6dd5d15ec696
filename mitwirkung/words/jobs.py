"""German words of the background jobs (jobs/)."""

# the title a drift incident gives the record's item (shown with the item)
DRIFT_TITLE = "nach dem Abschluss nicht mehr in Ordnung"
