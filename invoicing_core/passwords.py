"""Password hashing with Argon2id."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _unknown_user_hash() -> str:
    # Verified against when the user name is unknown, so that a wrong user name
    # takes as long as a wrong password and does not reveal which accounts exist.
    return _hasher.hash("unknown-user-placeholder")


def hash_password(password: str) -> str:
    """An Argon2id hash of the password, with its own salt and parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _unknown_user_hash(), password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False
