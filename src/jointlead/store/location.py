"""Is a database file somewhere SQLite is unsafe: a network drive or a OneDrive/SharePoint-synced folder?"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "fuse.sshfs", "afs", "9p", "davfs",
                       "fuse.davfs2", "ncpfs", "glusterfs", "ceph"}
SYNCED_FOLDER_NAMES = ("onedrive", "sharepoint")
ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")
WORK_ONEDRIVE_PREFIX = "onedrive - "  # "OneDrive - Northshire NHS FT": a work account's OneDrive folder
# Where every cloud sync client (OneDrive, and each SharePoint library it syncs) registers the folders it keeps in
# step with Windows, one subkey per sync root, whose UserSyncRoots values (named by user) are the folders.
SYNC_ROOTS_KEY = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer\SyncRootManager"

NETWORK_WARNING = ("This database is on a network drive. SQLite can corrupt a file on a network drive if the "
                   "connection drops: keep it on this computer and use File > Save a copy to share it.")
SYNCED_WARNING = ("This database is in a OneDrive or SharePoint-synced folder. Syncing can copy the file half-way "
                  "through a change and corrupt it: keep it in jointlead's own folder and use File > Save a copy.")


def _mount_of(path: Path, mounts: list[tuple[str, str]]) -> str:
    """The filesystem type of the longest mount point that contains path."""
    best, fstype = "", ""
    text = str(path)
    for point, kind in mounts:
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, fstype = point, kind
    return fstype


def _linux_mounts() -> list[tuple[str, str]]:
    try:
        with open("/proc/mounts", encoding="utf-8") as handle:
            return [(fields[1], fields[2]) for fields in (line.split() for line in handle) if len(fields) > 2]
    except OSError:
        return []


def _windows_drive_is_remote(path: Path) -> bool:
    import ctypes  # only on Windows

    drive = PureWindowsPath(path).drive
    if not drive or sys.platform != "win32":  # only Windows itself can say what kind of drive a letter is
        return False
    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # DRIVE_REMOTE


def _registered_sync_roots() -> list[str]:
    """The folders cloud sync clients have registered with Windows (read only: no admin rights needed)."""
    if sys.platform != "win32":
        return []
    import winreg  # only on Windows

    def subkeys(key: winreg.HKEYType) -> Iterator[str]:
        for index in itertools.count():
            try:
                yield winreg.EnumKey(key, index)
            except OSError:  # no more
                return

    roots: list[str] = []
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, SYNC_ROOTS_KEY) as manager:
            for name in list(subkeys(manager)):
                try:
                    with winreg.OpenKey(manager, name + r"\UserSyncRoots") as users:
                        for index in itertools.count():
                            _user, folder, _type = winreg.EnumValue(users, index)
                            if isinstance(folder, str) and folder:
                                roots.append(folder)
                except OSError:  # no UserSyncRoots, or no more values in it
                    continue
    except OSError:  # no sync client has ever registered a folder
        return []
    return roots


def _synced_roots(environ: Mapping[str, str], windows: bool) -> list[str]:
    """Folders OneDrive keeps in step: each OneDrive folder and, beside a work one, the folder named for the
    organisation into which it syncs SharePoint libraries ("OneDrive - Northshire NHS FT" puts a team site's
    documents in "Northshire NHS FT\\Team Site - Documents", with neither word in the path)."""
    roots = []
    for variable in ONEDRIVE_VARIABLES:
        folder = environ.get(variable)
        if not folder:
            continue
        roots.append(folder)
        onedrive = PureWindowsPath(folder) if windows else PurePosixPath(folder)
        if onedrive.name.lower().startswith(WORK_ONEDRIVE_PREFIX) and onedrive.name[len(WORK_ONEDRIVE_PREFIX):]:
            roots.append(str(onedrive.parent / onedrive.name[len(WORK_ONEDRIVE_PREFIX):]))
    return roots


def _inside(path: str, root: str, windows: bool) -> bool:
    flavour = PureWindowsPath if windows else PurePosixPath
    inner, outer = flavour(path.lower()), flavour(root.lower())
    return inner == outer or outer in inner.parents


def location_warnings(
    path: Path,
    *,
    platform: str = sys.platform,
    environ: Mapping[str, str] = os.environ,
    mounts: list[tuple[str, str]] | None = None,
    sync_roots: Sequence[str] | None = None,
) -> list[str]:
    """Warnings about where the file lives; empty when the location is a local disk. `sync_roots`: the folders
    sync clients have registered with Windows (by default, read from the registry on Windows)."""
    warnings: list[str] = []
    text = str(path)
    windows = platform == "win32"
    if windows:
        remote = text.startswith("\\\\") or _windows_drive_is_remote(path)
    else:
        remote = _mount_of(path, _linux_mounts() if mounts is None else mounts) in NETWORK_FILESYSTEMS
    if remote:
        warnings.append(NETWORK_WARNING)
    registered = _registered_sync_roots() if sync_roots is None and windows else sync_roots or []
    roots = [*_synced_roots(environ, windows), *registered]
    parts = [part.lower() for part in (PureWindowsPath(text).parts if windows else path.parts)]
    if any(_inside(text, root, windows) for root in roots) or any(
        part.startswith(SYNCED_FOLDER_NAMES) for part in parts
    ):
        warnings.append(SYNCED_WARNING)
    return warnings
