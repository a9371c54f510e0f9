"""The best trial of `tune` as a proposed change to params.yaml: a unified diff the user reviews
and applies (`git apply reports/tune.diff`), never applied by the kit.

Only the values of the `model:` section change; its comments and everything else stay.
"""

import difflib
import re
from pathlib import Path

import yaml

from .errors import ConfigError

DIFF = Path("reports/tune.diff")  # git-ignored: the proposal, not a result to commit


def scalar(value: object) -> str:
    """`value` as YAML writes a plain scalar (null, true, 200, 0.05, text)."""
    return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()


def block(lines: list[str]) -> tuple[int, int, str]:
    """The `model:` section's lines: its first and past-the-last line, and their indent."""
    start = next((i for i, line in enumerate(lines) if re.match(r"model:\s*(#.*)?$", line)), None)
    if start is None:
        raise ConfigError("params.yaml has no `model:` section in block style: no diff proposed")
    end = start + 1
    while end < len(lines) and not re.match(r"\S", lines[end]):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    children = [line for line in lines[start + 1 : end] if line.strip()]
    indent = re.match(r"\s*", children[0]).group() if children else "  "  # type: ignore[union-attr]
    return start, end, indent


def set_value(line: str, value: str) -> str:
    """`line` (`  key: old  # note`) with `value`, its comment kept at the same column."""
    found = re.match(r"(\s*[^:#]+:)(\s*)([^#\n]*?)(\s*#.*)?(\n?)$", line)
    assert found is not None  # noqa: S101 - the line matched the key before
    key, _, _, note, newline = found.groups()
    head = f"{key} {value}"
    if note:
        column = line.index("#", len(key))
        head = head.ljust(column - 1) + " " + note.lstrip()
    return head + newline


def propose(text: str, params: dict[str, object]) -> str:
    """params.yaml's `text` with `params` as the values of its `model:` section."""
    lines = text.splitlines(keepends=True)
    start, end, indent = block(lines)
    for name, value in params.items():
        pattern = re.compile(rf"{re.escape(indent)}{re.escape(name)}:(\s|$)")
        at = next((i for i in range(start + 1, end) if pattern.match(lines[i])), None)
        if at is None:
            if end and not lines[end - 1].endswith("\n"):
                lines[end - 1] += "\n"
            lines.insert(end, f"{indent}{name}: {scalar(value)}\n")
            end += 1
        else:
            lines[at] = set_value(lines[at], scalar(value))
    return "".join(lines)


def unified_diff(old: str, new: str, path: str) -> str:
    """The diff `git apply` reads (paths a/ and b/, as git writes them)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )


def write(params: Path, root: Path, values: dict[str, object]) -> Path | None:
    """Write the diff setting `values` in `params`' `model:` section to reports/tune.diff;
    None (and no diff) when params.yaml already has them."""
    target = root / DIFF
    target.unlink(missing_ok=True)  # a previous search's proposal is stale
    text = params.read_text(encoding="utf-8")
    try:
        where = params.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:  # outside the project: the path as given
        where = params.as_posix()
    diff = unified_diff(text, propose(text, values), where)
    if not diff:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(diff, encoding="utf-8")
    return target


def report(diff: Path | None, values: dict[str, object]) -> str:
    """The line telling the user what to do with the proposal."""
    shown = ", ".join(f"{name}: {scalar(value)}" for name, value in values.items())
    if diff is None:
        return f"params.yaml's model: already has the best trial's values ({shown})"
    return f"best model: {shown}; review {DIFF}, then `git apply {DIFF}` and commit params.yaml"
