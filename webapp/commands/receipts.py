"""Receipt PDFs from the command line, and `doctor`, the check of what PDFs need and of the
stored people's ID numbers and phones."""
import sys
import time
from pathlib import Path

import click
from flask import current_app

from ..services.receipt_pdf import DEFAULT_FORMAT, FORMATS
from .campaign import campaign_option, resolve_campaign


@click.command("receipt-pdf")
@click.argument("number", required=False)
@click.option("--latest", is_flag=True, help="The newest receipt instead of NUMBER.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=DEFAULT_FORMAT, show_default=True)
@campaign_option
def receipt_pdf_cmd(number, latest, output, fmt, campaign_year):
    """Write receipt NUMBER (or --latest) as a PDF; print its verification URL."""
    from ..printing.engine import PdfEngineMissing
    from ..services.errors import NotFound
    from ..services.receipt_pdf import receipt_pdf_for_operator
    from ..services.site import Site

    if bool(number) == latest:
        raise click.UsageError("请给出收据号 NUMBER，或用 --latest（二者选一）")
    try:
        result = receipt_pdf_for_operator(Site.of(current_app), None if latest else number, fmt,
                                          campaign=resolve_campaign(campaign_year))
    except NotFound as e:
        raise click.ClickException(e.message) from None
    except PdfEngineMissing as e:
        raise click.ClickException(str(e)) from None
    output.write_bytes(result.content)
    click.echo(f"{result.number} → {output}（{fmt}，{len(result.content) // 1024} KB）", err=True)
    click.echo(result.verify_url)


def _sample_receipt() -> dict:
    """A receipt as the print template sees it, with characters a real one has (and the URL
    this server would put in the QR code)."""
    from ..services.receipt_pdf import verification_url
    from ..services.site import Site
    return {
        "number": "2018-200001-00001", "campaign": "2018年城乡居民基本养老保险、基本医疗保险集中征缴",
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
        "voided_at": "", "void_reason": "", "verify_url": verification_url(Site.of(current_app), "2018-200001-00001"),
    }


@click.command("doctor")
@click.option("--skip-pdf", is_flag=True, help="Only check the stored people, not the PDF engine.")
@click.option("--fix-spellings", is_flag=True,
              help="Rewrite ID numbers and phones stored in another spelling (not duplicates), audited.")
def doctor(skip_pdf, fix_spellings):
    """Check what receipt PDFs need (a CJK font, HarfBuzz subsetting, Pango, a short QR URL) and
    that every stored ID number and phone is in its plain spelling with no duplicates.

    Says exactly what to install or fix when something is wrong; exits with 1 then."""
    from .identity_check import check_people

    ok = True

    def report(good: bool, text: str):
        nonlocal ok
        ok = ok and good
        click.echo(f"{'✓' if good else '✗'} {text}")

    if fix_spellings:
        from ..services.actor import SYSTEM
        from ..services.integrity import normalise_spellings
        done = normalise_spellings(SYSTEM)
        click.echo(f"已改为标准写法：身份证号 {done['ids']} 个，手机号 {done['phones']} 个")
    if not skip_pdf:
        _check_pdf(report)
    check_people(report)
    if not ok:
        click.echo("有问题需要处理，见上面的 ✗。", err=True)
        sys.exit(1)
    click.echo("检查通过。" if skip_pdf else "收据 PDF 所需组件齐全，人员数据检查通过。")


def _check_pdf(report):
    from ..printing import engine as pdf
    from ..printing.qr import qr_version
    from ..printing.receipt import receipt_html
    from ..printing.receipt import render_pdf as render_receipt_pdf

    pdf.engine_problems.cache_clear()

    report(pdf.cjk_font_present(), "中文字体 Noto Sans CJK" if pdf.cjk_font_present() else pdf.FONT_MISSING)
    report(pdf.harfbuzz_subset_present(),
           "HarfBuzz 字体子集库（libharfbuzz-subset0）" if pdf.harfbuzz_subset_present() else pdf.SUBSET_MISSING)
    report(pdf.pango_present(), "Pango 排版库" if pdf.pango_present() else pdf.PANGO_MISSING)

    sample = _sample_receipt()
    version = qr_version(sample["verify_url"])
    report(version <= 6, f"收据二维码 版本 {version}（≤ 6 才便于从热敏纸上扫描）" if version <= 6 else
           f"PUBLIC_BASE_URL（{current_app.config['PUBLIC_BASE_URL']}）太长：二维码需要版本 {version}，"
           "请改用更短的地址，使版本不超过 6")
    if "127.0.0.1" in current_app.config["PUBLIC_BASE_URL"] or "localhost" in current_app.config["PUBLIC_BASE_URL"]:
        click.echo(f"! PUBLIC_BASE_URL 为 {current_app.config['PUBLIC_BASE_URL']}：缴费人的手机打不开，"
                   "正式使用前请设为公网地址")

    if not pdf.engine_problems():
        missing = pdf.uncovered_characters(receipt_html(sample, DEFAULT_FORMAT))
        report(not missing, "字体包含收据上的所有汉字" if not missing else f"字体缺少这些字：{missing}")
        try:
            times = []
            for _ in range(2):  # the first includes loading the engine and the fonts
                start = time.perf_counter()
                content = render_receipt_pdf(sample, DEFAULT_FORMAT, use_cache=False)
                times.append((time.perf_counter() - start) * 1000)
        except Exception as e:  # noqa: BLE001 - the doctor reports any failure to render
            report(False, f"生成测试收据失败：{e}")
        else:
            report(content.startswith(b"%PDF"), f"测试收据 {len(content) // 1024} KB，"
                   f"首次 {times[0]:.0f} ms（含加载），之后 {times[1]:.0f} ms")


commands = [receipt_pdf_cmd, doctor]
