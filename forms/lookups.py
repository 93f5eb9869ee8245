"""What the forms check names against (partners, Action Plan actions, committees).

The forms know no database: the app provides these lookups once at start-up
(`forms.lookups.provide`), so one form definition serves the page, the API and the tests.
"""
from __future__ import annotations

from typing import Protocol


class Reference(Protocol):
    def partner_codes(self) -> set[str]: ...
    def current_action_numbers(self) -> set[int]: ...
    def current_plan_numbers(self) -> tuple[set[int], set[int], set[int]]: ...  # domains, objectives, actions
    def committee_codes(self) -> set[str]: ...


_reference: Reference | None = None


def provide(reference: Reference) -> None:
    """Called by `create_app` with the service's reference data reader."""
    global _reference
    _reference = reference


def reference() -> Reference:
    if _reference is None:
        raise RuntimeError("No reference data provided to the forms (forms.lookups.provide).")
    return _reference
