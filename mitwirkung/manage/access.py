"""A manager's own access: log in (throttled by login_limits) and log out."""

from flask import redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash

from .. import accounts, login_limits
from ..db import get_db
from ..forms import LoginForm
from ..runs.limits import client_key
from ..words import access as words
from .base import bp


def _local_redirect(target: str | None) -> str:
    if (
        target
        and target.startswith("/manage/")
        and target.isprintable()
        and not any(c in target for c in " \\")
    ):
        return target
    return url_for("manage.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log an account manager in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        db, email = get_db(), form.email.data.lower()
        client = client_key(request.remote_addr) or ""
        attempt = login_limits.reserve_attempt(db, email, client)
        if attempt is None:
            form.password.errors.append(words.TOO_MANY_ATTEMPTS)
            return render_template("login.html", form=form), 429
        manager = accounts.by_email(db, email)
        hashed = manager["password_hash"] if manager else login_limits.DUMMY_HASH
        if check_password_hash(hashed, form.password.data) and manager and manager["active"]:
            login_limits.login_succeeded(db, attempt, email, client)
            session.clear()
            session["sid"] = accounts.start_session(db, manager["id"])
            return redirect(_local_redirect(request.args.get("next")), 303)
        if manager and not manager["active"] and check_password_hash(hashed, form.password.data):
            form.password.errors.append(words.DEACTIVATED)
        else:
            form.password.errors.append(words.WRONG_LOGIN)
    return render_template("login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    """Log out of this session only (the manager's other browsers stay logged in)."""
    accounts.end_session(get_db(), session.get("sid"))
    session.clear()
    return redirect(url_for("manage.login"), 303)
