"""Errors of accounts and access.

    CoconError (store.exceptions)
    ├── InvalidInput
    │   └── AccountError          an account cannot be made or changed as asked
    └── LinkRefused               a login link unknown, used or expired (``reason``), shown as a page
"""

from store.exceptions import CoconError, InvalidInput

_KEYS = {
    "unknown": "error.accounts.link_unknown",
    "used": "error.accounts.link_used",
    "expired": "error.accounts.link_expired",
}


class AccountError(InvalidInput):
    pass


class LinkRefused(CoconError):
    """A magic link that is unknown, already used or expired (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(_KEYS.get(reason, _KEYS["unknown"]))
