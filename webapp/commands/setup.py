"""Set-up commands: demo data, the first district and accounts, key rotation."""
import sys

import click
from flask import current_app

from ..rules import roles


@click.command("seed-demo")
@click.option("--password", default=None, help="Give every demo account this password.")
@click.option("--people", "n_people", default=2000, show_default=True, help="How many residents.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def seed_demo(password, n_people, if_empty):
    """Build the Zhanhe District demo: areas, a campaign open today, residents, accounts.

    Prints one line per account: role, username, password, area code (tab-separated)."""
    from ..services import demo
    from ..services.accounts import password_problem
    from ..services.errors import ServiceError

    if not demo.database_is_empty():
        if if_empty:
            click.echo("数据库已有数据，跳过演示数据。", err=True)
            return
        raise click.ClickException("数据库不是空的：演示数据只能装进空数据库。")
    if password and (problem := password_problem(password)):
        raise click.ClickException(f"--password: {problem}")
    try:
        accounts = demo.seed_demo(password=password, n_people=n_people)
    except ServiceError as e:
        raise click.ClickException(e.message) from None
    for a in accounts:
        click.echo(f"{a.role}\t{a.username}\t{a.password}\t{a.area_code}")


@click.command("create-district")
@click.argument("code")
@click.argument("name")
@click.option("--full-name", default="", help="单位全称, e.g. 平顶山市湛河区")
def create_district(code, name, full_name):
    """Create the district (first step of a real installation)."""
    from ..services import areas
    from ..services.actor import SYSTEM
    from ..services.errors import ValidationFailed
    try:
        areas.create_area(SYSTEM, parent_code=None, code=code, name=name, full_name=full_name)
    except ValidationFailed as e:
        raise click.ClickException(e.message) from None
    click.echo(f"已创建 {code} {name}")


@click.command("create-user")
@click.option("--role", type=click.Choice(list(roles.LABELS)), required=True)
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--area", "area_codes", multiple=True, required=True, help="Area code (repeatable).")
def create_user_cmd(role, username, name, area_codes):
    """Create an account with a temporary password, which it must change at first login."""
    from ..services import accounts
    from ..services.actor import SYSTEM
    from ..services.errors import ValidationFailed
    try:
        user, password = accounts.create_user(SYSTEM, username=username, name=name, role=role,
                                              area_codes=list(area_codes))
    except ValidationFailed as e:
        raise click.ClickException(e.message) from None
    click.echo(f"{user.role}\t{user.username}\t{password}\t{area_codes[0]}")


@click.command("rotate-key")
@click.argument("which", type=click.Choice(["id", "receipt"]))
def rotate_key(which):
    """Add a new key to instance/id_key.json or instance/receipt_keys.json.

    New data uses the new key; old data stays readable with the old one. Restart the server after."""
    from pathlib import Path

    from ..keys import add_key
    name = {"id": ("ID_KEY_FILE", "id_key.json"), "receipt": ("RECEIPT_KEY_FILE", "receipt_keys.json")}[which]
    path = Path(current_app.config.get(name[0]) or Path(current_app.instance_path) / name[1])
    if not path.exists():
        raise click.ClickException(f"{path} 不存在")
    click.echo(f"新密钥编号 {add_key(path)}，已写入 {path}；请重启服务。")
    sys.stdout.flush()


@click.command("demo-accounts")
def demo_accounts():
    """List the demo accounts (role, username, password, area), as seed-demo printed them."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import User
    from ..services.demo import DEMO_PASSWORD
    users = db.session.scalars(select(User).where(User.is_demo).order_by(User.id)).all()
    if not users:
        click.echo("  （没有演示账号）")
    for u in users:
        pw = DEMO_PASSWORD if u.check_password(DEMO_PASSWORD) else "（已修改）"
        click.echo(f"{u.role}\t{u.username}\t{pw}\t{u.areas[0].code if u.areas else ''}")


commands = [seed_demo, create_district, create_user_cmd, rotate_key, demo_accounts]
