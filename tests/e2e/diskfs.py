# SPDX-License-Identifier: MIT
"""A real disk filesystem for the kill -9 trials: a fresh ext4 (mkfs.ext4
defaults, journal on) in an image file, loop-mounted, when the tests may
mount (root, a loop device); otherwise the given directory itself.

Why not the test's directory always: the development VM's own ext4 has no
journal, and its inode allocator slows down after mass deletes (the trials'
copies of roots), some 10 s for a 3,000-file upgrade instead of about 1.5 s.
Why never a tmpfs: the syncs of a transaction must really reach a device.
"""
import contextlib
import os
import shutil
import subprocess
from pathlib import Path


@contextlib.contextmanager
def disk_dir(tmp, size=1 << 30):
    """Yield a directory on a disk filesystem under (or at) `tmp`."""
    tmp = Path(tmp)
    img, mnt = tmp / "ext4.img", tmp / "ext4-mnt"
    mnt.mkdir(exist_ok=True)
    mounted = False
    if os.geteuid() == 0 and shutil.which("mkfs.ext4"):
        with open(img, "wb") as f:
            f.truncate(size)
        mounted = subprocess.run(["mkfs.ext4", "-q", "-F", str(img)], capture_output=True).returncode == 0 and \
            subprocess.run(["mount", "-o", "loop", str(img), str(mnt)], capture_output=True).returncode == 0
    try:
        yield mnt if mounted else tmp
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
        img.unlink(missing_ok=True)


def fs_type(path):
    return subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "-T", str(path)],
                          capture_output=True, text=True).stdout.strip()
