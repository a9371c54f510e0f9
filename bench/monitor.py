"""Measure `monitor`'s false-alarm rate and its power on the default project (`nox -s bench`).

Bakes the default project, locks it, runs its pipeline, then with the project's own Python
builds the monitoring report of many seeded resamples (with replacement) of the training split,
and of the held-out test split, and of the training split with one column shifted: how often
each is flagged as drift (the exit status 1 of `monitor`) and what share of columns drift.
Printed as one Markdown table; a measurement, not a test.

    python bench/monitor.py                 # 200 resamples of 150 rows
    python bench/monitor.py --resamples 50  # quicker
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import Row, bake, machine, must, nox, project_env, table  # noqa: E402

# Run by the baked project's Python, in the project, after its pipeline.
MEASURE = """
import json, sys
from pathlib import Path
from mlreprokit.config import load_config
from mlreprokit.monitor import build_report
from mlreprokit.schema import load_schema, read_split

resamples, rows = int(sys.argv[1]), int(sys.argv[2])
root = Path.cwd()
config = load_config(root / "params.yaml")
schema = load_schema(root / "schema.yaml")
splits = {n: read_split(root / f"data/processed/{n}.csv", schema) for n in ("train", "test")}
shifted_column = schema.features[0].name

def batches(kind, seed):
    frame = splits["test" if kind == "held-out" else "train"]
    batch = frame.sample(rows, replace=True, random_state=seed).reset_index(drop=True)
    if kind == "shifted":
        batch[shifted_column] = batch[shifted_column] * 1.1
    return batch

found = {}
for kind in ("train", "held-out", "shifted"):
    flagged = column_share = prediction = named = 0
    for seed in range(resamples):
        report = build_report(batches(kind, seed), kind, kind, config, root)
        flagged += report["drift"]
        column_share += report["dataset"]["share"]
        prediction += bool(report["prediction"] and report["prediction"]["drifted"])
        named += shifted_column in report["dataset"]["drifted"]
    found[kind] = {
        "flagged": flagged / resamples,
        "column_share": column_share / resamples,
        "prediction": prediction / resamples,
        "named": named / resamples,
        "columns": report["dataset"]["columns"],
        "reference_rows": report["reference_rows"],
        "shifted_column": shifted_column,
    }
print(json.dumps(found))
"""


def measure(project: Path, env: dict[str, str], resamples: int, rows: int) -> list[Row]:
    python = project / ".nox" / "pipeline" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", MEASURE, str(resamples), str(rows)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"bench: the monitor measurement failed\n{done.stderr[-4000:]}")
    found = json.loads(done.stdout.splitlines()[-1])
    train = found["train"]
    how = (
        f"{resamples} seeded resamples of {rows} rows with replacement; breast_cancer, "
        f"{train['columns']} feature columns, reference {train['reference_rows']} rows "
        "(KS / chi-squared / z); default monitor: section"
    )
    rows_out = []
    for kind, label in (
        ("train", "monitor false alarms: resamples of the training split"),
        ("held-out", "monitor false alarms: resamples of the held-out test split"),
    ):
        entry = found[kind]
        value = f"{entry['flagged']:.1%} of batches"
        detail = (
            f"mean share of columns drifting {entry['column_share']:.1%}; predictions drift "
            f"in {entry['prediction']:.1%}; {how}"
        )
        rows_out.append(Row(label, value, "< 5%", detail))
    shifted = found["shifted"]
    rows_out.append(
        Row(
            f"monitor power: `{shifted['shifted_column']}` x 1.1 in training resamples",
            f"named in {shifted['named']:.1%}",
            "",
            f"batches flagged (exit 1) {shifted['flagged']:.1%}: one column of "
            f"{shifted['columns']} is under drift_share 0.5 unless the predictions drift too",
        )
    )
    return rows_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=200, help="batches per kind")
    parser.add_argument("--rows", type=int, default=150, help="rows per batch")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-monitor-") as tmp:
        work = Path(tmp)
        env = project_env()
        print(f"bench: {machine()}", file=sys.stderr)
        _, project = bake(work / "monitor")
        must(nox(project, env, "lock"), "nox -s lock")
        must(nox(project, env, "pipeline"), "nox -s pipeline")
        rows = measure(project, env, args.resamples, args.rows)
        print(f"Measured on {machine()} (`nox -s bench`).\n")
        print(table(rows), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
