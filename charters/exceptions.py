"""Errors of the charter service. Each message is one French sentence for a coordinator.

::

    CoconError (store.exceptions)
    └── CharterError
        ├── CharterTemplateMissing       no charter template for this id and language
        ├── CharterRenderError           a value the template needs is missing
        ├── NotAMember                   the person is not (or no longer) in the project
        ├── AlreadySigned                the person already signed the current version
        ├── VersionNotFound              no charter version with this number
        ├── CharterTampered              a stored text no longer matches its hash
        ├── VersionNotCurrent            the paper signed is not the current version
        └── SigningLinkRefused           a signing link cannot be used (always audited)
            ├── UnknownSigningToken      never issued (or mistyped)
            ├── SigningTokenUsed         already used once
            ├── SigningTokenExpired      past its expiry date
            ├── ForeignSigningToken      issued for another project
            └── OutdatedSigningToken     the charter changed since the link was issued
"""

from store.exceptions import CoconError


class CharterError(CoconError):
    """Base of the charter errors."""


class CharterTemplateMissing(CharterError):
    pass


class CharterRenderError(CharterError):
    pass


class NotAMember(CharterError):
    pass


class AlreadySigned(CharterError):
    pass


class VersionNotFound(CharterError):
    pass


class CharterTampered(CharterError):
    pass


class VersionNotCurrent(CharterError):
    pass


class SigningLinkRefused(CharterError):
    """A signing link was refused; :attr:`reason` is a stable code written to the audit log."""

    reason = "refused"


class UnknownSigningToken(SigningLinkRefused):
    reason = "unknown"


class SigningTokenUsed(SigningLinkRefused):
    reason = "used"


class SigningTokenExpired(SigningLinkRefused):
    reason = "expired"


class ForeignSigningToken(SigningLinkRefused):
    reason = "foreign"


class OutdatedSigningToken(SigningLinkRefused):
    reason = "outdated"
