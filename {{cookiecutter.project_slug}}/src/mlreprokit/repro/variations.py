"""What differs between the control run and the varied run, one named variation at a time.

Each variation sets one condition that must not matter to a control value and a varied value,
like Debian's reprotest. The control run takes every control value, the varied run every
varied value; bisection reruns with one varied value at a time to name the cause.
"""

import locale
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
CONTROL_LOCALES = ("C.UTF-8", "C.utf8", "en_US.UTF-8")
# A varied locale with a decimal comma or other casing rules shows most; C is the fallback.
VARIED_LOCALES = ("de_DE.UTF-8", "fr_FR.UTF-8", "tr_TR.UTF-8", "ru_RU.UTF-8", "en_US.UTF-8", "C")
FIXED_EPOCH = "946684800"  # 2000-01-01T00:00:00Z
SHIM = Path(__file__).parent / "file_order"  # holds the sitecustomize.py that orders listings


@dataclass
class Launch:
    """How one run starts: its environment, umask, CPUs, folder and the order it sees files in."""

    env: dict[str, str]
    folder: str = "a"
    umask: int = 0o022
    cpus: set[int] | None = None
    nice: int = 0  # added to the run's niceness: the run with every CPU yields to a pinned one
    reverse_order: bool | None = None  # None: file_order is not varied
    fresh_home: bool = False


@dataclass(frozen=True)
class Variation:
    name: str
    what: str  # the condition, e.g. "PYTHONHASHSEED"
    control: str
    varied: str
    apply: Callable[[Launch, bool], None] = field(repr=False)
    unavailable: str = ""  # why it cannot be applied on this machine, if it cannot


def set_env(**values: tuple[str | None, str]) -> Callable[[Launch, bool], None]:
    """A variation that sets environment variables: values are (control, varied) pairs; a
    control value of None unsets the variable."""

    def apply(launch: Launch, varied: bool) -> None:
        for name, pair in values.items():
            value = pair[varied]
            if value is None:
                launch.env.pop(name, None)
            else:
                launch.env[name] = value

    return apply


def installed_locale(candidates: tuple[str, ...]) -> str | None:
    """The first locale of `candidates` this machine has."""
    saved = locale.setlocale(locale.LC_ALL)
    try:
        for name in candidates:
            try:
                locale.setlocale(locale.LC_ALL, name)
                return name
            except locale.Error:
                continue
        return None
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def cpu_set() -> set[int]:
    return os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()


def build_variations() -> list[Variation]:
    """Every variation, with this machine's values; `unavailable` says why one cannot apply."""
    cpus = cpu_set()
    control_locale = installed_locale(CONTROL_LOCALES) or "C"
    varied_locale = installed_locale(tuple(n for n in VARIED_LOCALES if n != control_locale))

    def folder(launch: Launch, varied: bool) -> None:
        launch.folder = "second-run/b" if varied else "a"

    def threads(launch: Launch, varied: bool) -> None:
        launch.env.update({name: "2" if varied else "1" for name in THREAD_VARIABLES})

    half = set(sorted(cpus)[: max(1, len(cpus) // 2)])  # the runs share the machine at once

    def fewer_cpus(launch: Launch, varied: bool) -> None:
        launch.cpus = None if varied else half
        launch.nice = 10 if varied else 0  # so the two at once take about one pinned run's time

    def umask(launch: Launch, varied: bool) -> None:
        launch.umask = 0o002 if varied else 0o022

    def home(launch: Launch, varied: bool) -> None:
        launch.fresh_home = varied

    def order(launch: Launch, varied: bool) -> None:
        launch.reverse_order = varied

    def locales(launch: Launch, varied: bool) -> None:
        name = varied_locale if varied else control_locale
        assert name is not None, "locale is applied only when a second locale is installed"
        launch.env.update(LC_ALL=name, LANG=name, LANGUAGE="")

    return [
        Variation("hash_seed", "PYTHONHASHSEED", "1", "2", set_env(PYTHONHASHSEED=("1", "2"))),
        Variation("path", "the project's folder", "a/", "second-run/b/", folder),
        Variation("threads", "OMP/OPENBLAS/MKL/NUMEXPR threads", "1", "2", threads),
        Variation(
            "cpus",
            "CPUs the run may use",
            f"{len(half)} (pinned)",
            str(len(cpus)),
            fewer_cpus,
            "" if len(cpus) > 1 else "this machine lets a process use only one CPU",
        ),
        Variation(
            "locale",
            "LC_ALL/LANG",
            control_locale,
            str(varied_locale),
            locales,
            "" if varied_locale else "no second locale is installed",
        ),
        Variation("timezone", "TZ", "UTC0", "<+1345>-13:45", set_env(TZ=("UTC0", "<+1345>-13:45"))),
        Variation("umask", "umask", "022", "002", umask),
        Variation("home", "HOME", "yours", "a fresh empty folder", home),
        Variation("file_order", "directory listing order", "sorted", "reversed", order),
        Variation(
            "clock",
            "SOURCE_DATE_EPOCH",
            "unset",
            FIXED_EPOCH,
            set_env(SOURCE_DATE_EPOCH=(None, FIXED_EPOCH)),
        ),
    ]


VARIATION_NAMES = (
    "hash_seed",
    "path",
    "threads",
    "cpus",
    "locale",
    "timezone",
    "umask",
    "home",
    "file_order",
    "clock",
)


def launch(variations: list[Variation], varied: set[str], env: dict[str, str]) -> Launch:
    """The launch of a run that takes the varied value of `varied` and the control of the rest."""
    result = Launch(dict(env))
    for variation in variations:
        variation.apply(result, variation.name in varied)
    return result
