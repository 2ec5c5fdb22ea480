"""The printing layer draws every document from plain values alone: no app, no request, no
database. Each document here is rendered outside any Flask app context from dicts typed out by
hand, and read back from the PDF."""
import io
from datetime import date

import flask
import pytest
from pypdf import PdfReader

from webapp.printing import receipt, report, roster, slip
from webapp.printing.data import ReceiptData
from webapp.rules import svgchart


@pytest.fixture(autouse=True)
def no_app():
    assert not flask.has_app_context()   # what is drawn here cannot come from the app


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "".join("".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages)


RECEIPT: ReceiptData = {
    "number": "2018-200001-00042", "campaign": "2018年城乡居民基本养老保险、基本医疗保险集中征缴",
    "coverage": "养老保险 2018 年度，医疗保险 2019 年度",
    "unit": "平顶山市湛河区曹镇乡大营村村民委员会", "payer": "欧阳娜娜",
    "lines": [{"name": "欧阳娜娜", "id_masked": "410411********1234", "kind": "养老",
               "kind_full": "城乡居民基本养老保险", "coverage": "2018 年度",
               "tier": "300 元档", "subsidy": "政府补贴 45 元，计入个人账户", "self": "¥300.00", "gov": "—"},
              {"name": "张秀英", "id_masked": "410411********567X", "kind": "医疗",
               "kind_full": "城乡居民基本医疗保险", "coverage": "2019 年度",
               "tier": "", "subsidy": "", "self": "¥100.00", "gov": "¥150.00"}],
    "total": "¥400.00", "capitals": "肆佰元整", "gov_total": "¥150.00", "method": "现金",
    "issued_at": "2018-10-12 10:32", "coordinator": "王建国", "replaces": "", "voided": False,
    "voided_at": "", "void_reason": "", "verify_url": "https://lx.example/v/2018-200001-00042/abc",
}


@pytest.mark.parametrize("fmt", list(receipt.FORMATS))
def test_a_receipt_from_its_plain_data(fmt):
    text = text_of(receipt.render_pdf(RECEIPT, fmt, use_cache=False))
    for expected in ("2018-200001-00042", "欧阳娜娜", "410411********567X", "300元档", "¥400.00", "肆佰元整",
                     "王建国", "大营村村民委员会"):
        assert expected in text, (fmt, expected)


def test_an_unknown_receipt_format_is_refused():
    with pytest.raises(KeyError):
        receipt.render_pdf(RECEIPT, "a3")


def test_a_hand_over_slip_from_its_plain_data():
    s = {"number": "SJ-2018-200001-0003", "unit": "大营村村民委员会", "village": "大营村", "township": "曹镇乡",
         "coordinator": "王建国", "coordinator_phone": "13800138000", "created_at": "2018-11-01 09:00",
         "bank_slip_no": "YH20181101-01", "note": "", "count": 1, "total": "¥400.00", "capitals": "肆佰元整",
         "receipts": [{"number": "2018-200001-00042", "payer": "欧阳娜娜", "method": "现金", "amount": "¥400.00",
                       "at": "10-12 10:32"}],
         "confirmation": None}
    text = text_of(slip.render_pdf(s))
    assert "上解单" in text and "SJ-2018-200001-0003" in text and "YH20181101-01" in text and "肆佰元整" in text


def test_a_progress_report_from_its_plain_data():
    village = {"code": "410411200001", "name": "大营村", "parent_name": "曹镇乡", "rank": 1, "expected_pension": 10,
               "expected_medical": 20, "covered_pension": 5, "covered_medical": 15, "paid_pension": 5,
               "paid_medical": 15, "pension_fen": 100000, "medical_fen": 375000, "gov_fen": 0, "total_fen": 475000,
               "new_enrollees": 2, "voids": 1, "rate": 20 / 30, "pension_rate": 0.5, "medical_rate": 0.75}
    r = {"area_name": "曹镇乡", "district_view": False, "campaign_name": "2018年集中征缴",
         "coverage": "养老保险 2018 年度，医疗保险 2019 年度",
         "day": "2018年11月1日", "total": village, "on_day": (3, 75000), "townships": [], "villages": [village]}
    charts = {"daily": svgchart.bar_chart([("11/1", 75000)], label="每日收款（元）", font_family=report.CHART_FONT),
              "cumulative": svgchart.line_chart([("11/1", 3)], label="累计缴费人次", font_family=report.CHART_FONT),
              "ranking": svgchart.hbar_chart([("大营村", 20 / 30)], label="覆盖率排名", font_family=report.CHART_FONT)}
    text = text_of(report.render_pdf(r, charts, printed_at="2018-11-02 08:00"))
    assert "曹镇乡城乡居民两险征缴进度通报" in text and "大营村" in text and "66.7%" in text and "4750.00" in text


def test_a_roster_from_its_plain_data():
    rows = [{"seq": 1, "name": "李小明", "id_masked": "410411********0001", "pension_fen": 20000, "medical_fen": 25000,
             "total_fen": 45000, "paid_on": date(2026, 10, 12)}]
    d = {"rows": rows, "count": 1, "pension_total": "200.00", "medical_total": "250.00", "total": "450.00",
         "total_capitals": "肆佰伍拾元整", "draft": False, "title": "测试公示", "campaign_name": "测试征缴",
         "coverage": "养老保险 2026 年度，医疗保险 2027 年度",
         "unit_name": "测试村村民委员会", "version": 3, "published_on": "2026年12月1日",
         "posting_start": "2026年12月1日", "posting_end": "2026年12月7日", "office_phone": "0375-2612345",
         "url": "http://lx.test/gongshi/410411200001/2026/v3"}
    text = text_of(roster.render_pdf(d, "A4"))
    assert "410411********0001" in text and "合计1人" in text and "肆佰伍拾元整" in text and "第1页共1页" in text
