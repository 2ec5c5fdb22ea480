"""PDF rendering with WeasyPrint: real CJK fonts, HarfBuzz subsetting, no network, no files.

Templates for print are rendered from plain dicts, never ORM objects, then handed here.
The URL fetcher refuses everything except data: URIs, so a name like
<img src="file:///etc/passwd"> typed into a form can never make the PDF engine read a file.
"""
import ctypes.util
import subprocess
from functools import lru_cache

CJK_FAMILY = "Noto Sans CJK SC"


class PdfEngineMissing(RuntimeError):
    """Raised instead of rendering boxes where Chinese characters should be."""


def refuse_fetch(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"PDF rendering may not fetch {url[:60]}")


@lru_cache(maxsize=1)
def engine_problems() -> tuple[str, ...]:
    """What is missing for correct, fast PDFs, each with the command that fixes it."""
    problems = []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    if "CJK" not in out and "Noto Sans SC" not in out:
        problems.append("找不到中文字体（Noto Sans CJK）。请安装：apt-get install fonts-noto-cjk")
    if not ctypes.util.find_library("harfbuzz-subset"):
        problems.append("缺少 HarfBuzz 字体子集库，生成一张收据要数秒。请安装：apt-get install libharfbuzz-subset0")
    if not ctypes.util.find_library("pango-1.0"):
        problems.append("缺少 Pango。请安装：apt-get install libpango-1.0-0 libpangoft2-1.0-0")
    return tuple(problems)


def require_engine():
    problems = engine_problems()
    if problems:
        raise PdfEngineMissing("；".join(problems))


def render_pdf(html: str) -> bytes:
    """HTML (with its CSS inline in <style>) to PDF bytes."""
    require_engine()
    from weasyprint import HTML
    return HTML(string=html, url_fetcher=refuse_fetch, base_url=None).write_pdf()
