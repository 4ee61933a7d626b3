"""What nominations, case submissions and their reviews can refuse."""

from core.errors import DomainError


class AlreadyNominated(DomainError):
    code = "ALREADY_NOMINATED"
    message = "该志愿者本年度已被推荐"


class AlreadyReviewed(DomainError):
    code = "ALREADY_REVIEWED"
    message = "该申报当前状态不能执行此操作"


class SelectionFull(DomainError):
    code = "SELECTION_FULL"
    message = "本年度名额已满"
