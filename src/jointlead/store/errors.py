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


class ChangedBySomeoneElse(DatabaseError):
    """A record changed after the copy an edit was made from was read: on a shared database, someone saved first."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed by someone else — reload",
                         "Your change was not saved. Reload to see theirs, then make yours again if it is still "
                         "needed.")
