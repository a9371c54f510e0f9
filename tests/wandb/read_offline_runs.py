"""Print the offline W&B runs under a folder as JSON: `python read_offline_runs.py wandb/`.

Run it with a Python that has `wandb` (a baked project's environment): W&B no longer ships a
reader for its run files, so this one parses them. A `run-<id>.wandb` file is a LevelDB-style
log: a 7-byte header (":W&B", a 2-byte magic, a version byte), then 32 KiB blocks of chunks,
each with a 7-byte header (CRC-32C, 2-byte little-endian length, type: full, first, middle,
last); a chunk never straddles a block, and a block's tail shorter than a header is padding.
Every record is a protobuf `wandb.proto.wandb_internal_pb2.Record`.
"""

import json
import struct
import sys
from pathlib import Path

from wandb.proto import wandb_internal_pb2

BLOCK = 32 * 1024
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def records(path: Path):
    """Every Record in a run file, in the order written."""
    data = path.read_bytes()
    if data[:4] != b":W&B":
        raise ValueError(f"{path} is not a W&B run file (header {data[:7]!r})")
    position, pending = HEADER, b""
    while position + HEADER <= len(data):
        left = BLOCK - position % BLOCK
        if left < HEADER:  # padding at the end of a block
            position += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[position : position + HEADER])
        chunk = data[position + HEADER : position + HEADER + length]
        position += HEADER + length
        if kind == 0:  # zeroed space after the last record
            break
        if kind == FULL:
            yield parse(chunk)
        elif kind == FIRST:
            pending = chunk
        elif kind == MIDDLE:
            pending += chunk
        elif kind == LAST:
            yield parse(pending + chunk)
            pending = b""


def parse(chunk: bytes):
    record = wandb_internal_pb2.Record()
    record.ParseFromString(chunk)
    return record


def key_of(item) -> str:
    return ".".join(item.nested_key) if item.nested_key else item.key


def values(items) -> dict:
    """Config, history or summary items as {dotted key: value}."""
    return {key_of(item): json.loads(item.value_json) for item in items if key_of(item)}


def read_run(path: Path) -> dict:
    """What a run recorded: identity, config, history rows, summary, artifacts, files."""
    run = {"config": {}, "history": [], "summary": {}, "artifacts": [], "files": []}
    for record in records(path):
        kind = record.WhichOneof("record_type")
        if kind == "run":
            info = record.run
            run.update(
                id=info.run_id,
                name=info.display_name,
                project=info.project,
                entity=info.entity,
                group=info.run_group,
                job_type=info.job_type,
                tags=list(info.tags),
            )
            run["config"].update(values(info.config.update))
        elif kind == "config":
            run["config"].update(values(record.config.update))
        elif kind == "history":
            run["history"].append(values(record.history.item))
        elif kind == "summary":
            run["summary"].update(values(record.summary.update))
        elif kind == "artifact":
            artifact = record.artifact
            run["artifacts"].append(
                {
                    "name": artifact.name,
                    "type": artifact.type,
                    "aliases": list(artifact.aliases),
                    "files": [entry.path for entry in artifact.manifest.contents],
                    "metadata": json.loads(artifact.metadata or "{}"),
                }
            )
        elif kind == "files":
            run["files"] += [item.path for item in record.files.files]
    run["config"].pop("_wandb", None)
    return run


def main(folder: str) -> None:
    runs = [read_run(path) for path in sorted(Path(folder).glob("offline-run-*/run-*.wandb"))]
    json.dump(runs, sys.stdout, indent=2, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
