"""The team's accounts under /manage/: list, invite, reset, deactivate, own password, sessions.

Every form posts and answers with a 303 back to its page (works without JavaScript); the
one-time link `/manage/zugang/<token>` is the only page here that needs no login.
"""

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.security import check_password_hash

from . import accounts, login_limits, mail, mailtext
from .checks.smtp import shown_address
from .db import get_db
from .manage.base import actor, load_manager
from .runs.limits import client_key
from .team_forms import ChangePasswordForm, InviteForm, NewPasswordForm
from .web import local_time, public_url
from .words import team as words

bp = Blueprint("team", __name__, url_prefix="/manage")
bp.before_request(load_manager)


def _who(actor_text: str) -> str:
    return (
        actor_text.removeprefix("manager:") if actor_text.startswith("manager:") else words.CONSOLE
    )


def _history(db) -> list[dict]:
    rows = db.query(
        "SELECT e.*, m.name, m.email FROM team_events e LEFT JOIN managers m"
        " ON m.id = e.manager_id ORDER BY e.id DESC LIMIT 30"
    )
    return [
        {**r, "what": words.TEAM_WORDS.get(r["kind"], words.CHANGED), "by": _who(r["actor"]),
         "data": json.loads(r["data"] or "{}")}
        for r in rows
    ]  # fmt: skip


def _team(db) -> list[dict]:
    rows = db.query(
        "SELECT m.*, (SELECT COUNT(*) FROM manager_sessions s WHERE s.manager_id = m.id"
        " AND s.ended_at IS NULL) AS sessions, (SELECT expires_at FROM manager_tokens t"
        " WHERE t.manager_id = m.id) AS link_expires FROM managers m"
        " ORDER BY m.active DESC, m.name COLLATE NOCASE"
    )
    return list(rows)


def render_team(form: InviteForm | None = None, status: int = 200, one_time: dict | None = None):
    """The team page; one_time (manager, url, expires, purpose) shows a one-time link once to
    the manager who made it (no mail server): never cached, never flashed into the cookie."""
    db = get_db()
    page = render_template(
        "team.html",
        team=_team(db),
        history=_history(db),
        form=form or InviteForm(formdata=None),
        local_time=local_time,
        shown_address=shown_address,
        mail_ready=mail.configured(current_app.config),
        one_time=one_time,
    )
    response = current_app.make_response((page, status))
    if one_time:
        response.headers["Cache-Control"] = "no-store"
    return response


def _show_link(manager: dict, token: str, expires: str, purpose: str):
    """Without a mail server: show the link to the inviting manager instead of mailing it."""
    url = public_url("team.set_password", token=token)
    one_time = {"manager": manager, "url": url, "expires": expires, "purpose": purpose}
    return render_team(one_time=one_time)


@bp.get("/team")
def team():
    """List the team's accounts with their state and what can be done with each."""
    return render_team()


def _mail_link(manager: dict, token: str, expires: str, purpose: str) -> str | None:
    """Mail the one-time link to the manager; return None or why it was not sent (German)."""
    subject, text = mailtext.render(
        "manager_link",
        name=manager["name"],
        email=shown_address(manager["email"]),
        by=g.manager["name"],
        purpose=purpose,
        url=public_url("team.set_password", token=token),
        expires=local_time(expires),
    )
    return mail.deliver(current_app.config, [manager["email"]], subject, text)


@bp.post("/team/invite")
def invite():
    """Create an account for a colleague and mail them a one-time link to set a password."""
    form = InviteForm()
    if not form.validate_on_submit():
        return render_team(form, 422)
    db = get_db()
    try:
        manager, token, expires = accounts.invite(db, form.email.data, form.name.data, actor())
    except accounts.Refusal as e:
        form.email.errors.append(str(e))
        return render_team(form, 422)
    if not mail.configured(current_app.config):
        return _show_link(manager, token, expires, "invite")
    problem = _mail_link(manager, token, expires, "invite")
    if problem:
        flash(words.INVITE_NOT_SENT.format(email=shown_address(manager["email"]),
                                           problem=problem), "error")  # fmt: skip
    else:
        flash(words.INVITE_SENT.format(email=shown_address(manager["email"]),
                                       expires=local_time(expires)))  # fmt: skip
    return redirect(url_for("team.team"), 303)


def _other(manager_id: int) -> dict:
    manager = accounts.by_id(get_db(), manager_id)
    if manager is None:
        abort(404)
    return manager


