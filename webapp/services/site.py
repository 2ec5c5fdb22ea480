"""What a service needs to know about this deployment, as a plain value the caller passes in.

The public address (it goes into every QR code), the keys that sign receipt URLs, and where
rendered documents are kept. Views and commands build it from the app (`Site.of(app)`);
services never read the app themselves, so they import no Flask and a test can hand them any site.
"""
from dataclasses import dataclass, field
from pathlib import Path

from ..printing.receipt import PdfCache

RECEIPT_PDF_CACHE = "lx.receipt_pdf_cache"


@dataclass(frozen=True)
class Site:
    public_base_url: str       # e.g. https://lx.example.gov.cn, no trailing slash needed
    receipt_keys: dict         # {key id: secret}, rules.signing
    cache_dir: Path            # instance/cache: rendered documents that never change
    # Recent receipt PDFs by the hash of their HTML: one per app (app.extensions), never shared
    # by two apps in one process; None renders without keeping anything.
    pdf_cache: PdfCache | None = field(default=None, compare=False)

    @classmethod
    def of(cls, app) -> "Site":
        """From a Flask app (or anything with .config and .instance_path): its PUBLIC_BASE_URL,
        RECEIPT_KEYS, instance folder and receipt PDF cache."""
        return cls(app.config["PUBLIC_BASE_URL"], app.config["RECEIPT_KEYS"], Path(app.instance_path) / "cache",
                   app.extensions.setdefault(RECEIPT_PDF_CACHE, PdfCache()))
