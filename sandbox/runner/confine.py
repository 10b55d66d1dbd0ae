"""Enter the image's native root and give up every privilege, for good, before
any answer runs. Stdlib only.

The container starts the daemon as root holding only CAP_SETUID, CAP_SETGID
and CAP_SETPCAP (plus CAP_SYS_CHROOT with a native root), with
no-new-privileges; here it becomes the unprivileged daemon, after starting any
compile server under a uid of its own (compile_server.py).

Where the engine's storage driver serves the container's root through FUSE
(fuse-overlayfs, vfs), every path lookup a compiler makes crosses into a FUSE
daemon. The host mounts a copy of the image's root, on a plain local volume,
at CODEINTERVIEW_NATIVE_ROOT (codeinterview/sandbox/native_root.py) and starts
this daemon as root holding only CAP_SYS_CHROOT, CAP_SETUID, CAP_SETGID and
CAP_SETPCAP, with no-new-privileges. Here the daemon

  1. opens /proc and the cgroup directory (kept as fds: the native root has
     neither mounted, so answers see no process but their own, while the
     daemon still finds, kills and counts them; procs.keep_dirs),
  2. chroots into the native root,
  3. empties the capability bounding set, then becomes the image's `sandbox`
     user (all uids and gids, no supplementary groups), which clears the
     permitted and effective sets; clears the inheritable and ambient sets,
  4. checks through /proc that nothing is left, and refuses to serve otherwise.

Without a native root, step 2 is left out.
"""

import ctypes
import os
import pwd
import struct

PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CAPSET_SYSCALL = 126  # x86_64; aarch64 is 91
LINUX_CAPABILITY_VERSION_3 = 0x20080522
USER = "sandbox"  # made by sandbox/Dockerfile


class ConfineError(Exception):
    pass


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _prctl(libc, *args):
    if libc.prctl(*(list(args) + [0] * (5 - len(args)))) != 0:
        err = ctypes.get_errno()
        raise ConfineError("prctl%r failed: %s" % (args, os.strerror(err)))


def _clear_inheritable(libc):
    """capset(2) with every set empty (permitted and effective are empty already)."""
    import platform

    number = 91 if platform.machine() in ("aarch64", "arm64") else CAPSET_SYSCALL
    header = ctypes.create_string_buffer(struct.pack("Ii", LINUX_CAPABILITY_VERSION_3, 0))
    data = ctypes.create_string_buffer(bytes(24))  # two {effective, permitted, inheritable} u32 triples
    if libc.syscall(number, header, data) != 0:
        raise ConfineError("capset failed: %s" % os.strerror(ctypes.get_errno()))


def status(read_proc):
    """/proc/self/status as {field: value}."""
    fields = {}
    for line in read_proc("self/status").decode("ascii", "replace").splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def enter(root, keep_dirs, read_proc, before_drop=None):
    """chroot into `root` (None: stay in the container's root) and drop to the
    sandbox user with no capability. keep_dirs(proc_fd, cgroup_fd) and
    read_proc(rel) come from procs; before_drop() runs as root with an empty
    bounding set, to start what must not run as the answers' user."""
    proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)  # O_CLOEXEC: no child inherits it
    try:
        cgroup_fd = os.open("/sys/fs/cgroup", os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        cgroup_fd = None
    keep_dirs(proc_fd, cgroup_fd)
    last_cap = int(read_proc("sys/kernel/cap_last_cap"))
    user = pwd.getpwnam(USER)
    if root:
        os.chroot(root)
        os.chdir("/")
    libc = _libc()
    for cap in range(last_cap + 1):
        _prctl(libc, PR_CAPBSET_DROP, cap)
    _prctl(libc, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    if before_drop is not None:
        before_drop()
    os.setgroups([])
    os.setresgid(user.pw_gid, user.pw_gid, user.pw_gid)
    os.setresuid(user.pw_uid, user.pw_uid, user.pw_uid)
    _clear_inheritable(libc)
    _prctl(libc, PR_SET_NO_NEW_PRIVS, 1)
    found = status(read_proc)
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(found.get(key, "1"), 16) != 0:
            raise ConfineError("%s is %s after dropping every capability" % (key, found.get(key)))
    if found.get("NoNewPrivs") != "1":
        raise ConfineError("no_new_privs is not set")
    wanted = {str(user.pw_uid)}
    if set(found.get("Uid", "").split()) != wanted or set(found.get("Gid", "").split()) != {str(user.pw_gid)}:
        raise ConfineError("still not only the sandbox user: Uid %s Gid %s" % (found.get("Uid"), found.get("Gid")))
    if found.get("Groups", ""):
        raise ConfineError("supplementary groups left: %s" % found["Groups"])
