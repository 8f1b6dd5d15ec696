"""German words of the mails sent on someone's behalf (notify.py); the mails are templates."""

TOO_MANY_FORWARDS = (
    "In der letzten Stunde wurden die Einträge schon {count}-mal weitergeleitet – "
    "mehr geht zum Schutz vor Missbrauch nicht. Bitte versuchen Sie es später erneut."
)
