"""The risk model: rules out of the box, a trained char n-gram model when one is given.

`Scorer` is what every caller uses: `score(texts)` gives, per text, a level 0–10, the
probability that the level is ≥ 6 (`p_high`) and the reasons. Without a model file it is the
rule layer alone (`rules.py`). With one, a TF-IDF over character 1–3-grams of the normalised
text plus the rule features feed a multinomial logistic regression over the 11 levels;
`p_high` is the summed probability of levels 6–10, and a post is flagged high risk when
`p_high` reaches the threshold chosen on held-out rows (`choose_threshold`): the highest
threshold that still keeps recall at the target (0.95 by default), because a missed post
costs a life and a false alarm costs a volunteer's minutes.

Model files are signed: `save` writes a header (format, version, library versions, training
data fingerprint, validation figures) and the pickled pipeline, followed by an HMAC-SHA256 over
both with `settings.JUSHA_CRISIS_MODEL_KEY`; `load` checks the signature and the versions
before it unpickles anything, and refuses otherwise (`ModelFileError`).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

try:
    import numpy as np
except ImportError:  # pragma: no cover - the rule layer works without the model's libraries
    np = None

from jusha.crisis import rules
from jusha.crisis.normalise import normalise

MAGIC = b"JUSHA-CRISIS-MODEL\n"
FORMAT = 1
MODEL_VERSION = "1.0"
LEVELS = list(range(11))
HIGH = 6
MAX_TEXT = 2000  # characters scored per post: the rest of a very long post adds little and costs time


class ModelFileError(Exception):
    """A model file that is missing, tampered with, or from an incompatible version."""


@dataclass
class Score:
    level: int
    p_high: float
    reasons: list[str] = field(default_factory=list)

    @property
    def high(self) -> bool:
        return self.level >= HIGH


def _library_versions() -> dict:
    import sklearn
    import scipy

    return {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__}


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def model_key() -> bytes:
    from django.conf import settings

    key = getattr(settings, "JUSHA_CRISIS_MODEL_KEY", "") or ""
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"jusha.crisis.model", hashlib.sha256).digest()


def fingerprint(rows) -> str:
    """SHA-256 over the (text, label) rows a model was trained on, in order."""
    digest = hashlib.sha256()
    for text, label in rows:
        digest.update(text.encode("utf-8"))
        digest.update(b"\t%d\n" % label)
    return digest.hexdigest()


class Pipeline:
    """Vectoriser + rule features + classifier; picklable, no Django inside."""

    def __init__(self, vectoriser, classifier, *, rule_weight: float, threshold: float):
        self.vectoriser = vectoriser
        self.classifier = classifier
        self.rule_weight = rule_weight
        self.threshold = threshold

    def matrix(self, normalised: list[str], rule_rows=None):
        from scipy.sparse import csr_matrix, hstack

        tfidf = self.vectoriser.transform(normalised)
        if rule_rows is None:
            rule_rows = [rules.features(t) for t in normalised]
        dense = csr_matrix(np.asarray(rule_rows, dtype=np.float64) * self.rule_weight)
        return hstack([tfidf, dense], format="csr")

    def proba(self, normalised: list[str], rule_rows=None) -> np.ndarray:
        probs = self.classifier.predict_proba(self.matrix(normalised, rule_rows))
        full = np.zeros((len(normalised), 11))
        full[:, self.classifier.classes_] = probs
        return full


def decide(proba: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Levels and p_high from level probabilities: the level agrees with the high-risk flag.

    A post at or above the threshold takes the likeliest level of 6–10; one below it the
    likeliest of 0–5. So the threshold (chosen for recall) decides high risk, and the level
    within each side is the model's best guess.
    """
    p_high = proba[:, HIGH:].sum(axis=1)
    low_level = proba[:, :HIGH].argmax(axis=1)
    high_level = proba[:, HIGH:].argmax(axis=1) + HIGH
    levels = np.where(p_high >= threshold, high_level, low_level)
    return levels, p_high


def rule_score(text: str) -> Score:
    result = rules.evaluate(text)
    return Score(level=result.level, p_high=rules.RULE_P_HIGH[result.level], reasons=result.reasons)


