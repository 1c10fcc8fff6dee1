"""Passwords, hashed with argon2id (argon2-cffi).

An unknown login still costs one verification against a dummy hash, so that the time taken does
not tell which emails have an account.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
#: Longer passwords are refused: argon2 hashes anything, but a megabyte per attempt costs CPU.
MAX_PASSWORD_LENGTH = 200

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: every `cocon` command imports the accounts package.
    return _hasher.hash("cocon-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used (a catalogue key, ``{n}`` the limit), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "error.accounts.password_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "error.accounts.password_long"
    return None


#: The limit each password problem names.
PASSWORD_LIMITS = {"error.accounts.password_short": MIN_PASSWORD_LENGTH, "error.accounts.password_long": MAX_PASSWORD_LENGTH}


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; always spends one argon2 verification, even without an account."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password[:MAX_PASSWORD_LENGTH]) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
