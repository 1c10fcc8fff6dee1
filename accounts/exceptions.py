"""Errors of accounts and access.

    CoconError (store.exceptions)
    └── InvalidInput
        └── AccountError          an account cannot be made or changed as asked
    LinkRefused                   a login link unknown, used or expired (``reason``), shown as a page
"""

from store.exceptions import InvalidInput


class AccountError(InvalidInput):
    pass


class LinkRefused(Exception):
    """A magic link that is unknown, already used or expired (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