class Scorer:
    """Scores posts with a trained pipeline, or with the rules when there is none."""

    def __init__(self, pipeline: Pipeline | None = None, header: dict | None = None):
        self.pipeline = pipeline
        self.header = header or {"version": "rules", "figures": {}}

    @property
    def trained(self) -> bool:
        return self.pipeline is not None

    def levels(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Levels and p_high for raw texts, without reasons: the streaming path."""
        normalised = [normalise(t[:MAX_TEXT]) for t in texts]
        if self.pipeline is None:
            levels = [rules.evaluate(t).level for t in normalised]
            return levels, [rules.RULE_P_HIGH[v] for v in levels]
        return decide(self.pipeline.proba(normalised), self.pipeline.threshold)

    def score(self, texts: list[str]) -> list[Score]:
        """Levels, p_high and the reasons (the rules that fired, the phrases that weighed most)."""
        normalised = [normalise(t[:MAX_TEXT]) for t in texts]
        results = [rules.evaluate(t) for t in normalised]
        if self.pipeline is None:
            return [Score(r.level, rules.RULE_P_HIGH[r.level], r.reasons) for r in results]
        levels, p_high = self.levels(texts)
        out = []
        for text, result, level, p in zip(normalised, results, levels, p_high):
            out.append(Score(int(level), float(p), result.reasons + self._top_phrases(text)))
        return out

    def _top_phrases(self, text: str, k: int = 5) -> list[str]:
        """The n-grams of this text that push hardest towards high risk."""
        vec = self.pipeline.vectoriser
        clf = self.pipeline.classifier
        row = vec.transform([text])
        classes = list(clf.classes_)
        high_rows = [i for i, c in enumerate(classes) if c >= HIGH]
        low_rows = [i for i, c in enumerate(classes) if c < HIGH]
        if not high_rows or not low_rows:
            return []
        n = row.shape[1]
        weight = clf.coef_[high_rows, :n].mean(axis=0) - clf.coef_[low_rows, :n].mean(axis=0)
        contrib = row.multiply(weight).tocsr()
        names = vec.get_feature_names_out()
        order = np.argsort(contrib.data)[::-1][:k]
        return [f"+{names[contrib.indices[i]]}" for i in order if contrib.data[i] > 0]


# --- training ---------------------------------------------------------------------------------


def train(rows, *, val_rows=None, target_recall: float = 0.95, grid=(10.0, 30.0), rule_weight=0.5, refit: bool = False):
    """Fit on `rows` [(text, label)], choose C and the threshold on `val_rows`; return (pipeline, figures).

    Without validation rows the threshold is chosen on the training rows by 5-fold
    cross-validation predictions (honest, if less so than a held-out file).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [normalise(t[:MAX_TEXT]) for t, _ in rows]
    labels = np.array([label for _, label in rows])
    rule_rows = [rules.features(t) for t in texts]

    def fit(C, train_texts, train_labels, train_rule_rows):
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2 if len(train_texts) > 200 else 1, dtype=np.float32)
        vec.fit(train_texts)
        clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        pipe = Pipeline(vec, clf, rule_weight=rule_weight, threshold=0.5)
        clf.fit(pipe.matrix(train_texts, train_rule_rows), train_labels)
        return pipe

    if val_rows:
        v_texts = [normalise(t[:MAX_TEXT]) for t, _ in val_rows]
        v_labels = np.array([label for _, label in val_rows])
        v_rules = [rules.features(t) for t in v_texts]
        best = None
        for C in grid:
            pipe = fit(C, texts, labels, rule_rows)
            proba = pipe.proba(v_texts, v_rules)
            threshold = choose_threshold(proba[:, HIGH:].sum(axis=1), v_labels >= HIGH, target_recall)
            figures = evaluate_proba(proba, v_labels, threshold)
            key = (figures["high"]["f1"], figures["weighted_f1"])
            if best is None or key > best[0]:
                best = (key, pipe, threshold, figures, C)
        _, pipe, threshold, figures, C = best
        if refit:
            # Settings and threshold stay those chosen on the held-out rows; the final fit
            # also learns from them (its validation figures describe the fit before).
            pipe = fit(C, texts + v_texts, np.concatenate([labels, v_labels]), rule_rows + v_rules)
        pipe.threshold = threshold
        figures = {"validation": figures, "C": C, "target_recall": target_recall, "threshold_on": "validation rows", "refit_with_validation_rows": refit}
        return pipe, figures
    # No held-out file: out-of-fold probabilities choose the threshold.
    from sklearn.model_selection import StratifiedKFold

    C = grid[-1]
    folds = min(5, max(2, int(np.bincount(labels).min()))) if len(set(labels)) > 1 else 0
    oof = np.zeros((len(texts), 11))
    if folds >= 2:
        for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
            pipe = fit(C, [texts[i] for i in train_idx], labels[train_idx], [rule_rows[i] for i in train_idx])
            oof[test_idx] = pipe.proba([texts[i] for i in test_idx], [rule_rows[i] for i in test_idx])
        threshold = choose_threshold(oof[:, HIGH:].sum(axis=1), labels >= HIGH, target_recall)
        figures = {"cross_validation": evaluate_proba(oof, labels, threshold)}
    else:
        threshold, figures = 0.5, {}
    pipe = fit(C, texts, labels, rule_rows)
    pipe.threshold = threshold
    figures.update({"C": C, "target_recall": target_recall, "threshold_on": f"{folds}-fold cross-validation" if folds >= 2 else "default"})
    return pipe, figures


