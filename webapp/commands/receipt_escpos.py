"""`flask receipt-escpos`: a receipt as an ESC/POS print job, for a printer on a serial port,
USB or a Bluetooth RFCOMM device (cat FILE > /dev/rfcomm0), or to look at the bytes."""
from pathlib import Path

import click
from flask import current_app

WIDTHS = ("58", "80")


@click.command("receipt-escpos")
@click.argument("number", required=False)
@click.option("--latest", is_flag=True, help="The newest receipt instead of NUMBER.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the bytes.")
@click.option("--width", type=click.Choice(WIDTHS), default="58", show_default=True,
              help="Paper width in mm: 58 (384 dots) or 80 (576 dots).")
def receipt_escpos_cmd(number, latest, output, width):
    """Write receipt NUMBER (or --latest) as ESC/POS bytes; print its verification URL."""
    from ..printing.raster import FontMissing
    from ..services.errors import NotFound
    from ..services.receipt_escpos import receipt_escpos_for_operator
    from ..services.site import Site

    if bool(number) == latest:
        raise click.UsageError("请给出收据号 NUMBER，或用 --latest（二者选一）")
    try:
        result = receipt_escpos_for_operator(Site.of(current_app), None if latest else number, f"{width}mm")
    except NotFound as e:
        raise click.ClickException(e.message) from None
    except FontMissing as e:
        raise click.ClickException(str(e)) from None
    output.write_bytes(result.content)
    click.echo(f"{result.number} → {output}（{width}mm ESC/POS，{len(result.content) // 1024} KB）", err=True)
    click.echo(result.verify_url)


commands = [receipt_escpos_cmd]
