#!/usr/bin/env python3
"""Write the zip and gzip samples that container_reader_test.cc scans twice.

Usage: container_samples.py FOLDER

FOLDER must contain payload.exe (bytes with an exact signature in the test's
pattern) and query.txt (bytes that need a scan query). The script writes every
sample into FOLDER/samples/ with Python's zipfile, gzip and tarfile modules and
with the `zip` tool, then prints how many it wrote. Samples that need the zip
tool are left out when it is missing. The zip tool stores the current time, so
its samples differ from run to run. That does not matter, because the test
scans each file twice in the same run.
"""

import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED, force_zip64=False):
    """Return a zip of (name, data) pairs; a name ending in '/' is a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 6))
            info.compress_type = compression
            if name.endswith("/"):
                info.external_attr = 0o40755 << 16 | 0x10
                archive.writestr(info, b"")
                continue
            info.external_attr = 0o100644 << 16
            with archive.open(info, "w", force_zip64=force_zip64) as member:
                member.write(data)
    return buffer.getvalue()


class NonSeekable(io.RawIOBase):
    """A write-only stream without seek(), so zipfile writes data descriptors."""

    def __init__(self):
        super().__init__()
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, chunk):
        self.data += chunk
        return len(chunk)


def zip_with_data_descriptors(members):
    stream = NonSeekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 6))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                member.write(data)
    return bytes(stream.data)


def gzip_bytes(data, name=None):
    buffer = io.BytesIO()
    with gzip.GzipFile(filename=name or "", mode="wb", fileobj=buffer, mtime=1700000000) as out:
        out.write(data)
    return buffer.getvalue()


def tar_bytes(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def set_central_crc(zip_data, entry_index, crc):
    """Return zip_data with the CRC-32 of one central directory record replaced."""
    data = bytearray(zip_data)
    position = data.index(b"PK\x01\x02")
    for _ in range(entry_index):
        name, extra, comment = struct.unpack_from("<HHH", data, position + 28)
        position += 46 + name + extra + comment
    struct.pack_into("<I", data, position + 16, crc)
    local = struct.unpack_from("<I", data, position + 42)[0]
    if struct.unpack_from("<I", data, local + 14)[0] != 0:
        struct.pack_into("<I", data, local + 14, crc)
    return bytes(data)


def damage_deflate_data(zip_data):
    """Return zip_data with the middle of its first member's data overwritten."""
    data = bytearray(zip_data)
    name, extra = struct.unpack_from("<HH", data, 26)
    size = struct.unpack_from("<I", data, data.index(b"PK\x01\x02") + 20)[0]
    start = 30 + name + extra + size // 3
    data[start:start + 8] = b"\xff" * 8
    return bytes(data)


