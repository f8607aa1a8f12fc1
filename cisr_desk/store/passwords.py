"""Passwords: argon2id hashes (argon2-cffi), never the password itself.

``HASHER`` is the one place the parameters live (argon2-cffi's defaults, RFC 9106's
low-memory choice: argon2id, 64 MiB, 3 passes); tests replace it with cheap parameters. A
stored hash made with other parameters verifies and is replaced at the next good sign-in.
"""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from cisr_desk.domain.errors import InvalidValue

HASHER = PasswordHasher(type=Type.ID)
MAX_LENGTH = 1024  # a password is text a person types; more is a mistake or an attack on the CPU

_dummy: tuple[PasswordHasher, str] | None = None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored: str, password: str) -> bool:
    """True when ``password`` is the one ``stored`` was made from; False for anything else."""
    if not stored or len(password) > MAX_LENGTH:
        spend_time(password)
        return False
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


def spend_time(password: str) -> None:
    """Verify against a hash of nothing, so an unknown name costs as long as a known one."""
    global _dummy
    if _dummy is None or _dummy[0] is not HASHER:
        _dummy = (HASHER, HASHER.hash("not a password of anyone"))
    try:
        HASHER.verify(_dummy[1], password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        pass


def check_new(password: str, min_length: int) -> str:
    """A new password as given, or InvalidValue saying what is wrong with it."""
    if not isinstance(password, str) or len(password) < min_length:
        raise InvalidValue(f"A password needs at least {min_length} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidValue(f"A password has at most {MAX_LENGTH} characters")
    if password != password.strip():
        raise InvalidValue("A password cannot begin or end with a space")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise InvalidValue("A password cannot contain control characters (tabs, line breaks)")
    return password
