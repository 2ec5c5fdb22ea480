"""`flask receipt-pdf` and `flask doctor`, and the engine check at start-up."""
import logging

from tests.conftest import make_test_config
from tests.receipts.conftest import page_size_mm, pdf_text
from webapp import create_app
from webapp.printing import engine as pdf
from webapp.rules import signing


def test_receipt_pdf_by_number_writes_the_file_and_prints_the_url(app, runner, receipt, tmp_path):
    out = tmp_path / "r.pdf"
    result = runner.invoke(args=["receipt-pdf", receipt.number, "-o", str(out)])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[-1]
    assert signing.verify_url(url, app.config["PUBLIC_BASE_URL"], app.config["RECEIPT_KEYS"]) == receipt.number
    assert round(page_size_mm(out.read_bytes())[0]) == 58  # 58 mm is the default
    assert receipt.number in pdf_text(out.read_bytes())


def test_latest_and_format(app, runner, world, receipt, tmp_path):
    newer = world.pay("coord2", (world.person(world.V2, name="赵六"), "medical"))
    out = tmp_path / "latest.pdf"
    result = runner.invoke(args=["receipt-pdf", "--latest", "-o", str(out), "--format", "a4"])
    assert result.exit_code == 0, result.output
    assert f"/v/{newer.number}/" in result.stdout
    assert tuple(map(round, page_size_mm(out.read_bytes()))) == (210, 297)
    assert "赵六" in pdf_text(out.read_bytes())


def test_receipt_pdf_errors(runner, receipt, tmp_path):
    out = str(tmp_path / "x.pdf")
    missing = runner.invoke(args=["receipt-pdf", "2018-000000-00000", "-o", out])
    assert missing.exit_code == 1 and "没有收据 2018-000000-00000" in missing.output
    neither = runner.invoke(args=["receipt-pdf", "-o", out])
    assert neither.exit_code == 2 and "--latest" in neither.output
    both = runner.invoke(args=["receipt-pdf", receipt.number, "--latest", "-o", out])
    assert both.exit_code == 2
    bad_format = runner.invoke(args=["receipt-pdf", receipt.number, "-o", out, "--format", "a3"])
    assert bad_format.exit_code == 2


def test_doctor_passes_on_this_machine(runner):
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "✓ 中文字体" in result.output and "✓ HarfBuzz" in result.output
    assert "✓ 测试收据" in result.output and "✓ 收据二维码 版本 4" in result.output


def test_doctor_says_what_to_install(runner, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_present", lambda: False)
    monkeypatch.setattr(pdf, "harfbuzz_subset_present", lambda: False)
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "✗ 找不到中文字体（Noto Sans CJK）。请安装：apt-get install fonts-noto-cjk" in result.output
    assert "apt-get install libharfbuzz-subset0" in result.output


def test_doctor_refuses_a_base_url_too_long_for_a_small_qr_code(app, runner):
    app.config["PUBLIC_BASE_URL"] = "https://" + "very-long-subdomain." * 4 + "example.gov.cn"
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1 and "太长" in result.output


def test_startup_logs_what_pdfs_lack_without_failing(database_url, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pdf, "cjk_font_present", lambda: False)
    with caplog.at_level(logging.WARNING):
        app = create_app(make_test_config(database_url, tmp_path, CHECK_PDF_ENGINE_AT_STARTUP=True))
    assert app is not None
    assert "apt-get install fonts-noto-cjk" in caplog.text


def test_startup_is_quiet_when_everything_is_there(database_url, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        create_app(make_test_config(database_url, tmp_path, CHECK_PDF_ENGINE_AT_STARTUP=True))
    assert "PDF" not in caplog.text
