"""Flask extensions, created once here and bound to the app in create_app()."""
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from quiz.infra.replica import RoutingSession

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# RoutingSession: reads inside quiz.infra.replica.replica_reads() go to DATABASE_READ_URL.
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), session_options={"class_": RoutingSession})

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, DeclarativeBase):
        """What db.Model is at run time, spelled so mypy accepts it as a base class.

        Flask-SQLAlchemy sets db.Model on the instance in __init__, which mypy cannot use as a
        base (python/mypy#8603); the models subclass this name instead.
        """
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
# Sliding-window counters: two small counters per key in Redis (a moving window keeps one entry per hit).
limiter = Limiter(key_func=get_remote_address, strategy="sliding-window-counter")
