"""Looking up an account's backends in one of moto's ``BackendDict``s, at a dict's cost.

``backends[account]`` takes moto's global backend lock and scans its list of every
``BackendDict`` in use on each lookup (to register this one for reset); a training reads
S3 through it dozens of times. The account's entry exists only once that registration is
done (moto's reset clears the entries and the list together), so where it exists the
lookup can skip both; where it does not, moto's own lookup makes it.
"""

from __future__ import annotations

from typing import Any


def account_backends(backends: Any, account_id: str) -> Any:
    """``backends[account_id]``: an account's region backends in a ``BackendDict``."""
    found = dict.get(backends, account_id)
    return found if found is not None else backends[account_id]


def region_backend(backends: Any, account_id: str, region: str) -> Any:
    """``backends[account_id][region]``, made by moto where it does not exist yet."""
    account = account_backends(backends, account_id)
    found = dict.get(account, region)
    return found if found is not None else account[region]