def choose_threshold(p_high: np.ndarray, truth: np.ndarray, target_recall: float) -> float:
    """The highest threshold whose recall still reaches the target (recall first, then precision)."""
    if not truth.any():
        return 0.5
    for threshold in np.round(np.arange(0.95, 0.0, -0.01), 2):
        predicted = p_high >= threshold
        recall = (predicted & truth).sum() / truth.sum()
        if recall >= target_recall:
            return float(threshold)
    return 0.01


# --- figures ----------------------------------------------------------------------------------


def evaluate_proba(proba: np.ndarray, labels: np.ndarray, threshold: float) -> dict:
    levels, p_high = decide(proba, threshold)
    return evaluate_levels(levels, p_high, labels)


def evaluate_levels(levels, p_high, labels) -> dict:
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    levels = np.asarray(levels)
    labels = np.asarray(labels)
    truth = labels >= HIGH
    predicted = levels >= HIGH
    p, r, f, _ = precision_recall_fscore_support(truth, predicted, average="binary", zero_division=0)
    bins = np.linspace(0, 1, 11)
    calibration = []
    p_high = np.asarray(p_high, dtype=float)
    for lo, hi in zip(bins[:-1], bins[1:]):
        inside = (p_high >= lo) & ((p_high < hi) if hi < 1 else (p_high <= hi))
        if inside.any():
            calibration.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(inside.sum()), "mean_p": round(float(p_high[inside].mean()), 3), "observed": round(float(truth[inside].mean()), 3)})
    brier = float(((p_high - truth) ** 2).mean()) if len(labels) else 0.0
    return {
        "n": int(len(labels)),
        "weighted_f1": round(float(f1_score(labels, levels, labels=LEVELS, average="weighted", zero_division=0)), 4),
        "high": {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4), "support": int(truth.sum())},
        "confusion": confusion_matrix(labels, levels, labels=LEVELS).tolist(),
        "calibration": calibration,
        "brier": round(brier, 4),
    }


# --- files ------------------------------------------------------------------------------------


def save(pipeline: Pipeline, path: str | Path, *, data_fingerprint: str, figures: dict, rows: int) -> dict:
    import joblib

    header = {
        "format": FORMAT,
        "version": MODEL_VERSION,
        "libraries": _library_versions(),
        "data_fingerprint": data_fingerprint,
        "training_rows": rows,
        "threshold": pipeline.threshold,
        "figures": figures,
    }
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode()
    body = MAGIC + struct.pack(">I", len(head)) + head + buffer.getvalue()
    signature = hmac.new(model_key(), body, hashlib.sha256).digest()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(body + signature)
    tmp.replace(path)  # never a half-written model file
    return header


def read_header(data: bytes) -> tuple[dict, bytes]:
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4 + 32:
        raise ModelFileError("not a Jusha crisis model file")
    body, signature = data[:-32], data[-32:]
    if not hmac.compare_digest(hmac.new(model_key(), body, hashlib.sha256).digest(), signature):
        raise ModelFileError("the model file's signature does not match (tampered, or signed with another key)")
    (length,) = struct.unpack(">I", body[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    try:
        header = json.loads(body[start : start + length])
    except ValueError as error:
        raise ModelFileError("the model file's header is unreadable") from error
    return header, body[start + length :]


def load(path: str | Path) -> Scorer:
    import joblib

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ModelFileError(f"cannot read the model file: {error.strerror}") from error
    header, payload = read_header(data)
    if header.get("format") != FORMAT or str(header.get("version", "")).split(".")[0] != MODEL_VERSION.split(".")[0]:
        raise ModelFileError(f"incompatible model file (format {header.get('format')}, version {header.get('version')}); retrain with crisis_train")
    here = _library_versions()
    for name, version in (header.get("libraries") or {}).items():
        if name in here and _minor(version) != _minor(here[name]):
            raise ModelFileError(f"the model was saved with {name} {version}, this installation has {here[name]}; retrain with crisis_train")
    pipeline = joblib.load(io.BytesIO(payload))  # signed by us: safe to unpickle
    if not isinstance(pipeline, Pipeline):
        raise ModelFileError("the model file holds no crisis pipeline")
    return Scorer(pipeline, header)


def scorer_from_settings() -> Scorer:
    """The configured model when its file exists and verifies, else the rule layer."""
    from django.conf import settings

    path = getattr(settings, "JUSHA_CRISIS_MODEL_PATH", "")
    if path and Path(path).exists():
        return load(path)
    return Scorer()
