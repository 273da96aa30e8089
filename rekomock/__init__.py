"""rekomock: Amazon Rekognition Custom Labels, mocked in-process on top of moto."""

from __future__ import annotations

from .controller import Controller
from .core import MockRekognitionCustom, mock_rekognition_custom
from .fastpath import install as _install_fastpath
from .routing import install as _install

__all__ = ["Controller", "MockRekognitionCustom", "__version__", "mock_rekognition_custom"]
__version__ = "0.1.0"

# Inert until activated: the router sends everything to moto's own handler meanwhile, and
# the fast path declines every call.
_install()
_install_fastpath()
