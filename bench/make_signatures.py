#!/usr/bin/env python3
"""Write a benchmark signature set for one tree, in ClamAV and plain-list form.

The set has --count random digests (names Bench.Random.N) plus the real digests of
--planted files picked from the tree (names Bench.Planted.N), so every scanner has a
few detections to report. Output files in --output-dir:

  clamav.hsb / clamav.hdb   ClamAV hash database (.hsb for SHA-256, .hdb for MD5).
                            Random digests use size "*" with functionality level 73,
                            so clamscan hashes every file as odscan does, instead of
                            only files whose size matches a signature.
  signatures.txt            plain list, one "digest name" line per signature
  planted.txt               plain list of the planted digests only
  planted.json              planted digests, their files, and how many files in
                            the tree have each digest (copies count too)
"""

import argparse
import hashlib
import json
import os
import random

ALGORITHMS = {"sha256": ".hsb", "md5": ".hdb"}


def pick_planted(paths, count, rng):
    """Pick non-empty files at random; an empty file's digest would match every empty file."""
    candidates = [path for path in paths if os.path.getsize(path) > 0]
    return sorted(rng.sample(candidates, min(count, len(candidates))))


def file_digest(path, algorithm):
    with open(path, "rb") as source:
        return hashlib.file_digest(source, algorithm).hexdigest()


def count_expected_matches(paths, planted_digests, algorithm):
    """Count the files whose digest is planted; only files of a planted size need hashing."""
    sizes = {size for size, _ in planted_digests.values()}
    digests = {digest for _, digest in planted_digests.values()}
    matches = 0
    for path in paths:
        if os.path.getsize(path) in sizes and file_digest(path, algorithm) in digests:
            matches += 1
    return matches


def write_signature_set(paths, output_dir, algorithm, count, planted_count, seed):
    """Write the set and return a summary (signature count, planted files, expected matches)."""
    rng = random.Random(seed)
    digest_size = hashlib.new(algorithm).digest_size
    os.makedirs(output_dir, exist_ok=True)

    planted_paths = pick_planted(paths, planted_count, rng)
    planted = {path: (os.path.getsize(path), file_digest(path, algorithm))
               for path in planted_paths}
    random_digests = [rng.randbytes(digest_size).hex() for _ in range(count)]

    clamav_path = os.path.join(output_dir, "clamav" + ALGORITHMS[algorithm])
    with open(clamav_path, "w") as clamav, \
            open(os.path.join(output_dir, "signatures.txt"), "w") as plain, \
            open(os.path.join(output_dir, "planted.txt"), "w") as planted_plain:
        for index, digest in enumerate(random_digests):
            clamav.write(f"{digest}:*:Bench.Random.{index}:73\n")
            plain.write(f"{digest} Bench.Random.{index}\n")
        for index, (path, (size, digest)) in enumerate(planted.items()):
            clamav.write(f"{digest}:{size}:Bench.Planted.{index}\n")
            plain.write(f"{digest} Bench.Planted.{index}\n")
            planted_plain.write(f"{digest} Bench.Planted.{index}\n")

    summary = {
        "algorithm": algorithm,
        "signatures": count + len(planted),
        "planted": [{"path": path, "size": size, "digest": digest}
                    for path, (size, digest) in planted.items()],
        "expected_matches": count_expected_matches(paths, planted, algorithm),
        "clamav_database": clamav_path,
    }
    with open(os.path.join(output_dir, "planted.json"), "w") as output:
        json.dump(summary, output, indent=1)
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file-list", required=True,
                        help="NUL-separated list of the tree's files (written by make_tree.py)")
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--algorithm", choices=sorted(ALGORITHMS), default="sha256")
    parser.add_argument("--count", type=int, default=100_000,
                        help="number of random signatures (default: %(default)s)")
    parser.add_argument("--planted", type=int, default=20,
                        help="number of real file digests to add (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with open(args.file_list, "rb") as source:
        paths = [os.fsdecode(entry) for entry in source.read().split(b"\0") if entry]
    summary = write_signature_set(paths, args.output_dir, args.algorithm, args.count,
                                  args.planted, args.seed)
    print(json.dumps({key: summary[key] for key in ("signatures", "expected_matches")}))


if __name__ == "__main__":
    main()
