"""A browser test never skips: without Debian's Chromium (installed by `make test`) it fails."""
import os
from datetime import date

import pytest
from playwright import sync_api

from tests.e2e.browser import CHROMIUM, launch, serve
from webapp.extensions import db


@pytest.fixture(autouse=True)
def _chromium_is_installed():
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: `make setup-test` installs Debian's chromium"


@pytest.fixture
def setting(app, world):
    """A paid household receipt (a compound surname among its lines), served: (url, number)."""
    head = world.person(name="张秀英", birth=date(1975, 3, 8), male=False)
    child = world.person(name="欧阳娜娜", household=head, relation="子女", birth=date(2000, 1, 2), male=False)
    receipt = world.pay("coord1", (head, "pension", 30000), (head, "medical"), (child, "medical"))
    db.session.commit()
    with serve(app) as url:
        yield url, receipt.number


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
