"""Flask extensions, created unbound here and bound to an app by ``create_app``.

The flask-smorest ``Api`` is not here: it keeps one OpenAPI spec, so each app gets its own.
"""

from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy

from core.db import Base

db = SQLAlchemy(model_class=Base)
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address)
