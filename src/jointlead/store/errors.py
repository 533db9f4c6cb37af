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


class DatabaseBusy(DatabaseError):
    """Another connection to the file (an import under way, another program) held SQLite's write lock for longer than a
    change waits."""

    def __init__(self) -> None:
        super().__init__("Another change was still being saved to this database after a few seconds, so this one was "
                         "not saved.",
                         "Nothing was changed. Try again in a moment: an import may still be finishing. If it happens "
                         "again, close any other program that has the file open (a database viewer, a backup tool).")


class ReadOnlyDatabase(DatabaseError):
    pass


class ChangedBySomeoneElse(DatabaseError):
    """A record changed after the copy an edit was made from was read: on a shared database, someone saved first."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed by someone else — reload",
                         "Your change was not saved. Reload to see theirs, then make yours again if it is still "
                         "needed.")


class RecordedBySomeoneElse(ChangedBySomeoneElse):
    """On a shared database, someone else saved a record that may be there only once (a team's name, an employee
    number at an employer) between a gesture's check that it was not there and its own write. A kind of change by
    someone else: the window reloads after saying so, as for that."""

    def __init__(self, what: str) -> None:
        DatabaseError.__init__(self, f"Someone else has just recorded the same {what}, so yours was not saved.",
                         "Nothing was changed. Look again at what is recorded now (reload, or preview the import "
                         "again), then do it again if it is still needed.")


class OthersStillSaving(DatabaseError):
    """On a shared database, a close or unlock of a month found others' changes still being saved (a long import,
    say) for longer than it waits."""

    def __init__(self) -> None:
        super().__init__("Someone else is saving changes to the shared database just now (an import, perhaps). "
                         "Closing or unlocking a month waits until no one is, and they are taking a while.",
                         "Nothing was changed. Try again in a minute.")


class ServerStoppedAnswering(DatabaseError):
    """The connection to a shared database was lost part way through: the server stopped, or the network went."""

    def __init__(self, where: str) -> None:
        super().__init__(f"The connection to {where} was lost: what you were doing was not saved.",
                         "Check that you are on the network (or VPN) and that the server is running, then open the "
                         "database again (File > Open a shared database…) and do it again.")
