"""The database object every layer writes through: one SQLAlchemy metadata, stable names.

It sits below `service/`, `notifications/` and the procedures, so the outbox (in
`notifications/`) and the service share one session and one transaction without importing
each other.
"""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .types import UTCDateTime, as_utc  # noqa: F401

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay readable after the commit that ends a use case (the answer is built from
# them); a stale read can never be written back, the case's version column refuses it.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
