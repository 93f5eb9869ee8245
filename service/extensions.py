"""The Flask extensions, created once and bound to the app in `create_app`."""
from flask_smorest import Api
from flask_wtf import CSRFProtect

from database import Base, NAMING_CONVENTION, db  # noqa: F401 - the service's database
from notifications.sender import mail  # noqa: F401 - Flask-Mail, owned by the sender

api = Api()
csrf = CSRFProtect()
