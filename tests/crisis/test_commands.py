import os

import pytest
from django.core.management import CommandError, call_command

from .conftest import invented_rows, write_tsv

from tests.crisis.conftest import needs_model_libraries

needs_model_libraries()


def test_train_evaluate_score_round_trip(tmp_path, capsys):
    rows = invented_rows(300)
    train = write_tsv(tmp_path / "train.tsv", rows[:220])
    val = write_tsv(tmp_path / "val.tsv", rows[220:])
    out = tmp_path / "m.bin"
    call_command("crisis_train", "--data", str(train), "--val", str(val), "--output", str(out))
    assert out.exists()
    call_command("crisis_evaluate", "--model", str(out), "--data", str(val))
    printed = capsys.readouterr().out
    for words in ("weighted F1 (11 levels)", "high risk (level ≥ 6", "precision", "recall", "confusion matrix", "calibration"):
        assert words in printed
    posts = write_tsv(tmp_path / "posts.tsv", [(t,) for t, _ in rows[:37]], header=("comment",))
    scored = tmp_path / "scored.tsv"
    call_command("crisis_score", "--model", str(out), "--input", str(posts), "--output", str(scored), "--chunk", "5", "--workers", "2")
    lines = scored.read_text().splitlines()
    assert lines[0] == "row\tlevel\tp_high"
    assert [int(l.split("\t")[0]) for l in lines[1:]] == list(range(37))
    assert all(0 <= int(l.split("\t")[1]) <= 10 and 0 <= float(l.split("\t")[2]) <= 1 for l in lines[1:])
    for text in rows[:37]:  # no post text in the output
        assert text[0] not in scored.read_text()


def test_score_with_rules_csv_gb18030_and_odd_rows(tmp_path, settings):
    settings.JUSHA_CRISIS_MODEL_PATH = str(tmp_path / "absent.bin")
    posts = tmp_path / "posts.csv"
    posts.write_bytes('id,comment\n1,"我今晚就从楼顶跳下去，遗书写好了"\n2,\n3,"今天天气真好"\n4,"很长'.encode("gb18030") + ("啊" * 100_000).encode("gb18030") + b'"\n')
    scored = tmp_path / "scored.tsv"
    call_command("crisis_score", "--input", str(posts), "--output", str(scored), "--workers", "1")
    lines = scored.read_text().splitlines()[1:]
    assert len(lines) == 4
    assert int(lines[0].split("\t")[1]) >= 9 and int(lines[1].split("\t")[1]) == 0


def test_undecodable_or_headerless_input_is_refused(tmp_path):
    binary = tmp_path / "bin.tsv"
    binary.write_bytes(b"comment\n" + bytes(range(128, 256)) * 10)
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        call_command("crisis_score", "--input", str(binary), "--output", str(tmp_path / "o.tsv"))
    other = write_tsv(tmp_path / "other.tsv", [("x",)], header=("text",))
    with pytest.raises(CommandError, match="no 'comment' column"):
        call_command("crisis_score", "--input", str(other), "--output", str(tmp_path / "o.tsv"))
    assert not (tmp_path / "o.tsv").exists()


def test_bad_labels_are_reported_by_row_and_nothing_is_written(tmp_path):
    rows = invented_rows(30)
    bad = [*rows[:10], ("missing label", ""), ("too high", 11), ("words", "six"), *rows[10:]]
    path = write_tsv(tmp_path / "bad.tsv", bad)
    out = tmp_path / "m.bin"
    with pytest.raises(CommandError) as caught:
        call_command("crisis_train", "--data", str(path), "--output", str(out))
    message = str(caught.value)
    assert "3 bad row(s)" in message and "line 12: missing" in message and "line 13: label 11 outside 0–10" in message
    assert "line 14: not a whole number" in message
    assert "too high" not in message  # rows by number, never their text
    assert not out.exists()


def test_tampered_model_is_refused_by_the_commands(tmp_path, trained_model):
    data = bytearray(trained_model.read_bytes())
    data[-1] ^= 1
    bad = tmp_path / "bad.bin"
    bad.write_bytes(bytes(data))
    posts = write_tsv(tmp_path / "p.tsv", [("晚安",)], header=("comment",))
    with pytest.raises(CommandError, match="signature"):
        call_command("crisis_score", "--model", str(bad), "--input", str(posts), "--output", str(tmp_path / "o.tsv"))
    with pytest.raises(CommandError, match="signature"):
        call_command("crisis_evaluate", "--model", str(bad), "--data", str(posts))
