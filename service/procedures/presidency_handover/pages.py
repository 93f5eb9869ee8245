"""Pages of the presidency handover."""
from flask import Blueprint

bp = Blueprint("presidency_handover_pages", __name__, template_folder="templates")
