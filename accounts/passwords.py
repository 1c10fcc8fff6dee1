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


def password_problem(password: str, lang: str = "fr") -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        if lang == "en":
            return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    if len(password) > MAX_PASSWORD_LENGTH:
        if lang == "en":
            return f"The password may have at most {MAX_PASSWORD_LENGTH} characters."
        return f"Le mot de passe doit compter au plus {MAX_PASSWORD_LENGTH} caractères."
    return None


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; always spends one argon2 verification, even without an account."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password[:MAX_PASSWORD_LENGTH]) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
