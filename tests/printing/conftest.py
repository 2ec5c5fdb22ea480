from tests.receipts.conftest import household, receipt  # noqa: F401  (the same household's receipt)
