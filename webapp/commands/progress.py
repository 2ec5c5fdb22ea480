"""`flask recount-progress [--check]`: recount the progress counters (services/counters.py) from
the people, payments, receipts and voids themselves, and show where the stored ones differ."""
import click

COMMAND_LIMIT = 20   # differences printed one by one; the count is always printed


@click.command("recount-progress")
@click.option("--check", is_flag=True, help="只检查，不修改：列出与重新统计不一致的计数")
@click.option("--campaign", "campaign_year", type=int, default=None, help="只统计这一年度的征缴期")
def recount_progress_cmd(check, campaign_year):
    """Recount the dashboard's counters; with --check only report (exit 1 if any differ)."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import Campaign
    from ..services import counters
    from ..services.tx import unit_of_work

    campaign_id = None
    if campaign_year is not None:
        campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.year == campaign_year))
        if campaign_id is None:
            raise click.ClickException(f"没有 {campaign_year} 年度的征缴期")
    with unit_of_work():
        found = counters.differences(campaign_id)
        for table, key, stored, fresh in found[:COMMAND_LIMIT]:
            click.echo(f"{table}\t{key}\t计数 {stored}\t重新统计 {fresh}")
        if found and not check:
            counters.rebuild(campaign_id)
    if not found:
        click.echo("进度计数与重新统计一致")
    elif check:
        click.echo(f"{len(found)} 行不一致（未修改；不带 --check 运行以修复）")
        raise SystemExit(1)
    else:
        click.echo(f"{len(found)} 行不一致，已按重新统计修复")


commands = [recount_progress_cmd]
