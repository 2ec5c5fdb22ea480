"""The installable app: the service worker (from the site root, so its scope is the whole app)
and the web app manifest. Both name the shell's files by their versioned `asset()` URLs, so a
new deployment changes the worker's bytes and the browser installs the new one."""
import json
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request

from . import public

bp = Blueprint("pwa", __name__)

# Cached by the worker at install: what every page needs. Pages, and the static files only some
# pages use, are cached as they are visited.
OUTBOX = ["js/outbox/store.js", "js/outbox/send.js"]                     # what the worker itself runs
OUTBOX_PAGES = ["js/outbox/slip.js", "js/outbox/lists.js", "js/outbox/pages.js", "js/outbox/page.js",
                "js/outbox/payform.js"]
SHELL = ["css/app.css", "js/mode.js", "js/app.js", *OUTBOX, *OUTBOX_PAGES, "icons/icon-192.png"]
ICONS = {"icon-192.png": ("192x192", "any"), "icon-512.png": ("512x512", "any"),
         "icon-maskable-512.png": ("512x512", "maskable")}


def _static(name: str) -> Path:
    return Path(current_app.static_folder) / name


def _asset(name: str) -> str:
    return current_app.jinja_env.globals["asset"](name)


@bp.route("/sw.js")
@public
def service_worker():
    shell = {"version": "-".join(_asset(n).rsplit("v=", 1)[-1] for n in SHELL),
             "assets": [_asset(n) for n in SHELL], "outbox": [_asset(n) for n in OUTBOX]}
    body = f"self.LX_SHELL = {json.dumps(shell)};\n" + _static("sw.js").read_text(encoding="utf-8")
    resp = current_app.response_class(body, mimetype="text/javascript")
    resp.headers["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker at most daily unless told; this one must follow deploys.
    # no-cache still asks on every navigation: the ETag (its bytes' hash) lets an unchanged
    # worker answer 304 with no body instead of downloading in full each time.
    resp.headers["Cache-Control"] = "no-cache"
    resp.add_etag()
    return resp.make_conditional(request)


@bp.route("/manifest.webmanifest")
@public
def manifest():
    data = json.loads(_static("manifest.webmanifest").read_text(encoding="utf-8"))
    data["icons"] = [{"src": _asset(f"icons/{name}"), "sizes": sizes, "type": "image/png", "purpose": purpose}
                     for name, (sizes, purpose) in ICONS.items()]
    resp = jsonify(data)
    resp.mimetype = "application/manifest+json"
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.route("/offline")
@public
def offline():
    """What the worker shows for a page it has not cached yet, while there is no network."""
    return render_template("pwa/offline.html")


