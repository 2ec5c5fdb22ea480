"""A browser test never skips: without Debian's Chromium (installed by `make test`) it fails."""
import os

import pytest

from tests.e2e.browser import CHROMIUM


@pytest.fixture(autouse=True)
def _chromium_is_installed():
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: `make setup-test` installs Debian's chromium"
