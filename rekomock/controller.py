"""The controller (``rk``): what ``with mock_rekognition_custom() as rk`` and the ``rekomock``
fixture give. It lives in the service layer, over the backend and the steering state."""

from __future__ import annotations

from ._domain.billing import Bill, BillItem, RunningModel
from ._service.controller import Controller

__all__ = ["Bill", "BillItem", "Controller", "RunningModel"]
