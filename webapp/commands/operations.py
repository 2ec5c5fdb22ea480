"""Operations: back up and restore the SQLite database while keeping every acknowledged payment."""
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import current_app


def _sqlite_path() -> Path:
    from ..extensions import db
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException(
            "这是 PostgreSQL 数据库：请用 pg_dump / pg_restore 备份和恢复（见 docs/operations.md）。")
    return Path(url.database)


def _check(path: Path) -> dict:
    """Integrity check and a few counts of a database file; raises on a damaged or foreign file."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise click.ClickException(f"{path} 已损坏（integrity_check 未通过）")
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"people", "receipts", "payments"} <= tables:
                raise click.ClickException(f"{path} 不是本系统的数据库")
            return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                    for t in ("people", "receipts", "payments", "audit_events")}
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise click.ClickException(f"{path} 无法读取：{e}") from None


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path):
    """Copy the live SQLite database to FILE with SQLite's online backup (safe while serving)."""
    source = _sqlite_path()
    if file.exists():
        raise click.ClickException(f"{file} 已存在，不会覆盖")
    file.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(file)
    try:
        with dst:
            src.backup(dst, pages=1024)   # copies in steps; writers are blocked only briefly
    finally:
        dst.close()
        src.close()
    counts = _check(file)
    click.echo(f"已备份到 {file}（{file.stat().st_size // 1024} KB）：参保人 {counts['people']}，"
               f"收据 {counts['receipts']}，缴费 {counts['payments']}，审计 {counts['audit_events']}")
    click.echo(f"提醒：身份证号加密密钥 {Path(current_app.instance_path) / 'id_key.json'} 须与备份一起另行保管，"
               "没有它备份中的身份证号无法读出。")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: Path, yes: bool):
    """Replace the SQLite database with a backup FILE. Stop the server first.

    The current database is kept beside it as app.db.before-restore-<time>; run
    `flask --app wsgi db upgrade` afterwards if the backup is older than the code."""
    target = _sqlite_path()
    counts = _check(file)
    click.echo(f"备份 {file}：参保人 {counts['people']}，收据 {counts['receipts']}，缴费 {counts['payments']}")
    if not yes:
        click.confirm(f"用它替换 {target}？（请先停止服务）", abort=True)
    from ..extensions import db
    db.session.remove()
    db.engine.dispose()
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{datetime.now():%Y%m%d%H%M%S}")
        # Fold the WAL into the file first, so the kept copy is complete on its own.
        con = sqlite3.connect(target)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        shutil.copy2(target, kept)
        click.echo(f"原数据库已另存为 {kept}")
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    tmp = target.with_name(target.name + ".restoring")
    shutil.copy2(file, tmp)
    tmp.replace(target)   # atomic: the database is either the old one or the restored one
    click.echo(f"已恢复：{target}")


@click.command("sweep-imports")
@click.option("--max-age", "max_age", type=int, default=None,
              help="Seconds; default IMPORT_PREVIEW_MAX_AGE_S (a day). 0 removes every preview.")
def sweep_imports(max_age):
    """Remove unconfirmed import previews (sealed uploads under instance/imports/) older than the limit."""
    from ..services import upload_store
    age = current_app.config["IMPORT_PREVIEW_MAX_AGE_S"] if max_age is None else max_age
    removed = upload_store.sweep(upload_store.folder(current_app.instance_path), age)
    click.echo(f"已清除 {removed} 份未确认的导入预览（超过 {age} 秒）")


commands = [backup, restore, sweep_imports]
