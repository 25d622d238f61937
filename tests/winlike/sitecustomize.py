"""Make this Linux Python behave, where it matters for kpireport, like Python on a Windows PC.

tests/test_windows.py puts this folder first on PYTHONPATH (with PYTHONIOENCODING=cp932, a Japanese
Windows console whose output is redirected) and runs the command line. It is a rough stand-in, not
Windows: it takes away what Windows lacks and makes fail what fails there, so that code which leans on
them is caught on Linux. Taken from the team's ../shared/hooks/winlike, with one addition:
- WINLIKE_HELD_OPEN names files (separated by os.pathsep) that another program holds open, as Excel holds
  a workbook: replacing or deleting them fails as it does on Windows.
- no fcntl, resource, pwd, grp, termios modules;
- no os.fork/forkpty/sched_getaffinity/getuid/geteuid/uname, no fork start method;
- signal has no SIGKILL, SIGALRM, SIGCHLD, SIGHUP, alarm;
- os.fsync on a descriptor opened read-only fails with EBADF (as _commit does on Windows);
- ctypes.CDLL(None) fails (there is no process-wide libc handle);
- os.replace/os.rename/os.remove of a file that this process holds open fails (Windows sharing rules:
  a master workbook open in Excel cannot be replaced);
- creating a file whose name Windows forbids (<>:"|?* or control characters, a trailing dot or
  space, CON/PRN/AUX/NUL/COM1–9/LPT1–9) fails, as it does there.
"""
import errno
import fcntl as _fcntl  # kept privately for the read-only check below
import os
import sys

for _name in ("fcntl", "resource", "pwd", "grp", "termios"):
    sys.modules[_name] = None  # import raises ImportError, as on Windows

for _name in ("fork", "forkpty", "sched_getaffinity", "getuid", "geteuid", "getgid"):
    if hasattr(os, _name):
        delattr(os, _name)

import signal as _signal

for _name in ("SIGKILL", "SIGALRM", "SIGCHLD", "SIGHUP", "alarm", "setitimer", "pthread_kill"):
    if hasattr(_signal, _name):
        delattr(_signal, _name)

_real_fsync = os.fsync


def _fsync(fd):
    if not isinstance(fd, int):
        fd = fd.fileno()
    if _fcntl.fcntl(fd, _fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
        raise OSError(errno.EBADF, "Bad file descriptor")
    return _real_fsync(fd)


os.fsync = _fsync

import ctypes as _ctypes

_RealCDLL = _ctypes.CDLL


class _CDLL(_RealCDLL):
    def __init__(self, name, *args, **kwargs):
        if name is None:
            raise OSError("no process-wide library handle on Windows")
        super().__init__(name, *args, **kwargs)


_ctypes.CDLL = _CDLL

import multiprocessing as _mp

_mp.get_all_start_methods = lambda: ["spawn"]
try:
    _mp.set_start_method("spawn", force=True)
except RuntimeError:
    pass


def _open_by_me(path):
    """Whether this process holds path open (Windows refuses to replace or delete such a file)."""
    try:
        target = os.path.realpath(path)
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.path.realpath(os.readlink(f"/proc/self/fd/{fd}")) == target:
                    return True
            except OSError:
                continue
    except OSError:
        return False
    return False


_HELD_OPEN = {os.path.realpath(p) for p in os.environ.get("WINLIKE_HELD_OPEN", "").split(os.pathsep) if p}


def _held_open(path):
    return _open_by_me(path) or os.path.realpath(path) in _HELD_OPEN


def _guard(real):
    def guarded(src, dst=None, *args, **kwargs):
        for p in (src, dst):
            if p is not None and not isinstance(p, int) and _held_open(os.fspath(p)):
                raise PermissionError(errno.EACCES, "The process cannot access the file because it is being used by another process", os.fspath(p))
        return real(src, dst, *args, **kwargs) if dst is not None else real(src, *args, **kwargs)
    return guarded


os.replace = _guard(os.replace)
os.rename = _guard(os.rename)
os.remove = _guard(os.remove)
os.unlink = _guard(os.unlink)


import builtins as _builtins
import io as _io
import re as _re

_BAD_NAME = _re.compile(r'[<>:"|?*\x00-\x1f]|[. ]$|^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\.|$)', _re.I)


def _check_name(path, flags_or_mode):
    if isinstance(path, int):
        return
    creating = (isinstance(flags_or_mode, str) and any(c in flags_or_mode for c in "wax+")) or (
        isinstance(flags_or_mode, int) and flags_or_mode & (os.O_CREAT | os.O_WRONLY | os.O_RDWR))
    name = os.path.basename(os.fspath(path))
    if creating and isinstance(name, str) and _BAD_NAME.search(name):
        raise OSError(errno.EINVAL, "The filename, directory name, or volume label syntax is incorrect", os.fspath(path))


_real_open = _builtins.open
_real_os_open = os.open


def _open(file, mode="r", *args, **kwargs):
    _check_name(file, mode)
    return _real_open(file, mode, *args, **kwargs)


def _os_open(path, flags, *args, **kwargs):
    _check_name(path, flags)
    return _real_os_open(path, flags, *args, **kwargs)


_builtins.open = _open
_io.open = _open
os.open = _os_open
