"""The roster PDF for the notice board: what it says and what it never says, its pages, the cache,
the draft, A3, the parallel chunks, and the command line."""
import io
import subprocess
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.progress.conftest import pdf_pages, pdf_text
from webapp.printing import roster as roster_print
from webapp.services import roster
from webapp.timeutil import today_local


def publish(world, code=None, **kw):
    args = dict(posting_start=today_local(), posting_end=today_local() + timedelta(days=6),
                office_phone="0375-2612345") | kw
    return roster.publish_roster(world.actor("dadmin"), code or world.V1, **args)


def pdf_url(world, version, paper="A4", code=None):
    return f"/rosters/{code or world.V1}/{world.campaign.year}/v{version}.pdf?paper={paper}"


def synthetic(n, long_every=0):
    rows = []
    for i in range(n):
        name = "阿卜杜热合曼·买买提·艾力江" if long_every and i % long_every == 0 else "李小明"
        rows.append({"seq": i + 1, "name": name, "id_masked": f"410411********{i:04d}", "pension_fen": 20000,
                     "medical_fen": 25000, "total_fen": 45000, "paid_on": date(2026, 10, 12)})
    return {"rows": rows, "count": n, "pension_total": f"{200 * n}.00", "medical_total": f"{250 * n}.00",
            "total": f"{450 * n}.00", "total_capitals": "壹元整", "draft": False, "title": "测试公示",
            "campaign_name": "测试征缴", "coverage": "养老保险 2026 年度，医疗保险 2027 年度",
            "unit_name": "测试村村民委员会", "version": 3,
            "published_on": "2026年12月1日", "posting_start": "2026年12月1日", "posting_end": "2026年12月7日",
            "office_phone": "0375-2612345", "url": "http://lx.test/gongshi/410411200001/2026/v3"}


def test_roster_pdf_holds_masked_ids_and_totals_and_nothing_private(world, login, known, tmp_path):
    publish(world)
    resp = login("dadmin").get(pdf_url(world, 1))
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdf_text(resp.data, tmp_path)
    for p in (known.a, known.b, known.e):
        assert p.id_masked in text and p.name in text
        assert p.id_number not in text and p.id_number[6:14] not in text
    assert known.c.name not in text                         # unpaid: not on the roster
    assert "合计3人" in text and "1000.00" in text and "500.00" in text and "450.00" in text
    assert "壹仟元整" in text
    assert "13800138000" not in text and "测试街" not in text  # the payers' phone and address
    assert "低保" not in text and "代缴" not in text
    assert "公示期" in text and "0375-2612345" in text
    assert "（盖章）" in text                               # room for the seal and the date
    assert "第1页共1页" in text and "第1版" in text
    assert "湛河区曹镇乡曹镇村村民委员会" in text
    assert f"http://lx.test/gongshi/{world.V1}/{world.campaign.year}/v1" in text


def test_roster_pdf_of_a_subsidised_payer_shows_the_whole_amount(world, login, known, tmp_path):
    publish(world, world.V2)
    text = pdf_text(login("dadmin").get(pdf_url(world, 1, code=world.V2)).data, tmp_path)
    assert known.g.id_masked in text and "250.00" in text and "150.00" not in text and "100.00" not in text


def test_the_qr_code_opens_the_online_copy(client, world, login, known, tmp_path):
    publish(world)
    path = tmp_path / "r.pdf"
    path.write_bytes(login("dadmin").get(pdf_url(world, 1)).data)
    client.post("/logout")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout.strip()
    url = f"http://lx.test/gongshi/{world.V1}/{world.campaign.year}/v1"
    assert out == url
    page = client.get(url.removeprefix("http://lx.test"))                 # a resident, no account
    assert page.status_code == 200 and known.a.id_masked in page.get_data(as_text=True)


def test_many_pages_are_numbered_and_each_repeats_the_header(app, tmp_path, monkeypatch):
    monkeypatch.setattr(roster_print, "MIN_PAGES_PER_CHUNK", 2)     # two chunks in two processes
    data = synthetic(300, long_every=9)
    pages = roster_print.paginate(data["rows"])
    content = roster_print.render_pdf(data, "A4")
    texts = pdf_pages(content, tmp_path)
    n = len(pages)
    assert n >= 8 and len(texts) == n == len(PdfReader(io.BytesIO(content)).pages)
    for k, text in enumerate(texts, 1):
        assert f"第{k}页共{n}页" in text
        assert "序号" in text and "身份证号" in text and "缴费日期" in text   # the header row, on every page
        assert "测试公示" in text and "第3版" in text
        assert ("合计300人" in text) == (k == n)                 # totals once, at the end
    everything = "".join(texts)
    assert all(f"410411********{i:04d}" in everything for i in range(300))
    assert everything.count("力江") == len(range(0, 300, 9))     # each long name's second line


