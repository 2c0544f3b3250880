"""The pipeline on the shared reference data (when present): it runs and reports every figure.

The texts are real people's posts: nothing here prints them; assertions are on figures only.
"""

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.crisis.conftest import needs_model_libraries

needs_model_libraries()

DATA = Path(os.environ.get("JUSHA_CRISIS_DATA", "/work/shared/data/crisis"))
FILES = ("sos1k_train.tsv", "sos4k_val.tsv", "sos1k_test.tsv")

pytestmark = pytest.mark.skipif(
    not all((DATA / name).exists() for name in FILES),
    reason=f"the SOS-1K/SOS-4K reference data is not at {DATA} (set JUSHA_CRISIS_DATA); it is never committed",
)


def test_train_and_evaluate_on_the_reference_data(tmp_path, capsys):
    out = tmp_path / "m.bin"
    call_command("crisis_train", "--data", str(DATA / "sos1k_train.tsv"), "--val", str(DATA / "sos4k_val.tsv"), "--output", str(out))
    capsys.readouterr()
    call_command("crisis_evaluate", "--model", str(out), "--data", str(DATA / "sos1k_test.tsv"), "--json")
    printed = capsys.readouterr().out.splitlines()
    figures = json.loads(printed[-1])
    assert figures["n"] == 250
    assert 0 <= figures["weighted_f1"] <= 1 and 0 <= figures["high"]["f1"] <= 1
    assert len(figures["confusion"]) == 11
