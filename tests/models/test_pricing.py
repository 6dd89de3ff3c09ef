"""``--price-table``: the natural guess works, the format is in --help, and a wrong entry
says what is expected (issue 27 item 5: ``{"input", "output"}`` failed with a dataclass's
``missing 2 required positional arguments``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from swe_runner.cli.main import main
from swe_runner.errors import ConfigError
from swe_runner.models.base import Usage
from swe_runner.models.pricing import PriceTable


def test_input_and_output_alone_are_a_price_with_free_caching(tmp_path: Path) -> None:
    table = tmp_path / "prices.json"
    table.write_text('{"my-model": {"input": 1.0, "output": 2.0}}')
    prices = PriceTable.from_file(table)
    usage = Usage(1_000_000, 1_000_000, 1_000_000, 1_000_000)
    assert prices.cost("my-model-7b", usage) == 3.0  # cache write and read at 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"m": {"input": 1, "outptu": 2}}', "'m': unknown key 'outptu'; expected {"),
        ('{"m": {"output": 2}}', "'m': 'input' is missing"),
        ('{"m": {"input": -1, "output": 2}}', "input must be a number >= 0 (got -1)"),
        ('{"m": {"input": "1", "output": 2}}', "input must be a number >= 0 (got '1')"),
        ('{"m": 3}', "'m': expected {"),
        ("[]", "expected {"),
    ],
)
def test_a_wrong_entry_names_it_and_the_format(tmp_path: Path, text: str, says: str) -> None:
    table = tmp_path / "prices.json"
    table.write_text(text)
    with pytest.raises(ConfigError, match="bad price table") as caught:
        PriceTable.from_file(table)
    assert says in str(caught.value)
    assert "Price.__init__" not in str(caught.value)


def test_the_format_and_units_are_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert '{"my-model": {"input": 1.0, "output": 2.0}} in USD per million tokens' in text
