"""Is a database file somewhere SQLite is unsafe: a network drive or a OneDrive/SharePoint-synced folder?"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath

NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "fuse.sshfs", "afs", "9p", "davfs",
                       "fuse.davfs2", "ncpfs", "glusterfs", "ceph"}
SYNCED_FOLDER_NAMES = ("onedrive", "sharepoint")
ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")

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


def location_warnings(
    path: Path,
    *,
    platform: str = sys.platform,
    environ: Mapping[str, str] = os.environ,
    mounts: list[tuple[str, str]] | None = None,
) -> list[str]:
    """Warnings about where the file lives; empty when the location is a local disk."""
    warnings: list[str] = []
    text = str(path)
    if platform == "win32":
        remote = text.startswith("\\\\") or _windows_drive_is_remote(path)
    else:
        remote = _mount_of(path, _linux_mounts() if mounts is None else mounts) in NETWORK_FILESYSTEMS
    if remote:
        warnings.append(NETWORK_WARNING)
    lowered = text.lower()
    synced_roots = [environ[v].lower() for v in ONEDRIVE_VARIABLES if environ.get(v)]
    parts = [part.lower() for part in (PureWindowsPath(text).parts if platform == "win32" else path.parts)]
    if any(lowered.startswith(root) for root in synced_roots) or any(
        part.startswith(SYNCED_FOLDER_NAMES) for part in parts
    ):
        warnings.append(SYNCED_WARNING)
    return warnings