def python_samples(payload, query, text):
    mixed = [("docs/", b""), ("docs/readme.txt", text), ("bin/tool.exe", payload),
             ("query.txt", query), ("empty.txt", b"")]
    nested_inner = zip_bytes([("inner/bad.exe", payload)])
    tarred = tar_bytes([("pkg/bad.exe", payload), ("pkg/notes.txt", text)])
    samples = {
        "stored.zip": zip_bytes(mixed, zipfile.ZIP_STORED),
        "deflated.zip": zip_bytes(mixed),
        "empty-members.zip": zip_bytes([("a.txt", b""), ("b/", b""), ("c.bin", b"")]),
        "no-members.zip": zip_bytes([]),
        "traversal.zip": zip_bytes([("../x.exe", payload), ("/etc/x", text),
                                    ("a/../../y", query)]),
        "zip64-extra.zip": zip_bytes(mixed, force_zip64=True),
        "data-descriptors.zip": zip_with_data_descriptors(mixed),
        "nested.zip": zip_bytes([("level1/inner.zip", nested_inner), ("note.txt", text)]),
        "nested-stored.zip": zip_bytes([("inner.zip", nested_inner)], zipfile.ZIP_STORED),
        "gz-in-zip.zip": zip_bytes([("docs/payload.exe.gz", gzip_bytes(payload)),
                                    ("docs/query.txt.gz", gzip_bytes(query))]),
        "tar-gz-in-zip.zip": zip_bytes([("bundle.tar.gz", gzip_bytes(tarred))]),
        "large-text.zip": zip_bytes([("big.txt", text * 2000), ("bad.exe", payload)]),
        "wrong-crc.zip": set_central_crc(zip_bytes(mixed), 2, 0x12345678),
        "wrong-crc-stored.zip": set_central_crc(zip_bytes(mixed, zipfile.ZIP_STORED), 2, 0x1234),
        "damaged-deflate.zip": damage_deflate_data(zip_bytes([("big.txt", text * 500),
                                                              ("bad.exe", payload)])),
        "truncated.zip": zip_bytes(mixed)[:-40],
        "truncated-half.zip": zip_bytes(mixed)[: len(zip_bytes(mixed)) // 2],
        "payload.exe.gz": gzip_bytes(payload),
        "query.txt.gz": gzip_bytes(query),
        "named.gz": gzip_bytes(text, name="original-name.txt"),
        "changelog.gz": gzip_bytes(text),
        "empty.gz": gzip_bytes(b""),
        "bundle.tar.gz": gzip_bytes(tarred),
        "empty.tar.gz": gzip_bytes(tar_bytes([])),
        "zero-prefixed.gz": gzip_bytes(b"\0" * 1024 + payload),
        "inner.zip.gz": gzip_bytes(nested_inner),
        "double.gz.gz": gzip_bytes(gzip_bytes(payload)),
        "multi-member.gz": gzip_bytes(text) + gzip_bytes(payload),
        "trailing-garbage.gz": gzip_bytes(payload) + b"garbage after the member",
        "uuencoded.gz": gzip_bytes(b"begin 644 x.exe\n" + b"M" + b"A" * 60 + b"\n`\nend\n"),
        "cpio-like.gz": gzip_bytes(b"070707 is where this text starts, and no cpio header.\n"),
    }

    good = gzip_bytes(text * 50)
    for name, size in (("isize-small.gz", 10), ("isize-large.gz", len(text) * 50 + 1000),
                       ("isize-zero.gz", 0), ("isize-huge.gz", 0xFFFFFFF0)):
        samples[name] = good[:-4] + struct.pack("<I", size)
    bad_crc = bytearray(good)
    struct.pack_into("<I", bad_crc, len(bad_crc) - 8, zlib.crc32(b"other") & 0xFFFFFFFF)
    samples["wrong-crc.gz"] = bytes(bad_crc)
    samples["truncated.gz"] = good[: len(good) // 2]
    return samples


def zip_tool_samples(folder, payload, text):
    """Write samples with the zip tool into folder; return their names."""
    if shutil.which("zip") is None:
        return []
    tree = os.path.join(folder, "tree")
    os.makedirs(os.path.join(tree, "sub", "deeper"), exist_ok=True)
    with open(os.path.join(tree, "sub", "tool.exe"), "wb") as out:
        out.write(payload)
    with open(os.path.join(tree, "sub", "deeper", "notes.txt"), "wb") as out:
        out.write(text * 30)
    with open(os.path.join(tree, "top.txt"), "wb") as out:
        out.write(text)
    os.symlink("top.txt", os.path.join(tree, "link.txt"))

    commands = {
        "zip-tool.zip": ["zip", "-q", "-r", "-X"],
        "zip-tool-stored.zip": ["zip", "-q", "-r", "-X", "-0"],
        "zip-tool-symlink.zip": ["zip", "-q", "-r", "-X", "-y"],
    }
    names = []
    for name, command in commands.items():
        target = os.path.join(folder, "samples", name)
        subprocess.run(command + [target, "."], cwd=tree, check=True)
        names.append(name)

    # Streaming from standard input writes zip64 records and a data descriptor.
    target = os.path.join(folder, "samples", "zip-tool-stdin.zip")
    subprocess.run(["zip", "-q", target, "-"], input=payload, check=True)
    names.append("zip-tool-stdin.zip")
    return names


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: container_samples.py FOLDER")
    folder = sys.argv[1]
    with open(os.path.join(folder, "payload.exe"), "rb") as source:
        payload = source.read()
    with open(os.path.join(folder, "query.txt"), "rb") as source:
        query = source.read()
    text = b"Release notes\n=============\n\n* Fixed the parser.\n* Renamed a page.\n"

    os.makedirs(os.path.join(folder, "samples"), exist_ok=True)
    samples = python_samples(payload, query, text)
    for name, data in samples.items():
        with open(os.path.join(folder, "samples", name), "wb") as out:
            out.write(data)
    count = len(samples) + len(zip_tool_samples(folder, payload, text))
    print(f"wrote {count} samples")


if __name__ == "__main__":
    main()
