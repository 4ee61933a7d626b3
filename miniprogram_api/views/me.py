"""The signed-in volunteer's own profile."""

from flask import current_app
from flask_smorest import Blueprint

from core.masking import mask_phone
from identity import operations as identity
from miniprogram_api import presenters
from miniprogram_api.auth import current_volunteer, volunteer_required
from miniprogram_api.extensions import db
from miniprogram_api.schemas.me import MePatchSchema, MeSchema, PhoneCodeSchema, PhoneResultSchema

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The volunteer's own data")
BEARER = [{"bearerAuth": []}]


@blp.route("", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.response(200, MeSchema)
def get_me():
    """Show the signed-in volunteer's profile."""
    return presenters.me(db.session, current_volunteer())


@blp.route("", methods=["PATCH"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(MePatchSchema)
@blp.response(200, MeSchema)
def patch_me(changes):
    """Change nickname, real name or region."""
    identity.update_profile(db.session, current_volunteer(), **changes)
    db.session.commit()
    return presenters.me(db.session, current_volunteer())


@blp.route("/phone", methods=["POST"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(PhoneCodeSchema)
@blp.response(200, PhoneResultSchema)
def bind_phone(body):
    """Store the phone number WeChat vouches for (the ``getPhoneNumber`` code)."""
    phone = current_app.extensions["wechat"].get_phone_number(body["code"])
    identity.set_phone(db.session, current_volunteer(), phone)
    db.session.commit()
    return {"phone_masked": mask_phone(phone)}
