"""rekomock: Amazon Rekognition Custom Labels, mocked in-process on top of moto."""

from __future__ import annotations

from .controller import Controller
from .mock import MockRekognitionCustom, mock_rekognition_custom

__all__ = ["Controller", "MockRekognitionCustom", "__version__", "mock_rekognition_custom"]
__version__ = "0.1.0"
