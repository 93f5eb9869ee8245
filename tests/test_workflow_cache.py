"""The in-process cache of restored workflows: bounded by a count and by the weight of the
states it keeps, least recently given back first out."""
from service.workflow_cache import WorkflowCache


class Workflow:
    """Stands for a restored workflow (the cache never looks inside)."""


def test_a_few_long_cases_cannot_fill_the_cache_beyond_its_weight():
    cache = WorkflowCache(size=100, max_weight=1_000)
    kept = {case_id: Workflow() for case_id in range(1, 5)}
    for case_id, workflow in kept.items():
        cache.give_back(case_id, 1, workflow, weight=300)
    # Four states of 300 weigh 1,200: the oldest went, the weight holds.
    assert len(cache) == 3 and cache.weight == 900
    assert cache.take(1, 1) is None
    assert cache.take(4, 1) is kept[4] and cache.weight == 600
    # A state heavier than the whole bound is not kept, and evicts nothing.
    cache.give_back(9, 1, Workflow(), weight=1_001)
    assert cache.take(9, 1) is None and len(cache) == 2 and cache.weight == 600


def test_the_count_still_bounds_it_and_a_changed_version_is_a_miss():
    cache = WorkflowCache(size=2, max_weight=10_000)
    first, second, third = Workflow(), Workflow(), Workflow()
    cache.give_back(1, 3, first, weight=10)
    cache.give_back(2, 3, second, weight=10)
    cache.give_back(1, 4, first, weight=20)  # given back again after a step: now the newest
    cache.give_back(3, 1, third, weight=10)
    assert cache.take(2, 3) is None  # the least recently given back went
    assert cache.take(1, 3) is None  # another process moved the case on: a miss, and gone
    assert cache.take(3, 1) is third and len(cache) == 0 and cache.weight == 0
