"""The phases' names in moto's state manager, one per asynchronous phase.

Pick a phase's progression as for any moto service::

    from moto.moto_api import state_manager
    from rekomock.phases import VERSION_TRAINING

    state_manager.set_transition(VERSION_TRAINING, {"progression": "manual", "times": 3})

Every phase is ``immediate`` unless a test chooses otherwise.
"""

from __future__ import annotations

from ._domain.lifecycle import (
    DATASET_CREATING,
    DATASET_DELETING,
    DATASET_UPDATING,
    MODEL_NAMES,
    PROJECT_CREATING,
    PROJECT_DELETING,
    VERSION_COPYING,
    VERSION_DELETING,
    VERSION_STARTING,
    VERSION_STOPPING,
    VERSION_TRAINING,
)

__all__ = [
    "DATASET_CREATING",
    "DATASET_DELETING",
    "DATASET_UPDATING",
    "MODEL_NAMES",
    "PROJECT_CREATING",
    "PROJECT_DELETING",
    "VERSION_COPYING",
    "VERSION_DELETING",
    "VERSION_STARTING",
    "VERSION_STOPPING",
    "VERSION_TRAINING",
]
