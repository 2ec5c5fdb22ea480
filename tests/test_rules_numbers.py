"""rules/numbers.py: one format for every number printed on paper (receipts, hand-overs, bureau
batches), the same numbers as before it existed."""
import ast
from pathlib import Path

import pytest

from webapp.rules import numbers


def test_the_three_series_print_as_before():
    assert numbers.receipt_number(2018, "410411200001", 42) == "2018-200001-00042"
    assert numbers.handover_number(2018, "410411200001", 1) == "SJ2018-200001-001"
    assert numbers.batch_number(2018, "410411200001", "pension", 1) == "RS2018-200001-P01"
    assert numbers.batch_number(2018, "410411200001", "medical", 12) == "RS2018-200001-M12"


def test_a_long_sequence_prints_in_full_rather_than_wrapping():
    assert numbers.receipt_number(2018, "410411200001", 123456) == "2018-200001-123456"


@pytest.mark.parametrize("series,number,parsed", [
    (numbers.RECEIPT, "2018-200001-00042", (2018, "200001", "", 42)),
    (numbers.HANDOVER, "SJ2018-200001-003", (2018, "200001", "", 3)),
    (numbers.BUREAU_BATCH, "RS2018-200001-M02", (2018, "200001", "M", 2)),
])
def test_parse_reads_back_what_format_wrote(series, number, parsed):
    assert series.parse(number) == parsed
    assert series.format(parsed[0], "410411" + parsed[1], parsed[3], parsed[2]) == number


def test_parse_refuses_another_series():
    assert numbers.RECEIPT.parse("SJ2018-200001-003") is None
    assert numbers.HANDOVER.parse("2018-200001-00042") is None
    assert numbers.BUREAU_BATCH.parse("RS2018-200001-X02") is None


def test_nonsense_is_refused():
    with pytest.raises(ValueError):
        numbers.RECEIPT.format(2018, "410411200001", 0)
    with pytest.raises(ValueError):
        numbers.BUREAU_BATCH.format(2018, "410411200001", 1, "Q")


def test_no_service_formats_a_number_of_its_own():
    """The services that issue numbers call rules.numbers; none pads a sequence itself."""
    services = Path(__file__).resolve().parent.parent / "webapp" / "services"
    for name in ("payments.py", "handover.py", "bureau.py"):
        tree = ast.parse((services / name).read_text(encoding="utf-8"))
        pads = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.FormattedValue) and n.format_spec is not None
                and any(isinstance(v, ast.Constant) and str(v.value).startswith("0") and str(v.value).endswith("d")
                        for v in n.format_spec.values)]
        assert not pads, f"{name}:{pads} formats a number; use webapp.rules.numbers"
        assert "numbers." in (services / name).read_text(encoding="utf-8")
