"""Forms of the team pages: inviting a manager, setting and changing a password."""

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Optional, ValidationError

from . import accounts
from .forms import REQUIRED, EmailAddress, Form, Length, OneLineName, strip
from .words.team import DIFFERENT, LABELS


class InviteForm(Form):
    email = StringField(
        LABELS["email"],
        [DataRequired(REQUIRED), Length(max=300), EmailAddress()],
        filters=[strip],
    )
    name = StringField(
        LABELS["name"], [Optional(), Length(max=200), OneLineName()], filters=[strip]
    )


class NewPasswordForm(Form):
    """A new password twice; the rules of accounts.password_problem apply."""

    password = PasswordField(
        LABELS["password"], [DataRequired(REQUIRED), Length(max=accounts.MAX_LENGTH)]
    )
    repeat = PasswordField(
        LABELS["repeat"],
        [DataRequired(REQUIRED), EqualTo("password", DIFFERENT)],
    )

    def __init__(self, *args, email: str = "", name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.who = (email, name)

    def validate_password(self, field):
        problem = accounts.password_problem(field.data or "", *self.who)
        if problem:
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(LABELS["current"], [DataRequired(REQUIRED), Length(max=500)])
