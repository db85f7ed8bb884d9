#!/usr/bin/env python3
"""Reference scanner: hash every file with hashlib and look the digest up in a set.

The parent walks the tree and splits the files round-robin across --workers
forked processes. It prints one JSON line with the files, bytes and matches counted.
The signature file is a plain list: one hex digest per line, optionally followed
by a name.
"""

import argparse
import hashlib
import json
import multiprocessing
import os


def load_signatures(path):
    with open(path) as source:
        return {bytes.fromhex(line.split()[0]) for line in source if line.strip()}


def walk(top):
    for folder, _, files in os.walk(top):
        for name in files:
            yield os.path.join(folder, name)


def scan_share(paths, signatures, algorithm, connection):
    files = size = matches = 0
    for path in paths:
        with open(path, "rb") as source:
            digest = hashlib.file_digest(source, algorithm).digest()
            size += source.tell()
        files += 1
        matches += digest in signatures
    connection.send((files, size, matches))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signatures", required=True)
    parser.add_argument("--algorithm", choices=("sha256", "md5"), default="sha256")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("tree")
    args = parser.parse_args()

    signatures = load_signatures(args.signatures)
    paths = list(walk(args.tree))
    context = multiprocessing.get_context("fork")

    workers = []
    for index in range(args.workers):
        receiver, sender = context.Pipe(duplex=False)
        share = paths[index::args.workers]
        process = context.Process(target=scan_share,
                                  args=(share, signatures, args.algorithm, sender))
        process.start()
        workers.append((process, receiver))

    totals = [0, 0, 0]
    for process, receiver in workers:
        for position, value in enumerate(receiver.recv()):
            totals[position] += value
        process.join()
    print(json.dumps(dict(zip(("files", "bytes", "matches"), totals))))


if __name__ == "__main__":
    main()
