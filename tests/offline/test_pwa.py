"""The installable app: service worker from the root, manifest, icons, page hooks, compression."""
import gzip
import json
import re
from html import unescape as html_unescape
from io import BytesIO
from pathlib import Path

import brotli
from PIL import Image

import webapp


def test_service_worker_is_served_from_the_root_and_always_revalidated(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200
    assert resp.mimetype == "text/javascript"
    assert resp.headers["Service-Worker-Allowed"] == "/"
    assert resp.headers["Cache-Control"] == "no-cache"
    body = resp.get_data(as_text=True)
    shell = json.loads(re.match(r"self\.LX_SHELL = (\{.*\});\n", body).group(1))
    # The shell is named by versioned URLs, so a deploy changes the worker and updates the cache.
    names = {re.sub(r"^/static/|\?v=\w+$", "", a) for a in shell["assets"]}
    # js/mode.js: 长辈模式 on pages opened offline too.
    outbox = {f"js/outbox/{n}.js" for n in ("store", "send", "slip", "lists", "pages", "page", "payform")}
    assert names == {"css/app.css", "js/mode.js", "js/app.js", "icons/icon-192.png"} | outbox
    # Every file of the outbox exists, and is cached for offline use.
    assert {p.relative_to(Path(webapp.__file__).parent / "static").as_posix()
            for p in (Path(webapp.__file__).parent / "static" / "js" / "outbox").glob("*.js")} == outbox
    for url in shell["assets"]:
        assert client.get(url).status_code == 200
    # The worker runs only storage and sending, not the pages' drawing.
    worker_files = [re.sub(r"^/static/|\?v=\w+$", "", u) for u in shell["outbox"]]
    assert worker_files == ["js/outbox/store.js", "js/outbox/send.js"]
    assert set(shell["outbox"]) <= set(shell["assets"])
    assert "importScripts.apply(self, LX_SHELL.outbox)" in body and 'addEventListener("sync"' in body


def test_worker_changes_when_a_shell_file_changes(app, client):
    before = client.get("/sw.js").get_data(as_text=True)
    # asset() reads the content hashes computed at start-up; a deploy is a new process.
    app.jinja_env.globals["asset"] = lambda name: f"/static/{name}?v=new"
    assert client.get("/sw.js").get_data(as_text=True) != before


def test_manifest_is_installable(client):
    resp = client.get("/manifest.webmanifest")
    assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
    m = resp.get_json()
    assert m["lang"] == "zh-CN" and m["name"] == "两险征缴" and m["display"] == "standalone"
    assert m["start_url"] == "/" and m["theme_color"] == "#07c160"
    seen = set()
    for icon in m["icons"]:
        img = Image.open(BytesIO(client.get(icon["src"]).data))
        w, h = (int(x) for x in icon["sizes"].split("x"))
        assert img.size == (w, h) and img.format == "PNG"
        seen.add((w, icon["purpose"]))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= seen


def test_icons_are_small_because_they_count_towards_the_first_load():
    icons = Path(webapp.__file__).parent / "static" / "icons"
    assert all(p.stat().st_size < 12_000 for p in icons.glob("*.png"))


def test_every_page_links_the_manifest_and_loads_the_outbox(world, client, login):
    login_page = client.get("/login").get_data(as_text=True)
    # The login page never uses the outbox (issue 16: 40 % of its weight); signed-in pages do.
    assert "js/outbox/" not in login_page and "lx-user" not in login_page
    assert 'rel="manifest" href="/manifest.webmanifest"' in login_page
    html = login("coord1").get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    for name in ("store", "send", "slip", "lists", "pages", "page"):
        assert re.search(rf'<script src="/static/js/outbox/{name}\.js\?v=\w+" defer></script>', html)
    # The household form's script is loaded by the household page only.
    assert "payform.js" not in html
    assert f'<meta name="lx-user" content="{world.user("coord1").id}"' in html


def test_household_form_carries_what_the_phone_needs_to_price_it(world, coord):
    p = world.person(name="赵六", is_dibao=True)
    html = coord.get(f"/households/{p.household_id}").get_data(as_text=True)
    form = re.search(r'<form[^>]+id="pay-form"[^>]*>', html).group(0)
    assert 'data-household="' in form and 'data-village="410411200001"' in form and "data-village-name=" in form
    member = re.search(r'<section class="member"[^>]*>', html).group(0)
    for attr in ("data-person", "data-name", "data-id-masked", "data-prices", "data-medical-self", "data-medical-gov"):
        assert attr in member
    # The server's price table (tier -> self / government / subsidy, fen) and the capitals of every
    # total the page can show travel in the page, so the outbox prices offline from the kept copy.
    prices = json.loads(html_unescape(re.search(r"data-prices='([^']*)'", member).group(1)))
    assert prices["30000"] == {"self_fen": 20000, "gov_fen": 10000, "subsidy_fen": 4500}    # 低保: 100 yuan paid
    capitals = json.loads(html_unescape(re.search(r"data-capitals='([^']*)'", form).group(1)))
    assert capitals["30000"] == "叁佰元整"    # the 300-yuan tier (200 for 低保) + medical (100 for 低保)
    assert re.search(r'<script src="/static/js/outbox/payform\.js\?v=\w+" defer></script>', html)
    # Without JavaScript the form still posts to the server's two steps.
    assert 'action="/households/' in form and 'method="post"' in form


def test_offline_fallback_page(world, coord):
    resp = coord.get("/offline")
    assert resp.status_code == 200 and "没有网络" in resp.get_data(as_text=True)


def test_pages_and_assets_go_out_compressed(world, coord):
    plain = coord.get("/").data
    br = coord.get("/", headers={"Accept-Encoding": "br"})
    assert br.headers["Content-Encoding"] == "br"
    assert len(br.data) < len(plain) / 2
    assert brotli.decompress(br.data).split(b'name="csrf-token"')[0] == plain.split(b'name="csrf-token"')[0]
    # Static files are streamed: Flask-Compress streams br/zstd/deflate (browsers all send br).
    css = coord.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert css.headers["Content-Encoding"] in ("br", "zstd")
    if css.headers["Content-Encoding"] == "br":
        assert brotli.decompress(css.data).startswith(b"/*")
    assert "Accept-Encoding" in css.headers["Vary"]
    api = coord.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(api.data))["openapi"].startswith("3.1")
