"""What a console page answers instead of data: a Chinese explanation, a form's field errors, or the sign-in page."""

from __future__ import annotations


class PageError(Exception):
    """Shown to the person as a page with this status and a short Chinese explanation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class SignInNeeded(Exception):
    """No valid session (none, expired, signed out, or the account deactivated): back to the sign-in page."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class FormInvalid(Exception):
    """A form's input broke rules: a Chinese message per field ("" for the form as a whole)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


FORBIDDEN = "您的账号无权查看或办理这项内容。如需办理，请联系盟人社局管理员。"
NOT_FOUND = "没有找到这条记录，或它不在您负责的地区。"
