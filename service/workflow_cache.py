"""Restored workflows kept in memory between use cases, so a step need not deserialize.

An entry is *taken* (removed) by the use case that works on the case and *given back* only
after its commit succeeded, under the case's new version: a workflow object is never in two
threads' hands, and a failed or conflicting step leaves nothing behind. A version that does not
match (another process moved the case on) is a miss: the state is read from the database.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class WorkflowCache:
    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[int, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int):
        """The workflow of `case_id` at `version`, removed from the cache; or None."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is None or entry[0] != version:
            return None
        return entry[1]

    def give_back(self, case_id: int, version: int, workflow) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[case_id] = (version, workflow)
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
