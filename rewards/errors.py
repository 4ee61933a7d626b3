"""The rules of merchants, perks and redemption, as named domain errors (codes fixed by API.md)."""

from core.errors import DomainError


class MerchantNotFound(DomainError):
    code = "NOT_FOUND"
    message = "未找到该商家"


class BindCodeInvalid(DomainError):
    code = "NOT_FOUND"
    message = "绑定码无效，请向管理员确认"


class NotMerchantStaff(DomainError):
    code = "FORBIDDEN"
    message = "您还不是任何商家的店员，请先用绑定码绑定商家"


class PerkNotFound(DomainError):
    code = "NOT_FOUND"
    message = "未找到该优待服务"


class PerkNotAvailable(DomainError):
    code = "PERK_NOT_AVAILABLE"
    message = "该优待服务当前不可兑换"


class StarLevelTooLow(DomainError):
    code = "STAR_LEVEL_TOO_LOW"
    message = "您的志愿者星级不足，暂不能兑换该优待服务"


class OutOfStock(DomainError):
    code = "OUT_OF_STOCK"
    message = "该优待服务已兑完"


class LimitReached(DomainError):
    code = "LIMIT_REACHED"
    message = "您已达到该优待服务的兑换次数上限"


class RedemptionNotFound(DomainError):
    code = "NOT_FOUND"
    message = "未找到该兑换记录"


class RedemptionCodeInvalid(DomainError):
    code = "REDEMPTION_CODE_INVALID"
    message = "兑换码无效，请核对后重试"


class RedemptionExpired(DomainError):
    code = "REDEMPTION_EXPIRED"
    message = "兑换码已过期，请志愿者重新兑换"


class AlreadyFulfilled(DomainError):
    code = "ALREADY_FULFILLED"
    message = "该兑换已核销"


class RedemptionCancelled(DomainError):
    code = "REDEMPTION_CANCELLED"
    message = "该兑换已被志愿者取消"


class WrongMerchant(DomainError):
    code = "WRONG_MERCHANT"
    message = "该兑换码不属于您所在的商家"


class InvalidPerk(DomainError):
    code = "VALIDATION_ERROR"
    message = "优待服务信息不合法"
