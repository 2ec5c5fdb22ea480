"""Roster command: print a village's public roster (公示) to a PDF file."""
from pathlib import Path

import click

from .campaign import campaign_option, resolve_campaign


@click.command("roster-pdf")
@click.option("--area", "area_code", required=True, help="村/社区代码 (12 digits), e.g. 410411200001")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF ('-' for standard output).")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True)
@click.option("--version", "number", type=int, default=None,
              help="A published version number (default: the latest of the campaign).")
@click.option("--draft", is_flag=True, help="Print the live rows as an unpublished draft instead.")
@campaign_option
def roster_pdf(area_code, output, paper, number, draft, campaign_year):
    """Write the published roster of village AREA (or a draft of it) as a PDF for the notice board."""
    from flask import current_app

    from ..services import roster_pdf as service
    from ..services.errors import ServiceError
    from ..services.site import Site
    try:
        content, filename = service.roster_pdf_for_operator(Site.of(current_app), area_code, paper.upper(),
                                                            number=number, draft=draft,
                                                            campaign=resolve_campaign(campaign_year))
    except ServiceError as e:
        raise click.ClickException(e.message) from None
    if output == "-":
        click.get_binary_stream("stdout").write(content)
        return
    Path(output).write_bytes(content)
    click.echo(f"已写入 {output}（{filename}，{len(content) // 1024} KB）", err=True)


commands = [roster_pdf]
