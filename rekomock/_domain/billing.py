"""What running Custom Labels costs: prices, the itemized bill, the models left running.

AWS charges Custom Labels for the time a successful training takes ("Training hours") and
for inference units x the time a model runs, idle or not ("Inference hours")
[CL:running-model; CL:training-model]. The prices are those of the Amazon Rekognition
pricing page, Custom Labels section, <https://aws.amazon.com/rekognition/pricing/>, for US
East (N. Virginia): one price for every region here (docs/decisions.md, *Capacity and cost*);
``rk.set_prices`` sets a region's own.

Pure rules: the service layer gathers each version's hours, this module prices them.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .control_args import finite_number

__all__ = [
    "DEFAULT_PRICES",
    "INFERENCE",
    "PRICING_PAGE",
    "TRAINING",
    "Bill",
    "BillItem",
    "Prices",
    "RunningModel",
    "RunningModelWarning",
    "Usage",
    "make_bill",
]

PRICING_PAGE = "https://aws.amazon.com/rekognition/pricing/"
#: The kinds of charge a bill itemizes.
TRAINING = "training"
INFERENCE = "inference"
#: Prices are checked against this ceiling (USD per hour): any real price is far below.
MAX_PRICE = 1_000_000.0


@dataclass(frozen=True)
class Prices:
    """USD per hour: of training, and of one inference unit running."""

    training_hour: float = 1.00
    inference_hour: float = 4.00

    def replace(self, *, training_hour: Any = None, inference_hour: Any = None) -> Prices:
        """These prices with the ones given (checked) in place; None keeps a price."""
        changes = {name: finite_number(name, value, 0, MAX_PRICE)
                   for name, value in (("training_hour", training_hour),
                                       ("inference_hour", inference_hour))
                   if value is not None}
        return dataclasses.replace(self, **changes)


#: US East (N. Virginia), Custom Labels section of the pricing page (PRICING_PAGE).
DEFAULT_PRICES = Prices()


@dataclass(frozen=True)
class Usage:
    """What one version used: the billable training time DescribeProjectVersions reports
    (``BillableTrainingTimeInSeconds``, 0 when none) and its inference-unit hours."""

    version: str
    training_seconds: int
    inference_unit_hours: float


@dataclass(frozen=True)
class BillItem:
    """One line of a bill: a version's training or inference charge."""

    version: str  #: the ProjectVersionArn
    kind: str  #: ``"training"`` or ``"inference"``
    hours: float  #: training hours, or inference-unit hours
    unit_price: float  #: USD per hour
    amount: float  #: USD, hours x unit_price (unrounded)


@dataclass(frozen=True)
class Bill:
    """An itemized statement in USD: two lines per version (training, then inference), in
    the order the versions were made, and their total."""

    items: tuple[BillItem, ...]
    total: float
    currency: str = "USD"

    def __str__(self) -> str:
        head = ("VERSION", "KIND", "HOURS", "USD/HOUR", "AMOUNT")
        rows = [(i.version, i.kind, f"{i.hours:.4f}", f"{i.unit_price:.2f}",
                 f"{i.amount:.2f}") for i in self.items]
        total = ("TOTAL", "", "", "", f"{self.total:.2f}")
        widths = [max(len(row[c]) for row in (head, *rows, total)) for c in range(5)]

        def line(row: tuple[str, ...]) -> str:
            cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
            cells += [row[c].rjust(widths[c]) for c in range(2, 5)]
            return "  ".join(cells)

        rule = "-" * len(line(head))
        lines = [f"Amazon Rekognition Custom Labels: statement in {self.currency}",
                 line(head), rule, *(line(row) for row in rows), rule, line(total)]
        if not rows:
            lines.insert(3, "(no model versions)")
        return "\n".join(lines)


def make_bill(usage: Iterable[Usage], prices: Prices) -> Bill:
    """Price each version's training and inference-unit hours."""
    items: list[BillItem] = []
    for used in usage:
        training = used.training_seconds / 3600
        items.append(BillItem(used.version, TRAINING, training, prices.training_hour,
                              training * prices.training_hour))
        items.append(BillItem(used.version, INFERENCE, used.inference_unit_hours,
                              prices.inference_hour,
                              used.inference_unit_hours * prices.inference_hour))
    return Bill(tuple(items), math.fsum(item.amount for item in items))


@dataclass(frozen=True)
class RunningModel:
    """A version that is STARTING or RUNNING, so costing money by the hour."""

    version: str  #: the ProjectVersionArn
    status: str  #: ``"STARTING"`` or ``"RUNNING"``
    inference_units: int
    cost_per_hour: float  #: USD: inference_units x the inference-hour price

    def __str__(self) -> str:
        units = "unit" if self.inference_units == 1 else "units"
        return (f"{self.version} ({self.status}, {self.inference_units} inference {units}, "
                f"${self.cost_per_hour:.2f} per hour)")


class RunningModelWarning(UserWarning):
    """A test ended with Custom Labels models still running: on AWS they would be charged
    by the hour until stopped (the pytest plugin's ``rekomock_running_models`` option)."""