@bp.post("/team/<int:manager_id>/reset")
def reset(manager_id):
    """Mail a colleague a one-time link to set a new password."""
    manager = _other(manager_id)
    if not manager["active"]:
        flash(words.DEACTIVATED_FIRST, "error")
        return redirect(url_for("team.team"), 303)
    if manager_id == g.manager["id"] and manager["password_set_at"]:
        flash(words.OWN_PASSWORD, "error")
        return redirect(url_for("team.account"), 303)
    purpose = "reset" if manager["password_set_at"] else "invite"
    db = get_db()
    token, expires = accounts.issue_token(db, manager_id, purpose, actor())
    accounts.record(db, actor(), "reset-sent" if purpose == "reset" else "invited", manager_id)
    if not mail.configured(current_app.config):
        return _show_link(manager, token, expires, purpose)
    problem = _mail_link(manager, token, expires, purpose)
    if problem:
        flash(words.LINK_NOT_SENT.format(problem=problem), "error")
    else:
        flash(words.RESET_SENT.format(email=shown_address(manager["email"]),
                                      expires=local_time(expires)))  # fmt: skip
    return redirect(url_for("team.team"), 303)


@bp.post("/team/<int:manager_id>/deactivate")
def deactivate(manager_id):
    """Lock a colleague's account: no login, every session ends at once."""
    manager = _other(manager_id)
    if manager_id == g.manager["id"]:
        flash(words.OWN_ACCOUNT, "error")
        return redirect(url_for("team.team"), 303)
    try:
        accounts.deactivate(get_db(), manager_id, actor())
    except accounts.Refusal as e:
        flash(str(e), "error")
    else:
        flash(words.DEACTIVATED.format(name=manager["name"]))
    return redirect(url_for("team.team"), 303)


@bp.post("/team/<int:manager_id>/activate")
def activate(manager_id):
    """Let a deactivated colleague log in again with their password."""
    manager = _other(manager_id)
    accounts.activate(get_db(), manager_id, actor())
    flash(words.ACTIVATED.format(name=manager["name"]))
    return redirect(url_for("team.team"), 303)


@bp.post("/team/<int:manager_id>/end-sessions")
def end_sessions(manager_id):
    """End every session of a colleague (e.g. a lost laptop); the password stays."""
    manager = _other(manager_id)
    db = get_db()
    ended = accounts.end_sessions(db, manager_id)
    accounts.record(db, actor(), "sessions-ended", manager_id, count=ended)
    flash(words.SESSIONS_ENDED.format(count=ended, name=manager["name"]))
    if manager_id == g.manager["id"]:
        session.clear()
        return redirect(url_for("manage.login"), 303)
    return redirect(url_for("team.team"), 303)


@bp.route("/konto", methods=["GET", "POST"])
def account():
    """Change one's own password; the other sessions of this manager end, this one stays."""
    me = g.manager
    form = ChangePasswordForm(email=me["email"], name=me["name"])
    status = 200
    if form.validate_on_submit():
        # the current password is guessed no faster here than at the login (same limits)
        db, client = get_db(), client_key(request.remote_addr) or ""
        attempt = login_limits.reserve_attempt(db, me["email"], client)
        if attempt is None:
            form.current.errors.append(words.TOO_MANY_ATTEMPTS)
        elif check_password_hash(me["password_hash"], form.current.data):
            login_limits.login_succeeded(db, attempt, me["email"], client)
            accounts.set_password(db, me["id"], form.password.data, actor(),
                                  keep_session=session.get("sid"))  # fmt: skip
            flash(words.PASSWORD_CHANGED)
            return redirect(url_for("team.account"), 303)
        else:
            form.current.errors.append(words.WRONG_PASSWORD)
    if form.errors:
        status = 422
    sessions = accounts.open_sessions(get_db(), me["id"])
    page = render_template("account.html", form=form, sessions=sessions, rule=accounts.RULE)
    return page, status


@bp.post("/konto/sitzungen-beenden")
def end_my_sessions():
    """ "Alle Sitzungen beenden": every browser of this manager, this one included, logs out."""
    db = get_db()
    ended = accounts.end_sessions(db, g.manager["id"])
    accounts.record(db, actor(), "sessions-ended", g.manager["id"], count=ended)
    session.clear()
    flash(words.ALL_ENDED)
    return redirect(url_for("manage.login"), 303)


@bp.route("/zugang/<token>", methods=["GET", "POST"])
def set_password(token):
    """The one-time link of an invitation or reset: choose a password, then log in."""
    db = get_db()
    row = accounts.redeem(db, token)
    if row is None:
        page = render_template(
            "error.html",
            title=words.LINK_GONE_TITLE,
            text=words.LINK_GONE,
            back=url_for("manage.login"),
        )
        return page, 404
    form = NewPasswordForm(email=row["email"], name=row["name"])
    if form.validate_on_submit():
        accounts.set_password(db, row["manager_id"], form.password.data,
                              f"manager:{row['email']}", token=token)  # fmt: skip
        session.clear()
        flash(words.PASSWORD_SET)
        return redirect(url_for("manage.login"), 303)
    status = 422 if form.errors else 200
    page = render_template("set_password.html", form=form, row=row, rule=accounts.RULE)
    return page, status