def test_a_page_that_would_overflow_is_never_printed_with_wrong_numbers(app, monkeypatch):
    monkeypatch.setattr(roster_print, "LINES_PER_PAGE", 60)
    with pytest.raises(RuntimeError, match="overflow"):
        roster_print.render_pdf(synthetic(120), "A4")


def test_closing_block_gets_its_own_page_when_the_last_page_is_full(app, tmp_path):
    data = synthetic(roster_print.LINES_PER_PAGE)
    texts = pdf_pages(roster_print.render_pdf(data, "A4"), tmp_path)
    assert len(texts) == 2 and "合计38人" not in texts[0] and "合计38人" in texts[1] and "公示期：" in texts[1]


def test_a3_is_the_same_layout_scaled_for_the_notice_board(world, login, known, tmp_path):
    publish(world)
    client = login("dadmin")
    a3 = PdfReader(io.BytesIO(client.get(pdf_url(world, 1, "A3")).data)).pages[0].mediabox
    a4 = PdfReader(io.BytesIO(client.get(pdf_url(world, 1, "A4")).data)).pages[0].mediabox
    assert (round(float(a4.width) / 72 * 25.4), round(float(a4.height) / 72 * 25.4)) == (210, 297)
    assert (round(float(a3.width) / 72 * 25.4), round(float(a3.height) / 72 * 25.4)) == (297, 420)
    assert client.get(pdf_url(world, 1, "A5")).status_code == 404


def test_an_unchanged_roster_is_served_from_the_cache(world, login, known, monkeypatch):
    publish(world)
    client = login("dadmin")
    first = client.get(pdf_url(world, 1)).data

    def no_render(*a, **k):
        raise AssertionError("rendered again")
    monkeypatch.setattr(roster_print, "render_pdf", no_render)
    assert client.get(pdf_url(world, 1)).data == first
    assert login("coord1").get(pdf_url(world, 1)).data == first     # coordinators print it too
    with pytest.raises(AssertionError):
        client.get(pdf_url(world, 1, "A3"))


def test_pdf_of_a_version_outside_scope_or_unpublished_is_404(world, login, known):
    publish(world)
    assert login("coord2").get(pdf_url(world, 1)).status_code == 404
    assert login("tadmin2").get(pdf_url(world, 1)).status_code == 404
    assert login("dadmin").get(pdf_url(world, 2)).status_code == 404
    assert login("dadmin").get(pdf_url(world, 1, code=world.V2)).status_code == 404


def test_draft_pdf_says_it_is_a_draft(world, login, known, tmp_path):
    resp = login("tadmin1").get(f"/rosters/{world.V1}/draft.pdf")
    text = pdf_text(resp.data, tmp_path)
    assert resp.status_code == 200 and "草稿" in text and "不得张贴" in text and known.a.id_masked in text
    assert "gongshi" not in text
    empty = pdf_text(login("dadmin").get(f"/rosters/{world.V3}/draft.pdf").data, tmp_path)
    assert "本期无缴费记录" in empty and "合计0人" in empty
    assert login("coord1").get(f"/rosters/{world.V1}/draft.pdf").status_code == 403
    assert login("tadmin1").get(f"/rosters/{world.V3}/draft.pdf").status_code == 404


def test_cli_writes_the_published_roster(world, known, runner, tmp_path):
    out = tmp_path / "roster.pdf"
    result = runner.invoke(args=["roster-pdf", "--area", world.V1, "-o", str(out)])
    assert result.exit_code != 0 and "还没有发布" in result.output and "--draft" in result.output
    publish(world)
    result = runner.invoke(args=["roster-pdf", "--area", world.V1, "-o", str(out), "--paper", "a3"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(out))
    assert round(float(reader.pages[0].mediabox.height) / 72 * 25.4) == 420
    assert known.a.id_masked in reader.pages[0].extract_text()
    draft = runner.invoke(args=["roster-pdf", "--area", world.V2, "-o", str(tmp_path / "d.pdf"), "--draft"])
    assert draft.exit_code == 0 and (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")
    assert runner.invoke(args=["roster-pdf", "--area", "410411999999", "-o", str(out)]).exit_code != 0
    assert runner.invoke(args=["roster-pdf", "--area", world.V1, "-o", str(out), "--version", "5"]).exit_code != 0
