"""`manage.py red_flags` over OCDS compiled releases, in Cardinal's output shape: each
indicator fires on the release built to trigger it and nowhere else."""

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from supervision.ocds import lower_fence, quantile, upper_fence

FIXTURES = Path(__file__).parent / "ocds"


def _run(*args, stdin: str | None = None) -> dict:
    out = io.StringIO()
    if stdin is not None:
        saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("red_flags", *args, stdout=out)
    finally:
        if stdin is not None:
            sys.stdin = saved
    return json.loads(out.getvalue())


def test_each_indicator_fires_on_its_release_only():
    result = _run(str(FIXTURES / "releases.jsonl"))
    assert result["OCID"] == {
        "ocds-demo-08": {"R003": 10.0, "R024": 0.001},  # 10-day period; runner-up 0.1 % above
        "ocds-demo-09": {"R058": 0.9},  # runner-up 90 % above the winner
        "ocds-demo-10": {"R018": 1.0},  # one tenderer in an open procedure
        "ocds-demo-11": {"R028": 1.0},  # two tenderers at the same price
        "ocds-demo-12": {"R030": 1.0},  # the winner's bid came after the deadline
        "ocds-demo-13": {"R035": 2.0, "R036": 1.0},  # all others out, the lowest among them
    }
    ordinary = {f"ocds-demo-{i:02d}" for i in range(1, 8)}
    assert not ordinary & set(result["OCID"])
    assert set(result) <= {"OCID", "Buyer", "ProcuringEntity", "Tenderer"}


def test_thresholds_from_a_settings_file_replace_the_fences():
    result = _run(
        "--thresholds",
        str(FIXTURES / "settings.ini"),
        "-",
        stdin=(FIXTURES / "releases.jsonl").read_text(encoding="utf-8"),
    )
    assert result["OCID"]["ocds-demo-08"]["R024"] == 0.001
    assert result["Tenderer"] == {"A": {"R048": 1.0}, "C": {"R048": 1.0}, "D": {"R048": 1.0}}


def test_a_line_that_is_not_json_is_named():
    with pytest.raises(CommandError, match="line 2"):
        _run("-", stdin='{"ocid": "x"}\n{not json\n')


def test_quartiles_as_cardinal_computes_them():
    """statrs' quantile (median-unbiased, R-8): [1, 2, 3, 4] → Q1 1.4167, Q3 3.5833."""
    assert quantile([1, 2, 3, 4], 0.25) == pytest.approx(1.416667, abs=1e-6)
    assert quantile([1, 2, 3, 4], 0.75) == pytest.approx(3.583333, abs=1e-6)
    assert lower_fence([1, 2, 3, 4]) == pytest.approx(1.416667 - 1.5 * 2.166667, abs=1e-5)
    assert upper_fence([5.0]) == 5.0
