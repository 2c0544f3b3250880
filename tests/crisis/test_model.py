import hashlib
import hmac
import json
import struct

import pytest

from jusha.crisis import model

from .conftest import invented_rows

from tests.crisis.conftest import needs_model_libraries

needs_model_libraries()

import numpy as np  # noqa: E402


def test_rule_layer_scores_out_of_the_box(settings, tmp_path):
    settings.JUSHA_CRISIS_MODEL_PATH = str(tmp_path / "absent.bin")
    scorer = model.scorer_from_settings()
    assert not scorer.trained
    high, calm = scorer.score(["我今晚就从楼顶跳下去，遗书写好了", "今天天气真好"])
    assert high.level >= 9 and high.high and high.p_high > 0.9
    assert calm.level == 0 and not calm.high
    assert any("楼顶" in r for r in high.reasons)


def test_trained_model_scores_and_explains(trained_model):
    scorer = model.load(trained_model)
    assert scorer.trained and scorer.header["training_rows"] == 300
    assert len(scorer.header["data_fingerprint"]) == 64
    assert "validation" in scorer.header["figures"]
    high, calm = scorer.score(["药已经攒好了，遗书写好了", "猫好可爱，晚安"])
    assert high.p_high > calm.p_high
    assert high.high and not calm.high
    assert any(r.startswith("+") for r in high.reasons)


def test_level_agrees_with_the_threshold():
    proba = np.zeros((2, 11))
    proba[0, [2, 7]] = [0.7, 0.3]
    proba[1, [2, 7]] = [0.9, 0.1]
    levels, p_high = model.decide(proba, threshold=0.25)
    assert list(levels) == [7, 2]
    assert p_high[0] == pytest.approx(0.3)


def test_threshold_keeps_the_target_recall():
    p = np.array([0.9, 0.8, 0.4, 0.2, 0.1, 0.05])
    truth = np.array([True, True, True, True, False, False])
    threshold = model.choose_threshold(p, truth, 0.75)
    assert threshold == pytest.approx(0.4)
    assert ((p >= threshold) & truth).sum() / truth.sum() >= 0.75


def test_tampered_file_is_refused(trained_model, tmp_path):
    data = bytearray(trained_model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "tampered.bin"
    bad.write_bytes(bytes(data))
    with pytest.raises(model.ModelFileError, match="signature"):
        model.load(bad)


def test_file_signed_with_another_key_is_refused(trained_model, settings):
    settings.JUSHA_CRISIS_MODEL_KEY = "another key"
    with pytest.raises(model.ModelFileError, match="signature"):
        model.load(trained_model)


def resign(data: bytes, header_change: dict) -> bytes:
    header, payload = model.read_header(data)
    header.update(header_change)
    head = json.dumps(header).encode()
    body = model.MAGIC + struct.pack(">I", len(head)) + head + payload
    return body + hmac.new(model.model_key(), body, hashlib.sha256).digest()


def test_incompatible_versions_are_refused_before_unpickling(trained_model, tmp_path, monkeypatch):
    calls = []
    import joblib

    monkeypatch.setattr(joblib, "load", lambda *a, **k: calls.append(a))
    for change, words in (({"version": "2.0"}, "incompatible"), ({"libraries": {"sklearn": "0.24.2"}}, "sklearn 0.24.2")):
        path = tmp_path / "old.bin"
        path.write_bytes(resign(trained_model.read_bytes(), change))
        with pytest.raises(model.ModelFileError, match=words):
            model.load(path)
    assert calls == []


def test_not_a_model_file(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x80\x04K\x01.")  # a pickle, not ours
    with pytest.raises(model.ModelFileError, match="not a Jusha"):
        model.load(path)
    with pytest.raises(model.ModelFileError, match="cannot read"):
        model.load(tmp_path / "missing.bin")


def test_figures_hold_every_part():
    rows = invented_rows(50)
    labels = [label for _, label in rows]
    figures = model.evaluate_levels(labels, [0.9 if v >= 6 else 0.1 for v in labels], labels)
    assert figures["weighted_f1"] == 1.0
    assert figures["high"]["recall"] == 1.0 and figures["high"]["precision"] == 1.0
    assert len(figures["confusion"]) == 11 and all(len(r) == 11 for r in figures["confusion"])
    assert sum(c["n"] for c in figures["calibration"]) == 50


def test_training_without_validation_uses_cross_validation():
    pipeline, figures = model.train(invented_rows(200), grid=(10.0,))
    assert figures["threshold_on"].endswith("cross-validation")
    assert 0 < pipeline.threshold < 1
