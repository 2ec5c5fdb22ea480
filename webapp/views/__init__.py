"""One blueprint per area of the UI. Views parse a form, call one service, render or redirect."""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user, login_required
from werkzeug.routing import IntegerConverter

from ..services.actor import Actor
from ..services.errors import ServiceError, ValidationFailed
from ..services.site import Site

# Ids and page numbers are database integers (PostgreSQL `integer`); a larger number names nothing,
# and passed on it would make the database driver fail (a 500) instead of a 404 or the default.
DB_INT_MAX = 2**31 - 1


def db_int(value: str) -> int:
    """`type=` for request.args.get: a number the database can take, else the default."""
    number = int(value)
    if abs(number) > DB_INT_MAX:
        raise ValueError(value)
    return number


class DbIntConverter(IntegerConverter):
    """`<int:...>` in every route: a larger number is 404, like an id that does not exist."""
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app):
    """Every UI area, named here: a new blueprint is added to this list, never found by itself."""
    from . import admin, api, auth, collect, health, paperwork, progress, pwa, receipts, roster, verify
    app.url_map.converters["int"] = DbIntConverter
    for module in (admin, api, auth, collect, health, paperwork, progress, pwa, receipts, roster, verify):
        app.register_blueprint(module.bp)


def actor() -> Actor:
    return Actor(user=current_user._get_current_object() if current_user.is_authenticated else None,
                 ip=request.remote_addr or "")


def site() -> Site:
    """This deployment's public address, receipt keys and cache folder, for the services that print."""
    return Site.of(current_app)


def roles_required(*roles):
    """Logged in, and one of these roles; anything else is 403 (the route exists, but not for you)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.roles = roles
        return wrapped
    return decorator


def public(view):
    """Mark a view as open to anyone without an account (the access test checks the rest are not)."""
    view.public = True
    return view


def put_errors(form, error: ServiceError, aliases: dict | None = None) -> list[str]:
    """Put a service error onto the form's fields; return what belongs to no field (for a flash)."""
    aliases = aliases or {}
    leftovers = []
    items = error.errors.items() if isinstance(error, ValidationFailed) else [(error.field, error.message)]
    for field, message in items:
        name = aliases.get(field, field)
        if name and name in form:
            form[name].errors = list(form[name].errors) + [message]
        else:
            leftovers.append(message)
    return leftovers
