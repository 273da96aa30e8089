"""rekomock: Amazon Rekognition Custom Labels, mocked in-process on top of moto."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._domain.billing import RunningModelWarning
from .mock import MockRekognitionCustom, mock_rekognition_custom

if TYPE_CHECKING:
    from .controller import Controller

__all__ = ["Controller", "MockRekognitionCustom", "RunningModelWarning", "__version__",
           "mock_rekognition_custom"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``rekomock.Controller``, loaded on first use (it brings the whole service with it)."""
    if name == "Controller":
        from .controller import Controller

        return Controller
    raise AttributeError(f"module 'rekomock' has no attribute {name!r}")
