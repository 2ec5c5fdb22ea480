"""Domain errors. Views translate them: a field error goes next to its field, the rest to a flash
or a JSON body. Messages are Chinese and written for the user who caused them."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class ValidationFailed(ServiceError):
    """One or more fields are wrong: errors is {field: message}."""
    status = 422

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__("；".join(self.errors.values()))


class NotFound(ServiceError):
    """Also used for objects outside the actor's areas, so that they cannot be probed."""
    status = 404

    def __init__(self, message="没有找到，或不在您负责的范围内"):
        super().__init__(message)


class Forbidden(ServiceError):
    status = 403

    def __init__(self, message="您没有权限进行此操作"):
        super().__init__(message)


class Conflict(ServiceError):
    status = 409


class AlreadyPaid(Conflict):
    pass


class CampaignClosed(ServiceError):
    status = 422


class Busy(ServiceError):
    """The database's write lock was not free in time (WRITE_LOCK_TIMEOUT_S): nothing was saved,
    and trying again shortly will do. Answered 503 with Retry-After; the phones' outbox retries."""
    status = 503
    retry_after_s = 5

    def __init__(self, message="系统繁忙，请稍后重试"):
        super().__init__(message)
