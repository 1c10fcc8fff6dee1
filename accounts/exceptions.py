"""Errors of accounts and access.

    CoconError (store.exceptions)
    ├── InvalidInput
    │   └── AccountError          an account cannot be made or changed as asked
    └── LinkRefused               a login link unknown, used or expired (``reason``), shown as a page
"""

from store.exceptions import CoconError, InvalidInput

_SENTENCES = {
    "unknown": "Ce lien de connexion n'est pas valable : demandez-en un nouveau.",
    "used": "Ce lien de connexion a déjà servi : demandez-en un nouveau.",
    "expired": "Ce lien de connexion a expiré : demandez-en un nouveau.",
}


class AccountError(InvalidInput):
    pass


class LinkRefused(CoconError):
    """A magic link that is unknown, already used or expired (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(_SENTENCES.get(reason, _SENTENCES["unknown"]))
