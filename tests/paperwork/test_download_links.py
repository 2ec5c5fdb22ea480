"""Every download link on a hand-over or a bureau batch page answers with a file.

Finding: "下载本批附件2/3" answered 422 "Not a valid choice." (the link named no format)."""
import html
import re

from webapp.services import bureau

LINK = re.compile(r'<a class="btn secondary" href="([^"]+)">([^<]+)</a>')


def links(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(h), label) for h, label in LINK.findall(page)]


def assert_all_download(client, page_url, expected):
    page = client.get(page_url).get_data(as_text=True)
    found = links(page)
    assert len(found) == expected, found
    for href, label in found:
        resp = client.get(href)
        assert resp.status_code == 200, (label, href, resp.status_code, resp.get_data(as_text=True)[:300])
        assert resp.mimetype in ("application/pdf",
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (label, href)
        assert resp.data[:4] in (b"%PDF", b"PK\x03\x04"), label


def test_every_download_on_the_handover_page(world, handed, login):
    client = login("tadmin1")
    assert_all_download(client, f"/paperwork/handovers/{handed['handover'].id}", 3)   # slip, 附件2, 附件3
    client = login("coord1")
    assert_all_download(client, f"/paperwork/handovers/{handed['handover'].id}", 1)   # the slip


def test_every_download_on_the_batch_page(world, handed, login):
    for kind in ("pension", "medical"):
        batch = bureau.create_batch(world.actor("tadmin1"), world.V1, kind)
        for user in ("tadmin1", "dadmin"):
            assert_all_download(login(user), f"/paperwork/bureau/{batch.id}", 1)


def test_an_old_link_without_a_format_still_gives_the_xlsx(world, handed, login):
    client = login("tadmin1")
    resp = client.get(f"/paperwork/exports?kind=pension&area={world.V1}&handover={handed['handover'].number}")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
