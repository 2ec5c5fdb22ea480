"""Tables, one module per part of the product: `core` (areas, accounts, campaign, people,
receipts, payments, audit) and one module for each later feature. Every module in this package
is imported here, so Alembic and `db.create_all()` see all tables without a list to keep."""
import importlib
import pkgutil

from .core import *  # noqa: F401,F403 - the core names are used everywhere as webapp.models.X
from .core import __all__ as _core_names  # noqa: F401

for _mod in pkgutil.iter_modules(__path__):  # noqa: F405
    if _mod.name != "core":
        _m = importlib.import_module(f"{__name__}.{_mod.name}")
        globals().update({k: getattr(_m, k) for k in getattr(_m, "__all__", [])})
