"""Command-line tools (`flask --app wsgi COMMAND --help`). Each module in this package lists
its click commands in `commands`; all are registered, so a feature adds a file, not an edit."""
import importlib
import pkgutil


def register(app):
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for command in getattr(module, "commands", []):
            app.cli.add_command(command)
