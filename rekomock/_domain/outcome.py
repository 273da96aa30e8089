"""What a training (or a copy) produced, successful or not, and the description members it
adds to DescribeProjectVersions [M; EX:DescribeProjectVersions].

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .evaluation import Evaluation
from .manifests import ManifestLine, ParsedManifest
from .trained_model import TrainedModel

__all__ = ["TrainingOutcome"]


@dataclass(slots=True)
class TrainingOutcome:
    """What a training produced, successful or not."""

    ok: bool
    message: str | None = None
    #: why it failed, in more words than AWS's StatusMessage (``rk.explain``)
    cause: str | None = None
    model: TrainedModel | None = None
    evaluation: Evaluation | None = None
    train: ParsedManifest | None = None
    test: ParsedManifest | None = None
    train_used: list[ManifestLine] = field(default_factory=list)
    test_used: list[ManifestLine] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    predict: Any = None  # the predictor evaluation used (scripted answers included)
    #: kind of output file -> (bucket, key), filled when the files are written.
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    training_input: dict[str, Any] = field(default_factory=dict)
    testing_input: dict[str, Any] = field(default_factory=lambda: {"AutoCreate": False})

    @property
    def f1(self) -> float | None:
        return self.evaluation.f1 if self.evaluation is not None else None

    def _assets(self, kind: str) -> list[dict[str, Any]]:
        bucket, key = self.refs[kind]
        return [{"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}]

    def describe_members(self) -> dict[str, Any]:
        """The DescribeProjectVersions members a finished training adds
        [M; EX:DescribeProjectVersions]."""
        auto = bool(self.testing_input.get("AutoCreate", False))
        training: dict[str, Any] = {"Input": self.training_input}
        testing: dict[str, Any] = {"Input": self.testing_input}
        out: dict[str, Any] = {"TrainingDataResult": training, "TestingDataResult": testing}
        if "TrainingGroundTruth" in self.refs:
            training["Output"] = {"Assets": self._assets("TrainingGroundTruth")}
            testing["Output"] = {"Assets": self._assets("TestingGroundTruth"), "AutoCreate": auto}
        if "TrainingManifestWithValidation" in self.refs:
            training["Validation"] = {"Assets": self._assets("TrainingManifestWithValidation")}
        if "TestingManifestWithValidation" in self.refs:
            testing["Validation"] = {"Assets": self._assets("TestingManifestWithValidation")}
        if "ManifestSummary" in self.refs:
            bucket, key = self.refs["ManifestSummary"]
            out["ManifestSummary"] = {"S3Object": {"Bucket": bucket, "Name": key}}
        if self.ok and self.evaluation is not None and "EvaluationResultSummary" in self.refs:
            bucket, key = self.refs["EvaluationResultSummary"]
            out["EvaluationResult"] = {
                "F1Score": self.evaluation.f1,
                "Summary": {"S3Object": {"Bucket": bucket, "Name": key}},
            }
        return out
