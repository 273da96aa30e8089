"""rekomock: Amazon Rekognition Custom Labels, mocked in-process on top of moto.

Every public name loads on first use (PEP 562): pytest imports this package in every session
through the plugin's entry point, and a suite that never uses rekomock should not pay for
importing moto and boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._domain.billing import RunningModelWarning
    from .controller import Controller
    from .mock import MockRekognitionCustom, mock_rekognition_custom

__all__ = ["Controller", "MockRekognitionCustom", "RunningModelWarning", "__version__",
           "mock_rekognition_custom"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """The public names, imported (and kept in the module) on first use."""
    value: Any
    if name == "Controller":
        from .controller import Controller as value
    elif name == "MockRekognitionCustom":
        from .mock import MockRekognitionCustom as value
    elif name == "mock_rekognition_custom":
        from .mock import mock_rekognition_custom as value
    elif name == "RunningModelWarning":
        from ._domain.billing import RunningModelWarning as value
    else:
        raise AttributeError(f"module 'rekomock' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
