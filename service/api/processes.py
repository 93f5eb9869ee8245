"""`/api/processes`: the process definitions this service runs."""
from flask_smorest import Blueprint

from .. import cases
from .auth import require_contact
from .schemas import ProcessSchema

blp = Blueprint("processes", __name__, url_prefix="/api/processes", description="Process definitions")


@blp.route("")
@blp.response(200, ProcessSchema(many=True))
def list_processes():
    """The processes (BPMN definitions) and the version each new case would use."""
    require_contact()
    return list(cases.registry())
