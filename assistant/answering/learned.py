"""The small learned models: which sentence answers (selection), whether the sources answer at all
(answerability, a probability compared with a threshold chosen by cross-validation), and whether the question is
about the article at all (topical, learned from other articles' questions; a cut that keeps 99 % of the article's
own questions).

All are scikit-learn logistic regressions trained by ``assistant train`` on golden rows; they are stored as
plain JSON (feature names, scaler, coefficients — no pickle) and applied with numpy, so serving does not
import scikit-learn. The file records the golden data it was trained from (files and their hashes).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import QUESTION_FEATURES, SENTENCE_FEATURES

DEFAULT_MODEL = Path(__file__).with_name("model.json")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Linear:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))  # no overflow warning for a far-off input

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "coef": self.coef.round(6).tolist(), "intercept": round(float(self.intercept), 6)}

    @classmethod
    def from_dict(cls, d: dict, expected: tuple[str, ...]) -> "Linear":
        if tuple(d["features"]) != expected:
            raise ValueError("the model was trained on other features; run `assistant train`")
        return cls(tuple(d["features"]), np.array(d["mean"]), np.array(d["scale"]), np.array(d["coef"]),
                   float(d["intercept"]))

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, features: tuple[str, ...], c: float = 1.0,
            weight: np.ndarray | None = None) -> "Linear":
        from sklearn.linear_model import LogisticRegression

        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale < 1e-9] = 1.0
        lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        lr.fit((X - mean) / scale, y, sample_weight=weight)
        return cls(features, mean, scale, lr.coef_[0], float(lr.intercept_[0]))


@dataclass(frozen=True)
class Models:
    selection: Linear
    answerable: Linear
    threshold: float
    trained_on: dict = field(default_factory=dict)
    # Whether a question was written for the article at all (against questions written for other articles): one
    # scoring under ``topical_threshold`` is refused whatever the answerability model says.
    topical: Linear | None = None
    topical_threshold: float = 0.0

    def answers(self, qx: np.ndarray) -> tuple[float, bool]:
        """The answerability probability of a question part's features, and whether to answer it."""
        p = float(self.answerable.proba(qx)[0])
        on_topic = self.topical is None or float(self.topical.proba(qx)[0]) >= self.topical_threshold
        return p, p >= self.threshold and on_topic

    def to_json(self) -> str:
        d = {"selection": self.selection.to_dict(), "answerable": self.answerable.to_dict(),
             "threshold": round(self.threshold, 6), "trained_on": self.trained_on}
        if self.topical is not None:
            d |= {"topical": self.topical.to_dict(), "topical_threshold": round(self.topical_threshold, 6)}
        return json.dumps(d, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Models":
        d = json.loads(text)
        topical = Linear.from_dict(d["topical"], QUESTION_FEATURES) if d.get("topical") else None
        return cls(Linear.from_dict(d["selection"], SENTENCE_FEATURES), Linear.from_dict(d["answerable"], QUESTION_FEATURES),
                   float(d["threshold"]), d.get("trained_on", {}), topical, float(d.get("topical_threshold", 0.0)))

    @classmethod
    def load(cls, path: Path | str = DEFAULT_MODEL) -> "Models":
        return cls.from_json(Path(path).read_text())

    @classmethod
    def for_index(cls, attachments: dict, settings) -> "Models":
        """The models stored with the index at ingest; else the configured (or packaged) model file."""
        stored = attachments.get("answer_model")
        if stored:
            try:
                return cls.from_json(stored)
            except (ValueError, KeyError) as exc:
                log.warning("the answer models stored with the index do not fit this version (%s); using %s",
                            exc, model_file(settings))
        return cls.load(model_file(settings))


def model_file(settings) -> Path:
    """``ASSISTANT_ANSWER_MODEL``, or the packaged model."""
    return Path(settings.answer.answer_model) if settings.answer.answer_model else DEFAULT_MODEL
