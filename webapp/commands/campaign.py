"""Campaign commands: campaign-new (next year's campaign from the newest one), campaign-close,
campaign-list; and the --campaign YEAR option the paper commands share."""
from datetime import datetime, timedelta

import click

campaign_option = click.option(
    "--campaign", "campaign_year", type=int, default=None,
    help="征缴年度 YEAR (default: the collecting campaign, else the newest in its summary, else the newest).")


def resolve_campaign(year: int | None):
    """The Campaign of --campaign YEAR (None: the default one); an unknown year is a usage error."""
    from ..services import campaigns
    if year is None:
        return None
    c = campaigns.campaign_of_year(year)
    if c is None:
        raise click.ClickException(f"没有 {year} 年度的征缴期")
    return c


def _date(value: datetime | None):
    return value.date() if value else None


@click.command("campaign-new")
@click.argument("year", type=int)
@click.option("--collect-from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="集中征收开始 (default: the newest campaign's, a year later).")
@click.option("--collect-to", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="集中征收结束 (default: the newest campaign's, a year later).")
def campaign_new(year, collect_from, collect_to):
    """Create the campaign of YEAR from the newest one: every setting copied, dates a year later
    (the plan's defaults when there is none); refused when its collection overlaps another's."""
    from ..services import campaigns
    from ..services.actor import SYSTEM
    from ..services.errors import ServiceError, ValidationFailed
    newest = next(iter(campaigns.all_campaigns()), None)
    if newest is not None and year != newest.year + 1:
        data = campaigns.default_input(year)
        copied = campaigns.next_year_input(newest)
        for f in ["tiers_text", "medical_yuan", "gov_rules", "pension_min_age", "pension_max_age"]:
            setattr(data, f, getattr(copied, f))
    else:
        data = campaigns.next_year_input(newest) if newest else campaigns.default_input(year)
    if collect_from:
        data.collection_start = _date(collect_from)
        data.mobilisation_start = min(data.mobilisation_start, data.collection_start)
        data.mobilisation_end = min(data.mobilisation_end, data.collection_start)
    if collect_to:
        data.collection_end = _date(collect_to)
    if data.summary_start <= data.collection_end:
        span = data.summary_end - data.summary_start
        data.summary_start = data.collection_end + timedelta(days=1)
        data.summary_end = data.summary_start + span
    try:
        c = campaigns.create_campaign(SYSTEM, data)
    except ValidationFailed as e:
        raise click.ClickException("；".join(e.errors.values())) from None
    except ServiceError as e:
        raise click.ClickException(e.message) from None
    click.echo(f"已新建 {c.year} 年度征缴期：集中征收 {c.collection_start} 至 {c.collection_end}"
               f"{'（参数复制自 ' + str(newest.year) + ' 年度）' if newest else ''}")


@click.command("campaign-close")
@click.argument("year", type=int)
def campaign_close(year):
    """结束 the campaign of YEAR (after its collection): it stays readable, nothing in it changes."""
    from ..services import campaigns
    from ..services.actor import SYSTEM
    from ..services.errors import ServiceError
    c = resolve_campaign(year)
    try:
        campaigns.close_campaign(SYSTEM, c.id)
    except ServiceError as e:
        raise click.ClickException(e.message) from None
    click.echo(f"{year} 年度征缴期已结束")


@click.command("campaign-list")
def campaign_list():
    """Every campaign, newest first, with its state (准备 / 征收中 / 总结 / 已结束)."""
    from ..services import campaigns
    for c in campaigns.all_campaigns():
        click.echo(f"{c.year}\t{campaigns.state_of(c)}\t集中征收 {c.collection_start} 至 {c.window_end}\t{c.name}")


commands = [campaign_new, campaign_close, campaign_list]
