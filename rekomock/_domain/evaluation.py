"""Evaluation of a trained model on its test set [CL:im-summary-file; CL:im-metrics-use].

The same predictor DetectCustomLabels uses (ground truth plus scripted answers) is run over
every test image; per label the *assumed threshold* is the confidence that gives the best
F1 among those no higher than the lowest confidence the model gives any image it learnt with
that label (so a training or test image never loses its own label by default), and
precision/recall/F1 are measured there. Aggregates are the macro averages of the
per-label figures, as in AWS's own summary example (0.9727 = mean of 0.9794 and 0.9660).

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .trained_model import LOCALIZATION, Detection, Truth, percent

Predictor = Callable[[str, "str | None"], list[Detection]]


@dataclass(slots=True)
class LabelMetrics:
    label: str
    f1: float
    precision: float
    recall: float
    threshold: float  # 0-1
    testing_images: int
    scored: tuple[tuple[float, bool], ...] = ()  # (confidence, is true positive) per prediction
    positives: int = 0

    def at(self, threshold: float) -> LabelMetrics:
        """The same predictions measured at another assumed threshold (0-1)."""
        tp = sum(1 for conf, hit in self.scored if hit and conf >= percent(threshold))
        fp = sum(1 for conf, hit in self.scored if not hit and conf >= percent(threshold))
        return replace(
            self, f1=_f1(tp, fp, self.positives - tp),
            precision=tp / (tp + fp) if tp + fp else 0.0,
            recall=tp / self.positives if self.positives else 0.0,
            threshold=threshold,
        )


@dataclass(slots=True)
class Evaluation:
    labels: list[LabelMetrics]
    f1: float
    precision: float
    recall: float
    confusion: list[dict[str, Any]]
    use_case: str
    #: (digest, S3 URI, predictions) of each test image, as evaluated: the snapshot shows
    #: these, so an answer scripted for one use is in it as in the figures.
    answers: tuple[tuple[str, str | None, list[Detection]], ...] = ()

    def overridden(self, f1: float, labels: dict[str, dict[str, float]]) -> Evaluation:
        """These figures instead of the measured ones (``rk.set_evaluation``); a label given
        only a threshold is re-measured there, so the snapshot's flags still add up to it."""
        keys = {"F1Score": "f1", "Precision": "precision", "Recall": "recall",
                "Threshold": "threshold"}
        metrics = []
        for m in self.labels:
            chosen = labels.get(m.label, {})
            values = {keys[k]: v for k, v in chosen.items()}
            if "threshold" in values:
                m = m.at(values["threshold"])
            metrics.append(replace(m, f1=values.get("f1", m.f1),
                                   precision=values.get("precision", m.precision),
                                   recall=values.get("recall", m.recall)))
        return replace(self, labels=metrics, f1=f1)

    def summary(
        self, version_arn: str, training_images: int, testing_images: int, ended: datetime
    ) -> dict[str, Any]:
        """The EvaluationResultSummary file, in the documented layout."""
        aggregate: dict[str, Any] = {
            "F1Score": self.f1,
            "Precision": self.precision,
            "Recall": self.recall,
        }
        if self.use_case == LOCALIZATION:
            # mAR / mAP at IoU 0.5 over the labels ([CL:im-summary-file]: detection reports these).
            aggregate = {"AverageRecall": self.recall, "AveragePrecision": self.precision,
                         **aggregate}
        else:
            aggregate = {"ConfusionMatrix": self.confusion, **aggregate}
        ordered = sorted(self.labels, key=lambda m: (-m.f1, m.label))
        return {
            "Version": 1,
            "AggregatedEvaluationResults": aggregate,
            "EvaluationDetails": {
                "EvaluationEndTimestamp": ended.replace(tzinfo=None).isoformat(
                    timespec="microseconds"
                ),
                "Labels": sorted(m.label for m in self.labels),
                "NumberOfTestingImages": testing_images,
                "NumberOfTrainingImages": training_images,
                "ProjectVersionArn": version_arn,
            },
            "LabelEvaluationResults": [
                {
                    "Label": m.label,
                    "Metrics": {
                        "F1Score": m.f1,
                        "Precision": m.precision,
                        "Recall": m.recall,
                        "Threshold": m.threshold,
                    },
                    "NumberOfTestingImages": m.testing_images,
                }
                for m in ordered
            ],
        }


def _f1(tp: int, fp: int, fn: int) -> float:
    denominator = 2 * tp + fp + fn
    return 2 * tp / denominator if denominator else 0.0


