"""Staff passwords: argon2id hashes (argon2-cffi), sign-in with throttling, password change.

Only the argon2 hash is stored (``kasane.users.password_hash``); a password is never logged,
stored or put in an error message. Sign-in is throttled per account name and per client: after
:data:`ACCOUNT_LIMIT` (or :data:`CLIENT_LIMIT`) failures within :data:`WINDOW`, further
attempts are refused *without checking the password* until the oldest failure leaves the
window, so a guesser learns nothing and the real user waits at most :data:`WINDOW` (nobody
is locked out for good). A successful sign-in forgets the account's failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gis.platform.auth import Principal, Role
from gis.platform.errors import BadRequest, KasaneError, NotFound

Conn = psycopg.Connection[Any]
MIN_LENGTH = 10
MAX_LENGTH = 200
ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
WINDOW = timedelta(minutes=15)
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when the name is unknown, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("kasane-no-such-user-password")


class SignInFailed(KasaneError):
    """Wrong name or password (the message never says which)."""

    status = 401
    code = "sign-in-failed"


class SignInThrottled(KasaneError):
    """Too many recent failures for this account or this client."""

    status = 429
    code = "sign-in-throttled"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Throttle:
    """The keys under which failures are counted for one attempt."""

    account: str
    client: str

    @classmethod
    def of(cls, name: str, client_digest: str) -> Throttle:
        """``client_digest`` is a keyed digest of the client's address (never the address)."""
        return cls(f"account:{name.strip().casefold()[:100]}", f"client:{client_digest[:64]}")


def check_password_rules(password: str, name: str) -> None:
    """:class:`BadRequest` (saying why, never echoing the password) unless it is acceptable."""
    if len(password) < MIN_LENGTH:
        raise BadRequest(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise BadRequest(f"the password must have at most {MAX_LENGTH} characters")
    if password.strip().casefold() == name.strip().casefold():
        raise BadRequest("the password must not be the user name")


def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return _HASHER.hash(password)


def set_password(conn: Conn, user_id: int, name: str, password: str) -> None:
    """Check the rules and store the new hash."""
    check_password_rules(password, name)
    updated = conn.execute(
        "UPDATE kasane.users SET password_hash = %s, password_changed_at = now()"
        " WHERE id = %s AND revoked_at IS NULL",
        (hash_password(password), user_id),
    ).rowcount
    if updated != 1:
        raise NotFound("no such active user")


def set_password_by_name(conn: Conn, name: str, password: str) -> None:
    """``kasane users add --password`` and ``kasane users password``."""
    row = conn.execute(
        "SELECT id FROM kasane.users WHERE name = %s AND revoked_at IS NULL", (name,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no active user named {name!r}")
    set_password(conn, int(row[0]), name, password)


def _wait_s(conn: Conn, key: str, limit: int) -> int:
    """Seconds until ``key`` may try again (0 when it may now)."""
    row = conn.execute(
        "SELECT count(*), min(at) FROM (SELECT at FROM kasane.sign_in_failures"
        " WHERE key = %s AND at > now() - %s ORDER BY at DESC LIMIT %s) recent",
        (key, WINDOW, limit),
    ).fetchone()
    if row is None or int(row[0]) < limit:
        return 0
    wait = conn.execute("SELECT extract(epoch FROM %s + %s - now())", (row[1], WINDOW)).fetchone()
    return max(1, int(float(wait[0]))) if wait else 1


def verify(conn: Conn, name: str, password: str, throttle: Throttle) -> Principal:
    """The active user ``name`` if ``password`` is theirs; records failures and throttles."""
    wait = max(_wait_s(conn, throttle.account, ACCOUNT_LIMIT),
               _wait_s(conn, throttle.client, CLIENT_LIMIT))  # fmt: skip
    if wait:
        minutes = -(-wait // 60)
        raise SignInThrottled(
            f"too many failed sign-ins; try again in {minutes} minute(s)", retry_after_s=wait
        )
    row = conn.execute(
        "SELECT id, name, org_code, role, password_hash FROM kasane.users"
        " WHERE name = %s AND revoked_at IS NULL",
        (name.strip(),),
    ).fetchone()
    stored = str(row[4]) if row is not None and row[4] else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
        ok = row is not None and row[4] is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        conn.execute(
            "INSERT INTO kasane.sign_in_failures (key) VALUES (%s), (%s)",
            (throttle.account, throttle.client),
        )
        conn.execute("DELETE FROM kasane.sign_in_failures WHERE at < now() - %s", (WINDOW * 4,))
        conn.commit()  # the failure counts even though the caller's request fails
        raise SignInFailed("the user name or the password is wrong")
    conn.execute("DELETE FROM kasane.sign_in_failures WHERE key = %s", (throttle.account,))
    if _HASHER.check_needs_rehash(stored):
        conn.execute("UPDATE kasane.users SET password_hash = %s WHERE id = %s",
                     (hash_password(password), row[0]))  # fmt: skip
    return Principal(int(row[0]), str(row[1]), str(row[2]), Role(row[3]))


def change_password(conn: Conn, who: Principal, current: str, new: str) -> None:
    """Change ``who``'s password after checking the current one (no throttle key bypass)."""
    row = conn.execute(
        "SELECT password_hash FROM kasane.users WHERE id = %s AND revoked_at IS NULL",
        (who.user_id,),
    ).fetchone()
    try:
        _HASHER.verify(str(row[0]) if row and row[0] else _DUMMY_HASH, current)
    except (VerificationError, InvalidHashError):
        raise BadRequest("the current password is wrong") from None
    set_password(conn, who.user_id, who.name, new)
