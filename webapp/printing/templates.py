"""The Jinja environment the print layouts in templates/ are rendered with.

Our own, not Flask's: a document is plain data to bytes, and rendering it needs no application,
no request and no app context. The settings match the app's (autoescape for .html, trim_blocks,
lstrip_blocks) so a layout renders to the same HTML as it did through render_template. Only the
filters the layouts use are registered; the layouts see nothing but what they are passed.
"""
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..rules.money import fen_to_yuan_str

FOLDER = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(FOLDER), autoescape=select_autoescape(("html",)),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["yuan_plain"] = fen_to_yuan_str
    return env


def render(name: str, **context) -> str:
    """The layout `name` (a file in templates/) rendered with `context`."""
    return environment().get_template(name).render(**context)

