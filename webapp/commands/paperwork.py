"""Lists in and forms out from the command line: import-plan, import-gov, export-annex.
They call the same services as the pages, acting as the system (audited as such)."""
import sys
from datetime import date
from pathlib import Path

import click

from ..rules.categories import GOV_GROUPS
from .campaign import campaign_option, resolve_campaign

PHASES = ("读取文件", "检查", "写入")


def _progress_bar():
    """A click progress bar per phase, fed by the services' progress callback."""
    state = {"phase": None, "bar": None, "done": 0}

    def update(phase, done, total):
        if phase != state["phase"]:
            if state["bar"] is not None:
                state["bar"].render_finish()
            state.update(phase=phase, done=0, bar=click.progressbar(length=max(total, 1), label=f"{phase:6}",
                                                                  file=sys.stderr))
            state["bar"].render_progress()
        bar = state["bar"]
        bar.update(max(done - state["done"], 0))
        state["done"] = done

    def finish():
        if state["bar"] is not None:
            state["bar"].render_finish()
    return update, finish


def _report_problems(e):
    from ..services.imports import ListRejected
    click.echo(e.message, err=True)
    if isinstance(e, ListRejected):
        for row, message in e.problems[:200]:
            click.echo(f"  第 {row} 行：{message}", err=True)
        if len(e.problems) > 200:
            click.echo(f"  ……共 {len(e.problems)} 处问题", err=True)


def _limits():
    """The same UPLOAD_MAX_* limits as the web pages: a file the site refuses is refused here too."""
    from flask import current_app

    from ..rules.spreadsheet import UploadLimits
    return UploadLimits.from_config(current_app.config)


@click.command("import-plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--village", "village_code", default=None, help="Import into this village (12-digit code).")
@click.option("--skip-existing", is_flag=True, help="Skip people already registered in the same village.")
@click.option("--check-only", is_flag=True, help="Check and list the problems; import nothing.")
def import_plan(file, village_code, skip_existing, check_only):
    """Import a plan list (征缴计划清单, .xlsx or .csv): every row is checked; all rows or none."""
    from ..services import imports
    from ..services.actor import SYSTEM
    from ..services.errors import ServiceError
    update, finish = _progress_bar()
    data = file.read_bytes()
    try:
        if check_only:
            job = imports.preview_plan(SYSTEM, file.name, data, village_code=village_code,
                                       skip_existing=skip_existing, progress=update, limits=_limits())
            finish()
            for row, message in job.problems:
                click.echo(f"  第 {row} 行：{message}", err=True)
            for message, count, _rows in job.notes:
                click.echo(f"  提示：{message}（{count} 人）", err=True)
            click.echo(f"共 {job.total_rows} 行，有问题 {job.error_count} 行，可导入 {job.summary.get('people', 0)} 人")
            if job.error_count:
                raise SystemExit(1)
            return
        job = imports.import_plan(SYSTEM, file.name, data, village_code=village_code, skip_existing=skip_existing,
                                  progress=update, limits=_limits())
    except ServiceError as e:
        finish()
        _report_problems(e)
        raise SystemExit(1) from None
    finish()
    s = job.summary
    click.echo(f"已导入 {job.imported_count} 人，新建 {s.get('new_households', 0)} 户"
               + (f"，跳过已登记 {s['skipped']} 人" if s.get("skipped") else ""))


@click.command("import-gov")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--group", type=click.Choice(list(GOV_GROUPS)), required=True,
              help="低保 (dibao), 特困/五保 (tekun) or 重度残疾 (disabled).")
@click.option("--replace", is_flag=True, help="People not on the list lose the mark.")
def import_gov(file, group, replace):
    """Import a civil-affairs list of government-paid people (名单须已登记)."""
    from ..services import imports
    from ..services.actor import SYSTEM
    from ..services.errors import ServiceError
    update, finish = _progress_bar()
    try:
        job = imports.import_gov(SYSTEM, file.name, file.read_bytes(), group=group, replace=replace, progress=update,
                                 limits=_limits())
    except ServiceError as e:
        finish()
        _report_problems(e)
        raise SystemExit(1) from None
    finish()
    s = job.summary
    click.echo(f"已标记 {s['set']} 人（原已标记 {s['already']} 人），取消 {s['unset']} 人")


@click.command("export-annex")
@click.option("--kind", type=click.Choice(["staff", "pension", "medical"]), required=True,
              help="staff = 附件1, pension = 附件2, medical = 附件3.")
@click.option("--area", "area_code", required=True, help="Township (附件1) or village/township/district code.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write; .csv writes CSV, anything else .xlsx.")
@click.option("--from", "day_from", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Paid on or after.")
@click.option("--to", "day_to", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Paid on or before.")
@click.option("--handover", "handover_number", default=None, help="Only the receipts of this hand-over batch.")
@campaign_option
def export_annex(kind, area_code, output, day_from, day_to, handover_number, campaign_year):
    """Write 附件1/2/3 exactly as the plan's annexes (ID numbers as text, formulas neutralised)."""
    from ..services import exports
    from ..services.actor import SYSTEM
    from ..services.errors import ServiceError
    fmt = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    flt = exports.ExportFilter(day_from=_day(day_from), day_to=_day(day_to), handover_number=handover_number)
    try:
        out = exports.export_annex(SYSTEM, kind, area_code, fmt=fmt, flt=flt,
                                   campaign=resolve_campaign(campaign_year))
    except ServiceError as e:
        raise click.ClickException(e.message) from None
    output.write_bytes(out.data)
    click.echo(f"已写入 {output}（{out.rows} 行）")


def _day(value) -> date | None:
    return value.date() if value else None


commands = [import_plan, import_gov, export_annex]
