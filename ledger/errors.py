"""The rules the ledger refuses, as named domain errors."""

from core.errors import DomainError


class InsufficientPoints(DomainError):
    code = "INSUFFICIENT_POINTS"
    message = "可用积分不足"


class InvalidAmount(DomainError):
    code = "VALIDATION_ERROR"
    message = "积分数额无效"


class UnbalancedTransaction(DomainError):
    code = "UNBALANCED_TRANSACTION"
    message = "记账分录合计不为零"


class DuplicateReference(DomainError):
    code = "DUPLICATE_REFERENCE"
    message = "该业务已记过账"


class TransactionNotFound(DomainError):
    code = "NOT_FOUND"
    message = "记账交易不存在"


class AlreadyReversed(DomainError):
    code = "ALREADY_REVERSED"
    message = "该交易已被冲正"


class HoldNotFound(DomainError):
    code = "NOT_FOUND"
    message = "积分冻结记录不存在"


class HoldNotPending(DomainError):
    code = "HOLD_NOT_PENDING"
    message = "该积分冻结已处理"


class HoldExpired(DomainError):
    code = "HOLD_EXPIRED"
    message = "该积分冻结已过期"


class IdempotencyKeyReused(DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"
    message = "该幂等键已用于另一个不同的请求"


class IdempotencyKeyInUse(DomainError):
    code = "IDEMPOTENCY_KEY_IN_USE"
    message = "使用该幂等键的请求仍在处理中，请稍后重试"
