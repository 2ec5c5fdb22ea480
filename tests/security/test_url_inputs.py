"""What can be typed into an address bar: every GET route of the URL map, for every role, with
ids beyond any database integer, odd strings in the path, and odd query parameters (page numbers,
years, dates, script payloads). Never a 5xx, never a payload echoed raw."""
from urllib.parse import quote

import pytest

from tests.security.conftest import ROLES, page_urls
from tests.security.test_fuzz_forms import PAYLOADS

HUGE = [2**31, 2**63, 10**30]
ODD = ["0", "-1", "%00", quote(PAYLOADS[0], safe=""), "x" * 300, "..%2F..", "１２３", "410411200001%20", "v1.pdf"]
QUERY = dict.fromkeys(["page", "per_page", "year", "household", "batch", "status", "q", "day", "area", "paper",
                       "kind", "fmt", "download", "next", "unconfirmed"], str(10**30))


@pytest.mark.parametrize("role", [None, *ROLES])
def test_odd_paths_and_queries_never_fail(app, scene, login_as, role):
    client = login_as(role)
    seen = 0
    for url in page_urls(app, role, {"int": HUGE, "str": ODD}):
        for query in ({}, QUERY, {k: PAYLOADS[0] for k in QUERY}, {k: "99999-99-99" for k in QUERY},
                      {k: "-5" for k in QUERY}):
            resp = client.get(url, query_string=query)
            seen += 1
            assert resp.status_code < 500, (url, query, resp.status_code)
            if resp.mimetype == "text/html":
                assert PAYLOADS[0] not in resp.get_data(as_text=True), (url, query)
    for url in page_urls(app, role, scene):        # own objects, odd queries
        for query in (QUERY, {k: PAYLOADS[0] for k in QUERY}, {k: "-5" for k in QUERY}):
            resp = client.get(url, query_string=query)
            assert resp.status_code < 500, (url, query, resp.status_code)
            if resp.mimetype == "text/html":
                assert PAYLOADS[0] not in resp.get_data(as_text=True), (url, query)
    assert seen > 20
