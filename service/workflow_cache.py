"""Restored workflows kept in memory between use cases, so a step need not deserialize.

An entry is *taken* (removed) by the use case that works on the case and *given back* only
after its commit succeeded, under the case's new version: a workflow object is never in two
threads' hands, and a failed or conflicting step leaves nothing behind. A version that does not
match (another process moved the case on) is a miss: the state is read from the database.

The cache is bounded by a count and by a weight: an entry weighs its stored state's length
(a restored workflow takes about three times that in memory), so a few long cases cannot
fill a process's memory where a count alone would let them. The least recently given back
go first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class WorkflowCache:
    def __init__(self, size: int, max_weight: int | None = None):
        self.size = size
        self.max_weight = max_weight
        self.weight = 0
        self._entries: OrderedDict[int, tuple[int, Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int):
        """The workflow of `case_id` at `version`, removed from the cache; or None."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
            if entry is not None:
                self.weight -= entry[2]
        if entry is None or entry[0] != version:
            return None
        return entry[1]

    def give_back(self, case_id: int, version: int, workflow, weight: int = 0) -> None:
        """Keep `workflow` (weighing `weight`: its state's length) under `version`."""
        if self.size <= 0 or (self.max_weight is not None and weight > self.max_weight):
            return
        with self._lock:
            previous = self._entries.pop(case_id, None)
            if previous is not None:
                self.weight -= previous[2]
            self._entries[case_id] = (version, workflow, weight)
            self.weight += weight
            while len(self._entries) > self.size or (self.max_weight is not None and self.weight > self.max_weight):
                _, (_, _, gone) = self._entries.popitem(last=False)
                self.weight -= gone

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.weight = 0
