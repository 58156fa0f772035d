from safeguarding.common.errors import ApplicationError


class DeadlineError(ApplicationError):
    code = "deadline_refused"
