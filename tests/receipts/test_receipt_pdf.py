"""The receipt PDF: what it says (read back from the PDF), its fonts, its size and shape, and its
QR code, which a phone can scan off the printed 58 mm page to reach the verification page."""
import pytest

from tests.receipts.conftest import decode_qr, page_size_mm, path_of, pdf_fonts, pdf_text
from webapp.printing import engine as pdf
from webapp.printing import receipt as receipt_print
from webapp.rules import signing
from webapp.services import payments, receipt_pdf
from webapp.services.site import Site
from webapp.timeutil import to_local


def render(world, receipt, fmt="58mm", user="coord1"):
    from flask import current_app
    return receipt_pdf.receipt_pdf(world.actor(user), Site.of(current_app), receipt.number, fmt).content


@pytest.mark.parametrize("fmt", list(receipt_pdf.FORMATS))
def test_pdf_text_has_the_chinese_text_and_amounts(world, receipt, household, fmt):
    head = household[0]
    text = pdf_text(render(world, receipt, fmt))
    flat = "".join(text.split())
    for expected in ["城乡居民社会保险费收据", receipt.number, "湛河区曹镇乡曹镇村村民委员会", "交款人",
                     "张秀英", "李建国", "欧阳娜娜", head.id_masked, "城乡居民基本养老保险", "城乡居民基本医疗保险",
                     "300元档", "¥300.00", "¥250.00", "¥100.00", "¥150.00", "¥900.00", "玖佰元整", "现金",
                     "coord1姓名", "完税凭证", to_local(receipt.created_at).strftime("%Y-%m-%d%H:%M"),
                     f"{world.campaign.coverage_year}年度"]:
        assert expected in flat, (fmt, expected, text)
    assert head.id_number not in flat  # only the masked ID is printed


def test_pdf_embeds_only_small_subsets_of_the_cjk_font(world, receipt):
    content = render(world, receipt)
    assert len(content) <= 60 * 1024
    fonts = pdf_fonts(content)
    assert fonts and all("+LX-Doc-CJK" in f for f in fonts), fonts  # subset of our font, no fallback
    assert pdf.uncovered_characters("城乡居民社会保险费收据张秀英欧阳娜娜壹贰叁肆伍陆柒捌玖拾佰仟元整") == ""


def test_roll_pages_end_with_the_receipt_and_office_formats_are_paper_sized(world, receipt):
    w58, h58 = page_size_mm(render(world, receipt, "58mm"))
    assert round(w58) == 58 and 80 < h58 < 300
    w80, h80 = page_size_mm(render(world, receipt, "80mm"))
    assert round(w80) == 80 and 80 < h80 < 300  # laid out on 1500 mm, cut where the receipt ends
    assert tuple(map(round, page_size_mm(render(world, receipt, "a4")))) == (210, 297)
    assert tuple(map(round, page_size_mm(render(world, receipt, "a5")))) == (148, 210)


def test_qr_code_scanned_off_the_58mm_page_opens_a_valid_receipt(world, receipt, client, tmp_path):
    url = decode_qr(render(world, receipt, "58mm"), tmp_path)
    assert url.startswith("http://lx.test/v/") and signing.verify_url(
        url, "http://lx.test", world_keys(client)) == receipt.number
    page = client.get(path_of(url))
    assert page.status_code == 200
    assert "真实有效" in page.get_data(as_text=True)

    void = payments.void_receipt(world.actor("coord1"), receipt.number, "档次选错").void
    voided_pdf = render(world, receipt, "58mm")
    assert decode_qr(voided_pdf, tmp_path) == url  # the same code, now answering 已作废
    body = client.get(path_of(url)).get_data(as_text=True)
    assert "已作废" in body and "真实有效" not in body
    assert to_local(void.voided_at).strftime("%Y年%m月%d日") in body
    text = "".join(pdf_text(voided_pdf).split())
    assert "已作废" in text and "档次选错" in text


def world_keys(client):
    return client.application.config["RECEIPT_KEYS"]


def test_a_pdf_is_rendered_again_when_the_receipt_changes(world, receipt):
    first = render(world, receipt)
    assert render(world, receipt) is first  # same content: from the cache
    payments.void_receipt(world.actor("coord1"), receipt.number, "重复收费")
    assert render(world, receipt) != first


def test_render_pdf_refuses_to_read_files(app):
    image = ('data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABAQAAAAA3bvkkAAAACklEQVR4nGNgAAAAAgAB'
             '4iG8MwAAAABJRU5ErkJggg==')
    assert b"/Image" in pdf.render_pdf(f'<p>图</p><img src="{image}">')
    assert b"/Image" not in pdf.render_pdf('<p>图</p><img src="file:///usr/share/pixmaps/debian-logo.png">')
    assert b"/Image" not in pdf.render_pdf('<p>图</p><img src="http://127.0.0.1:9/x.png">')


def test_family_named_in_a_style_attribute_is_served_from_the_subset(app):
    content = pdf.render_pdf("""<p style="font-family: 'Noto Sans CJK SC'">收据 No. 1</p>""")
    assert "收据" in pdf_text(content)
    assert all("+LX-Doc-CJK" in f for f in pdf_fonts(content))


def test_without_a_cjk_font_the_pdf_is_refused_with_what_to_install(world, receipt, login, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_present", lambda: False)
    pdf.engine_problems.cache_clear()
    with pytest.raises(pdf.PdfEngineMissing, match="fonts-noto-cjk"):
        receipt_print.render_pdf({"verify_url": "http://lx.test/v/x/y"}, "58mm", use_cache=False)
    resp = login("coord1").get(f"/receipts/{receipt.number}/pdf/58mm")
    assert resp.status_code == 503
    assert "apt-get install fonts-noto-cjk" in resp.get_data(as_text=True)


def test_a_character_no_font_can_draw_is_refused_not_printed_as_a_box(app, monkeypatch):
    assert pdf.uncovered_characters("交款人：张𪚥") == "𪚥"  # outside Noto Sans CJK SC
    monkeypatch.setattr(pdf, "_some_font_has", lambda char: False)
    with pytest.raises(pdf.PdfEngineMissing, match="「𪚥」.*apt-get install fonts-hanazono"):
        pdf.render_pdf("<p>交款人：张𪚥</p>")
    monkeypatch.setattr(pdf, "_some_font_has", lambda char: True)  # e.g. fonts-hanazono installed
    assert pdf.render_pdf("<p>交款人：张𪚥</p>").startswith(b"%PDF")


def test_without_harfbuzz_subset_pdfs_still_render(world, receipt, monkeypatch):
    monkeypatch.setattr(pdf, "harfbuzz_subset_present", lambda: False)
    pdf.engine_problems.cache_clear()
    assert pdf.engine_problems() == (pdf.SUBSET_MISSING,)
    pdf.require_engine()  # slow, not wrong: no refusal
