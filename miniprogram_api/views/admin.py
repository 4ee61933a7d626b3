"""Staff basics: who am I, and which regions may I act on."""

from flask import g
from flask_smorest import Blueprint

from core import regions
from identity.models import Staff
from miniprogram_api.auth import staff_required
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db
from miniprogram_api.schemas.admin import RegionListSchema, StaffProfileSchema

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Staff console basics")
BEARER = [{"bearerAuth": []}]


@blp.route("/me", methods=["GET"])
@staff_required()
@blp.doc(security=BEARER)
@blp.response(200, StaffProfileSchema)
def staff_me():
    """Show the signed-in staff member."""
    staff = db.session.get(Staff, g.staff.id)
    if staff is None or not staff.is_active:
        raise ApiError(401, "UNAUTHENTICATED", "账号不存在或已停用，请重新登录")
    return {
        "id": staff.id,
        "username": staff.username,
        "display_name": staff.display_name,
        "roles": staff.roles,
        "region_code": staff.region_code,
        "region_name": regions.get(staff.region_code).full_name,
    }


@blp.route("/regions", methods=["GET"])
@staff_required()
@blp.doc(security=BEARER)
@blp.response(200, RegionListSchema)
def list_regions():
    """List the regions inside the staff member's own region subtree."""
    visible = [r for r in regions.all_regions() if g.staff.can_see(r.code)]
    return {"items": visible}
