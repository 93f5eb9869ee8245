"""The app as `bench/run.py` serves it with gunicorn: settings from `FLASK_` variables, plus the
forms of the test BPMN files (the approval cases run `two_step_review`)."""
import tests.forms_for_tests  # noqa: F401
from service import create_app

app = create_app()