def _best_threshold(
    scored: Sequence[tuple[float, bool]], positives: int, ceiling: float = 100.0
) -> tuple[float, int, int]:
    """(threshold 0-1, TP, FP) maximising F1; ``scored`` = (confidence, is_true_positive).

    The threshold is at most ``ceiling`` (a confidence): the lowest the model gives any
    image it learnt with that label, so that none of them loses its label by default."""
    # (f1, threshold, tp, fp); 0.5 (or the ceiling) when nothing was predicted
    best = (0.0, min(0.5, ceiling / 100.0), 0, 0)
    candidates = sorted({conf for conf, _ in scored if conf <= ceiling} | {ceiling},
                        reverse=True)
    ranked = sorted(scored, key=lambda s: -s[0])
    tp = fp = i = 0
    for conf in candidates:  # lowering the threshold admits more predictions
        while i < len(ranked) and ranked[i][0] >= conf:
            if ranked[i][1]:
                tp += 1
            else:
                fp += 1
            i += 1
        f1 = _f1(tp, fp, positives - tp)
        if f1 > best[0] or (f1 == best[0] and f1 > 0):  # ties: the lower threshold (recall)
            best = (f1, conf / 100.0, tp, fp)
    return best[1], best[2], best[3]


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    aw, ah, al, at = a
    bw, bh, bl, bt = b
    iw = max(0.0, min(al + aw, bl + bw) - max(al, bl))
    ih = max(0.0, min(at + ah, bt + bh) - max(at, bt))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def box_hits(truth: Truth, predictions: Sequence[Detection]) -> list[bool]:
    """Per prediction, in order: whether it matches a ground-truth box of its label (IoU at
    least 0.5; the most confident predictions claim boxes first, each box once). The scorer
    and the evaluation manifest snapshot both decide true positives with it, so they agree."""
    unmatched: dict[str, list[tuple[float, float, float, float]]] = {}
    for name, box in truth.boxes:
        unmatched.setdefault(name, []).append(box)
    hits = [False] * len(predictions)
    for i in sorted(range(len(predictions)), key=lambda i: -predictions[i].confidence):
        det = predictions[i]
        pool = unmatched.get(det.name, [])
        if det.box is None or not pool:
            continue
        hit = next((g for g in pool if _iou(det.box, g) >= 0.5), None)
        if hit is not None:
            pool.remove(hit)
            hits[i] = True
    return hits


def evaluate(
    test_set: Sequence[tuple[str, str | None, Truth]],
    labels: Sequence[str],
    use_case: str,
    predict: Predictor,
    ceilings: dict[str, float] | None = None,
) -> Evaluation:
    """Run ``predict`` over every (digest, s3 uri, truth) of the test set and score it;
    ``ceilings``: per label, the highest threshold (a confidence) it may get."""
    answers = tuple((digest, uri, predict(digest, uri)) for digest, uri, _ in test_set)
    predictions = [(truth, preds) for (_, _, truth), (_, _, preds)
                   in zip(test_set, answers, strict=True)]
    matches = [box_hits(truth, preds) if use_case == LOCALIZATION else []
               for truth, preds in predictions]
    metrics: list[LabelMetrics] = []
    for label in labels:
        scored: list[tuple[float, bool]] = []
        positives = 0
        images = 0
        for (truth, preds), image_hits in zip(predictions, matches, strict=True):
            if use_case == LOCALIZATION:
                gt_boxes = [box for name, box in truth.boxes if name == label]
                images += bool(gt_boxes)
                positives += len(gt_boxes)
                # Only located objects are an object-detection model's answers: a scripted
                # label without a box is in neither the figures nor the snapshot.
                scored.extend((det.confidence, hit)
                              for det, hit in zip(preds, image_hits, strict=True)
                              if det.name == label and det.box is not None)
            else:
                present = label in truth.labels
                images += present
                positives += present
                confs = [d.confidence for d in preds if d.name == label]
                if confs:
                    scored.append((max(confs), present))
        threshold, tp, fp = _best_threshold(scored, positives,
                                            (ceilings or {}).get(label, 100.0))
        fn = positives - tp
        metrics.append(
            LabelMetrics(
                label=label,
                f1=_f1(tp, fp, fn),
                precision=tp / (tp + fp) if tp + fp else 0.0,
                recall=tp / positives if positives else 0.0,
                threshold=threshold,
                testing_images=images,
                scored=tuple(scored),
                positives=positives,
            )
        )
    scored_labels = [m for m in metrics if m.testing_images] or metrics
    n = len(scored_labels) or 1
    confusion: list[dict[str, Any]] = []
    if use_case != LOCALIZATION:
        thresholds = {m.label: m.threshold for m in metrics}
        for g in labels:
            with_g = [preds for truth, preds in predictions if g in truth.labels]
            if not with_g:
                continue
            for p in labels:
                hits = sum(
                    any(d.name == p and d.confidence >= percent(thresholds[p]) for d in preds)
                    for preds in with_g
                )
                if hits or g == p:
                    confusion.append(
                        {"GroundTruthLabel": g, "PredictedLabel": p, "Value": hits / len(with_g)}
                    )
    return Evaluation(
        labels=metrics,
        f1=sum(m.f1 for m in scored_labels) / n,
        precision=sum(m.precision for m in scored_labels) / n,
        recall=sum(m.recall for m in scored_labels) / n,
        confusion=confusion,
        use_case=use_case,
        answers=answers,
    )
