import pytest

from webapp.rules.money import InvalidAmount, fen_to_capitals, fen_to_yuan_str, format_yuan, yuan_to_fen


@pytest.mark.parametrize("text, fen", [("350", 35000), ("350.5", 35050), ("350.05", 35005), ("1,000", 100000),
                                       ("250元", 25000), ("0", 0), (" 12.30 ", 1230)])
def test_yuan_to_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.234", "-5", "1e3", "３５０x"])
def test_yuan_to_fen_refuses_garbage(text):
    with pytest.raises(InvalidAmount):
        yuan_to_fen(text)


def test_formatting():
    assert fen_to_yuan_str(35000) == "350.00"
    assert fen_to_yuan_str(5) == "0.05"
    assert format_yuan(123456789) == "¥1,234,567.89"
    assert format_yuan(-250) == "-¥2.50"


@pytest.mark.parametrize("fen, capitals", [
    (35000, "叁佰伍拾元整"), (100000, "壹仟元整"), (45000, "肆佰伍拾元整"),
    (35050, "叁佰伍拾元伍角"), (0, "零元整"), (1000520, "壹万零伍元贰角"),
])
def test_capitals(fen, capitals):
    assert fen_to_capitals(fen) == capitals


def test_negative_capitals_are_refused():
    with pytest.raises(InvalidAmount):
        fen_to_capitals(-1)
