"""The procedures the service runs: one package each, declared by its `PROCEDURE` record.

Adding a procedure: create its package (see docs/architecture.md) and add its record here.
"""
from .labelling import PROCEDURE as labelling
from .presidency_handover import PROCEDURE as presidency_handover
from .referent_cycle import PROCEDURE as referent_cycle
from .silent_procedure import PROCEDURE as silent_procedure

PROCEDURES = (silent_procedure, labelling, referent_cycle, presidency_handover)
