"""Operations: back up and restore the database while keeping every acknowledged payment.

SQLite: SQLite's online backup API into a file. PostgreSQL: pg_dump (custom format) of the app's
schema, taken in the snapshot the printed counts were read in, and pg_restore into a fresh schema
while the replaced one is kept under another name (the SQLite restore keeps the old file)."""
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import text

COUNTED = ("people", "receipts", "payments", "audit_events")


def _sqlite_path() -> Path:
    from ..extensions import db
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException("不是 SQLite 数据库")
    return Path(url.database)


def _is_postgres() -> bool:
    from ..extensions import db
    return db.engine.url.get_backend_name() == "postgresql"


def _pg_target() -> tuple[str, str, dict]:
    """(libpq connection string without the password, the app's schema, environment with
    PGPASSWORD): the password never appears on a command line (ps shows those)."""
    from ..extensions import db
    url = db.engine.url
    m = re.search(r"search_path=([A-Za-z0-9_]+)", str(url.query.get("options", "")))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, (m.group(1) if m else "public"), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise click.ClickException(f"找不到 {name}：请安装 postgresql-client（Makefile 的 APT_RUNTIME）")
    return path


def _pg_listing(file: Path) -> str:
    """pg_restore's table of contents of an archive; raises on a damaged or foreign file."""
    result = subprocess.run([_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True)
    if result.returncode != 0:
        raise click.ClickException(f"{file} 无法读取：{result.stderr.strip()[:300]}")
    if not all(re.search(rf"TABLE DATA \S+ {t} ", result.stdout) for t in ("people", "receipts", "payments")):
        raise click.ClickException(f"{file} 不是本系统的数据库备份")
    return result.stdout


def _pg_backup(file: Path):
    from ..extensions import db
    conninfo, schema, env = _pg_target()
    pg_dump = _tool("pg_dump")
    file.parent.mkdir(parents=True, exist_ok=True)
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        # pg_dump reads the snapshot of this transaction: the counts printed are the dump's.
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in COUNTED}
        result = subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                                 f"--schema={schema}", f"--file={file}", f"--dbname={conninfo}"],
                                env=env, capture_output=True, text=True)
    if result.returncode != 0:
        file.unlink(missing_ok=True)
        raise click.ClickException(f"pg_dump 失败：{result.stderr.strip()[:500]}")
    _pg_listing(file)
    return counts


def _pg_restore(file: Path, yes: bool):
    from ..extensions import db
    conninfo, schema, env = _pg_target()
    listing = _pg_listing(file)
    tables = len(re.findall(r" TABLE DATA ", listing))
    click.echo(f"备份 {file}：{tables} 个表的数据（PostgreSQL，模式 {schema}）")
    if not yes:
        click.confirm(f"用它替换数据库的模式 {schema}？（请先停止所有节点的服务）", abort=True)
    db.session.remove()
    db.engine.dispose()
    kept = f"{schema}_before_restore_{datetime.now():%Y%m%d%H%M%S}"
    # The schema itself is made here (empty), so the archive's own CREATE SCHEMA is left out.
    entries = [line for line in listing.splitlines() if not re.search(r"\bSCHEMA - |COMMENT - SCHEMA ", line)]
    with db.engine.begin() as conn:
        conn.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{kept}"'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    with tempfile.NamedTemporaryFile("w", suffix=".list") as toc:
        toc.write("\n".join(entries) + "\n")
        toc.flush()
        result = subprocess.run([_tool("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error",
                                 f"--use-list={toc.name}", f"--dbname={conninfo}", str(file)],
                                env=env, capture_output=True, text=True)
    if result.returncode != 0:
        with db.engine.begin() as conn:   # put the database back as it was
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'ALTER SCHEMA "{kept}" RENAME TO "{schema}"'))
        raise click.ClickException(f"恢复失败，数据库未改变：{result.stderr.strip()[:500]}")
    db.engine.dispose()
    click.echo(f"原数据已另存为模式 {kept}（确认无误后可 DROP SCHEMA \"{kept}\" CASCADE）")
    click.echo(f"已恢复：模式 {schema}")


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
    """Copy the live database to FILE, safe while serving: SQLite's online backup, or pg_dump
    (custom format) of the app's PostgreSQL schema."""
    if file.exists():
        raise click.ClickException(f"{file} 已存在，不会覆盖")
    if _is_postgres():
        counts = _pg_backup(file)
        _report(file, counts)
        return
    source = _sqlite_path()
    file.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(file)
    try:
        with dst:
            src.backup(dst, pages=1024)   # copies in steps; writers are blocked only briefly
    finally:
        dst.close()
        src.close()
    _report(file, _check(file))


def _report(file: Path, counts: dict):
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
    `flask --app wsgi db upgrade` afterwards if the backup is older than the code.
    On PostgreSQL the app's schema is replaced and the old one kept as
    <schema>_before_restore_<time>."""
    if _is_postgres():
        _pg_restore(file, yes)
        return
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
    directory = upload_store.folder(current_app.instance_path, current_app.config.get("UPLOAD_FOLDER"))
    removed = upload_store.sweep(directory, age)
    click.echo(f"已清除 {removed} 份未确认的导入预览（超过 {age} 秒）")


commands = [backup, restore, sweep_imports]
