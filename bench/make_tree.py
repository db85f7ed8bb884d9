#!/usr/bin/env python3
"""Generate the benchmark trees, or reuse them when a previous run finished them.

Three trees, each scaled by --scale:
  large  200 files of 20 MiB of pseudo-random data (about 4.2 GB)
  tiny   200,000 files of 1-4 KiB of random data in 200 folders
  mixed  regular files copied from /usr/share and then /usr/lib in sorted order,
         up to the first file that would pass 3.7 GB in total (109,266 files on
         the Debian 12 development machine)

Each tree lives in ROOT/NAME. A finished tree has a manifest ROOT/NAME.json (file and
byte counts) and a file list ROOT/NAME.files (NUL-separated absolute paths), both kept
outside the tree so that no scanner counts them. A folder without a manifest is an
interrupted generation and is rebuilt.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time

TREES = ("large", "tiny", "mixed")
MIB = 1 << 20

LARGE_FILE_COUNT = 200
LARGE_FILE_SIZE = 20 * MIB
TINY_FILE_COUNT = 200_000
TINY_FOLDER_COUNT = 200
TINY_MIN_SIZE = 1024
TINY_MAX_SIZE = 4096
MIXED_SOURCES = ("/usr/share", "/usr/lib")
MIXED_BYTE_CAP = 3_700_000_000

# Large files are built from slices of this pool because os.urandom ran at only
# about 200 MB/s on the development machine. Every 1 MiB chunk starts with 16 bytes derived from its
# file and chunk numbers, so every file has its own digest. The prefix is hashed
# because small integers followed by zero bytes look like an LZMA header.
RANDOM_POOL_SIZE = 64 * MIB


def tree_name(tree, scale):
    """Return the folder name of a tree, which records the scale when it is not 1."""
    if scale == 1:
        return tree
    return f"{tree}-x{scale:g}"


def find_git_work_tree(path):
    """Return the enclosing git work tree of path, or None."""
    current = os.path.abspath(path)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def check_root(root):
    """Reject a root inside a git work tree: gigabytes of test data must never be committed."""
    work_tree = find_git_work_tree(root)
    if work_tree is not None:
        sys.exit(f"error: benchmark root {root} is inside the git work tree {work_tree}; "
                 "choose a folder outside it, e.g. /var/tmp/odscan-bench")


def write_large(folder, scale):
    count = max(1, round(LARGE_FILE_COUNT * scale))
    rng = random.Random(20)
    pool = os.urandom(RANDOM_POOL_SIZE)
    chunks_per_file = LARGE_FILE_SIZE // MIB

    for index in range(count):
        path = os.path.join(folder, f"large-{index:04d}.bin")
        with open(path, "wb") as output:
            for chunk in range(chunks_per_file):
                offset = rng.randrange(RANDOM_POOL_SIZE - MIB)
                prefix = hashlib.sha256(f"{index}:{chunk}".encode()).digest()[:16]
                output.write(prefix + pool[offset + len(prefix):offset + MIB])


def write_tiny(folder, scale):
    count = max(1, round(TINY_FILE_COUNT * scale))
    folders = max(1, round(TINY_FOLDER_COUNT * scale))
    rng = random.Random(21)

    for sub in range(folders):
        os.mkdir(os.path.join(folder, f"d{sub:03d}"))
    for index in range(count):
        path = os.path.join(folder, f"d{index % folders:03d}", f"f{index:06d}.bin")
        with open(path, "wb") as output:
            output.write(os.urandom(rng.randint(TINY_MIN_SIZE, TINY_MAX_SIZE)))


def iterate_regular_files(top):
    """Yield regular files under top in sorted order, skipping symlinks and special files."""
    for folder, subfolders, files in os.walk(top):
        subfolders.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not os.path.islink(path) and os.path.isfile(path):
                yield path


def write_mixed(folder, scale):
    cap = MIXED_BYTE_CAP * scale
    total = 0

    for source in MIXED_SOURCES:
        for path in iterate_regular_files(source):
            try:
                size = os.path.getsize(path)
            except OSError:
                continue
            if total + size > cap:
                return
            target = os.path.join(folder, path.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                shutil.copyfile(path, target, follow_symlinks=False)
            except OSError as error:
                # Unreadable system files are skipped; the manifest counts what was copied.
                print(f"note: skipped {path}: {error}", file=sys.stderr)
                continue
            total += size


WRITERS = {"large": write_large, "tiny": write_tiny, "mixed": write_mixed}


def list_files(folder):
    paths = []
    for current, subfolders, files in os.walk(folder):
        subfolders.sort()
        paths.extend(os.path.join(current, name) for name in sorted(files))
    return paths


def write_manifest(root, name, tree, scale, folder, seconds):
    paths = list_files(folder)
    total = sum(os.path.getsize(path) for path in paths)
    with open(os.path.join(root, name + ".files"), "wb") as output:
        output.write(b"".join(os.fsencode(path) + b"\0" for path in paths))
    manifest = {"tree": tree, "scale": scale, "path": folder, "files": len(paths),
                "bytes": total, "generation_seconds": round(seconds, 1)}
    with open(os.path.join(root, name + ".json"), "w") as output:
        json.dump(manifest, output, indent=1)
    return manifest


def ensure_tree(root, tree, scale):
    """Return the manifest of a finished tree, generating the tree first if needed."""
    check_root(root)
    os.makedirs(root, exist_ok=True)
    name = tree_name(tree, scale)
    folder = os.path.join(root, name)
    manifest_path = os.path.join(root, name + ".json")

    if os.path.isdir(folder) and os.path.exists(manifest_path):
        with open(manifest_path) as source:
            return json.load(source)

    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.mkdir(folder)
    print(f"generating tree {name} in {folder} ...", file=sys.stderr, flush=True)
    start = time.monotonic()
    WRITERS[tree](folder, scale)
    manifest = write_manifest(root, name, tree, scale, folder, time.monotonic() - start)
    print(f"generated {name}: {manifest['files']} files, {manifest['bytes']} bytes "
          f"in {manifest['generation_seconds']} s", file=sys.stderr, flush=True)
    return manifest


def read_file_list(root, name):
    """Return the files of the finished tree ROOT/name, in sorted order."""
    with open(os.path.join(root, name + ".files"), "rb") as source:
        return [os.fsdecode(entry) for entry in source.read().split(b"\0") if entry]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default="/var/tmp/odscan-bench",
                        help="folder for the trees (default: %(default)s)")
    parser.add_argument("--trees", default="large,tiny,mixed",
                        help="comma-separated trees to generate (default: %(default)s)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size factor, e.g. 0.1 for a smoke run (default: 1)")
    args = parser.parse_args()

    for tree in args.trees.split(","):
        if tree not in TREES:
            parser.error(f"unknown tree {tree!r}; expected one of {', '.join(TREES)}")
        print(json.dumps(ensure_tree(args.root, tree, args.scale)))


if __name__ == "__main__":
    main()
