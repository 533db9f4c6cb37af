"""Problems opening or changing a database file, each with what the user can do about it."""

from __future__ import annotations

from jointlead.domain.errors import JointleadError


class DatabaseError(JointleadError):
    """The database file cannot be used as asked."""


class DatabaseMissing(DatabaseError):
    pass


class NotAJointleadDatabase(DatabaseError):
    pass


class DatabaseInUse(DatabaseError):
    pass


class DatabaseFromNewerVersion(DatabaseError):
    pass


class DatabaseDamaged(DatabaseError):
    pass


class ReadOnlyDatabase(DatabaseError):
    pass
