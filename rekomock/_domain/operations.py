"""The Rekognition operations rekomock answers while it is active.

Every other operation, and every operation while rekomock is inactive, goes to moto's own
Rekognition handler. One list, read by routing, the fast path, the waiters and the fault
injector, so the "is this call ours" decision has one source.
"""

from __future__ import annotations

__all__ = ["OPERATIONS"]

OPERATIONS: frozenset[str] = frozenset((
    "CreateProject",
    "DescribeProjects",
    "DeleteProject",
    "CreateDataset",
    "DescribeDataset",
    "DeleteDataset",
    "ListDatasetEntries",
    "ListDatasetLabels",
    "UpdateDatasetEntries",
    "DistributeDatasetEntries",
    "CreateProjectVersion",
    "DescribeProjectVersions",
    "CopyProjectVersion",
    "PutProjectPolicy",
    "ListProjectPolicies",
    "DeleteProjectPolicy",
    "StartProjectVersion",
    "StopProjectVersion",
    "DeleteProjectVersion",
    "DetectCustomLabels",
    "DetectModerationLabels",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
))
