"""The controller (``rk``): what ``with mock_rekognition_custom() as rk`` and the ``rekomock``
fixture give, and the types it answers with. It lives in the service layer, over the backend
and the steering state."""

from __future__ import annotations

from ._domain.billing import Bill, BillItem, RunningModel
from ._domain.faults import Call, Calls
from ._domain.quotas import Quotas
from ._service.controller import Controller, Resource

__all__ = ["Bill", "BillItem", "Call", "Calls", "Controller", "Quotas", "Resource", "RunningModel"]
