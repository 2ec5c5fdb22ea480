"""The printing layer: plain data in, document bytes out.

Every printed document is drawn here and nowhere else, from plain values (dicts and dataclasses
built by a service; never ORM rows, never a request). Nothing in this package imports Flask, the
models or the services, so a document can be rendered by the web app, the command line, a
benchmark or a test alike, and a service that prints imports no Flask.

    receipt.py   the receipt, as a PDF in four formats (58/80 mm thermal roll, A5, A4); its data
                 (ReceiptData in data.py) is built once by services/receipt_pdf.py and is meant
                 for every receipt renderer (an ESC/POS one next: escpos.py, same data)
    slip.py      the hand-over slip (上解单), A4
    report.py    the progress report (通报), A4 with SVG charts
    roster.py    the public roster (公示名单), A4/A3: the monospaced grid, our own page breaks,
                 chunks rendered in parallel processes and merged
    engine.py    HTML to PDF with WeasyPrint: the CJK font subset, the caches, the fetcher that
                 only accepts data: URIs
    templates.py the Jinja environment of templates/ (this package's own, not Flask's)
    qr.py        QR codes (SVG for pages, PNG data URIs for PDFs)
    data.py      the plain data shared by the renderers of one document

A renderer is a function `render_…(data, …) -> bytes`; it raises engine.PdfEngineMissing when the
machine cannot draw the document correctly (no CJK font, no Pango), never prints boxes.
"""
