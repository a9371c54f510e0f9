"""End to end, option docker: the baked Dockerfile built by a real Docker engine, and run.

The engine is the test's own: Debian's `dockerd` (package docker.io) with no iptables and no
bridge, its data, state, socket and containerd namespace in a temporary folder, stopped and
removed at the end. No image registry is reachable from the machines this template is tested
on, so the test makes the base image itself: a minimal Debian of the official image's release
(`debootstrap --variant=minbase` from the mirror apt uses) with this machine's Python of the
project's version copied into /usr/local, imported with `docker import` and passed as
`--build-arg BASE_IMAGE`. The image is built with BuildKit (docker.io's dockerd embeds it), with
the host's network for pip only; the pipeline then runs with no network at all.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import Baked, bake_locked, clean_env, run, stop

pytestmark = pytest.mark.slow

SUITE = "trixie"  # the Debian release of the official base image (python:X.Y.Z-slim-trixie)
RECIPE = 2  # bump when make_base_tarball changes: a cached base image is made anew
# What the standard library's extension modules link against beyond minbase (trixie's names).
LIBRARIES = ["libssl3t64", "libffi8", "libsqlite3-0", "libbz2-1.0", "liblzma5", "zlib1g",
             "libreadline8t64", "libncursesw6", "libuuid1", "libgdbm6t64", "libexpat1"]  # fmt: skip
# The Dockerfile's `useradd` comes from passwd, which minbase leaves out.
PACKAGES = ["passwd", *LIBRARIES]
UID = 10001  # the Dockerfile's user
SBIN = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


@dataclass
class Engine:
    """A running dockerd and the docker CLI pointed at it."""

    cli: str
    env: dict

    def __call__(self, *args: str, cwd: Path | None = None, check: bool = True):
        return run([self.cli, *args], cwd or Path.cwd(), check, **self.env)

    def raw(self, *args: str) -> bytes:
        """A command's stdout as bytes (`docker cp ... -` writes a tar stream)."""
        done = subprocess.run([self.cli, *args], env=clean_env(**self.env), capture_output=True)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout


def wait_until(ready, what: str, seconds: float, process: subprocess.Popen) -> bool:
    """Wait for ready(); False if the process exits first or the time runs out."""
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def unmount(folder: Path) -> None:
    """Lazily unmount folder and whatever an engine that died left mounted below, deepest first."""
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    below = (m for m in mounts if m == str(folder) or m.startswith(f"{folder}/"))
    for point in sorted(set(below), reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """A throwaway dockerd on a socket of its own; skips with one reason if it cannot run."""
    dockerd = shutil.which("dockerd") or shutil.which("dockerd", path=SBIN)
    if dockerd is None:
        pytest.skip("no dockerd: `apt-get install docker.io` (.ci/run does)")
    if os.geteuid() != 0:
        pytest.skip("dockerd needs root here (no rootless setup on these machines)")
    # The CLI of the same package (a different docker may come first on PATH).
    beside = Path(dockerd).parents[1] / "bin" / "docker"
    cli = str(beside) if beside.is_file() else shutil.which("docker")
    if cli is None:
        pytest.skip("dockerd without the docker CLI: `apt-get install docker.io`")
    base = Path(tempfile.mkdtemp(prefix="dockerd-", dir="/tmp"))  # a socket path is <= 107 bytes
    # In memory where it can be (about 1 GB at most): removing the image's files from disk took
    # 30 s after a build, an unmount takes none. On disk where tmpfs cannot be mounted.
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0700,size=8g", "tmpfs", str(base)],
                   capture_output=True)  # fmt: skip
    (base / "daemon.json").write_text("{}")  # not /etc/docker/daemon.json
    # Not the namespace of a containerd another engine uses (letters and digits only).
    namespace = "mlt" + re.sub(r"[^A-Za-z0-9]", "", base.name)
    sock = base / "docker.sock"
    log = (base / "dockerd.log").open("w")
    process = subprocess.Popen(
        [dockerd, "--iptables=false", "--bridge=none", "--config-file", str(base / "daemon.json"),
         "--data-root", str(base / "data"), "--exec-root", str(base / "exec"),
         "--pidfile", str(base / "dockerd.pid"), "-H", f"unix://{sock}",
         "--containerd-namespace", namespace, "--containerd-plugins-namespace", f"{namespace}-p"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env=clean_env(PATH=f"{SBIN}:{os.environ.get('PATH', '')}"),
    )  # fmt: skip
    env = {"DOCKER_HOST": f"unix://{sock}", "DOCKER_BUILDKIT": "1",
           "DOCKER_CONFIG": str(base / "config")}  # fmt: skip
    docker = Engine(cli, env)

    def answers() -> bool:
        return docker("version", check=False).returncode == 0

    try:
        if not wait_until(answers, "dockerd", 60, process):
            log.flush()
            tail = (base / "dockerd.log").read_text().strip().splitlines()[-3:]
            pytest.skip(f"dockerd could not start here: {' | '.join(tail)[-400:]}")
        yield docker
    finally:
        stop(process)  # dockerd stops its containerd too
        log.close()
        unmount(base)
        shutil.rmtree(base, ignore_errors=True)


def apt_mirror() -> str:
    """The Debian mirror apt already uses here (deb822 .sources or one-line lists)."""
    sources = sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    for path in sources:
        for stanza in path.read_text().split("\n\n"):
            fields = dict(re.findall(r"^([\w-]+):\s*(.+)$", stanza, re.M))
            suites = fields.get("Suites", "").split()
            security = any(suite.endswith("-security") for suite in suites)
            debian = [uri for uri in fields.get("URIs", "").split() if "debian" in uri]
            if "deb" in fields.get("Types", "").split() and debian and not security:
                return debian[0]
    for path in [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*.list")]:
        if path.is_file():
            for line in path.read_text().splitlines():
                found = re.match(r"deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
                if found and not found[2].endswith("-security") and "debian" in found[1]:
                    return found[1]
    return "http://deb.debian.org/debian"


def python_of(version: str) -> tuple[Path, str]:
    """A relocatable Python X.Y of this machine (its own prefix, as pyenv builds): prefix, X.Y.Z."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [sys.executable, shutil.which(f"python{version}")]
    candidates += [str(path) for path in sorted(pyenv.glob(f"{version}.*/bin/python{version}"))]
    for candidate in filter(None, candidates):
        probe = "import json, platform, sys; print(json.dumps([sys.base_prefix, platform.python_version()]))"  # noqa: E501
        done = subprocess.run([candidate, "-c", probe], capture_output=True, text=True)
        if done.returncode == 0:
            prefix, full = json.loads(done.stdout)
            if full.startswith(f"{version}.") and prefix not in ("/usr", "/usr/local"):
                return Path(prefix), full
    pytest.skip(f"no Python {version} with a prefix of its own (as pyenv's) to put in the image")


def copy_python(prefix: Path, version: str, target: Path) -> None:
    """The interpreter, its shared library, the standard library and pip; no tests, no headers,
    no Tk, no IDLE, and none of the host's other packages."""
    stdlib = f"lib/python{version}"
    dropped = {f"{stdlib}/{name}" for name in ("test", "idlelib", "tkinter", "turtledemo",
               "ensurepip", "lib2to3", "__phello__")}  # fmt: skip
    dynload = re.compile(r"(_test|_tkinter|xxlimited|_xxtestfuzz|_ctypes_test|nis\.)")

    def ignore(folder: str, names: list[str]) -> set[str]:
        relative = Path(folder).relative_to(prefix).as_posix()
        if relative == ".":
            return set(names) - {"bin", "lib"}
        if relative == "bin":
            return {name for name in names if not re.fullmatch(r"python[\d.]*", name)}
        if relative == "lib":
            return {name for name in names if name == "pkgconfig" or name.endswith(".a")}
        if relative == stdlib:
            return {n for n in names if f"{relative}/{n}" in dropped or n.startswith("config-")}
        if relative == f"{stdlib}/site-packages":
            return {name for name in names if not re.fullmatch(r"pip(-[\d.]+\.dist-info)?", name)}
        if relative == f"{stdlib}/lib-dynload":
            return {name for name in names if dynload.match(name)}
        return set()

    shutil.copytree(prefix, target, symlinks=True, ignore=ignore, dirs_exist_ok=True)
    for optimized in target.rglob("*.opt-[12].pyc"):  # python -O bytecode: nothing runs -O
        optimized.unlink()
    if shutil.which("strip"):  # debug symbols: most of the shared library's size
        shared = [*target.glob("lib/libpython*.so.*"), *target.glob(f"{stdlib}/lib-dynload/*.so")]
        run(["strip", "--strip-unneeded", *map(str, shared)], target)


def make_base_tarball(tarball: Path, prefix: Path, version: str, work: Path) -> None:
    """debootstrap minbase + this machine's Python in /usr/local, as a root file system tar."""
    rootfs = work / "rootfs"
    run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE,
         str(rootfs), apt_mirror()], work, PATH=SBIN)  # fmt: skip
    copy_python(prefix, version, rootfs / "usr/local")
    # pip in the build checks TLS against this machine's bundle (its egress may re-sign TLS).
    (rootfs / CA_BUNDLE.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(CA_BUNDLE, rootfs / CA_BUNDLE.lstrip("/"))
    for junk in ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale",
                 "var/lib/apt/lists", "var/cache/apt", "var/log"):  # fmt: skip
        shutil.rmtree(rootfs / junk, ignore_errors=True)
        (rootfs / junk).mkdir(parents=True)
    chroot = ["chroot", str(rootfs), "/usr/bin/env", "-i", f"PATH={SBIN}"]
    run([*chroot, "ldconfig"], work)  # libpython from /usr/local/lib
    run([*chroot, "python3", "-c", "import bz2, ctypes, decimal, hashlib, lzma, pyexpat, "
         "readline, sqlite3, ssl, uuid, zlib, pip"], work)  # fmt: skip
    partial = tarball.with_suffix(".part")
    run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."], work)
    partial.replace(tarball)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """The docker=yes project, locked with its own `nox -s lock` and committed."""
    return bake_locked(tmp_path_factory.mktemp("docker-build"), docker="yes")


@pytest.fixture(scope="module")
def base_image(engine, project, request, tmp_path_factory) -> str:
    """The made base image, from a tarball cached under pytest's cache between runs."""
    requires = re.search(r'requires-python = ">=(\d+\.\d+)', project.text("pyproject.toml"))[1]
    prefix, full = python_of(requires)
    key = f"{SUITE}-python{full}-r{RECIPE}"
    tarball = Path(request.config.cache.mkdir("docker-base")) / f"{key}.tar"
    if not tarball.is_file():
        if shutil.which("debootstrap", path=SBIN) is None:
            pytest.skip("no debootstrap to make the base image: `apt-get install debootstrap`")
        for stale in tarball.parent.glob("*.tar"):  # made by an older recipe
            if not stale.name.endswith(f"-r{RECIPE}.tar"):
                stale.unlink()
        make_base_tarball(tarball, prefix, requires, tmp_path_factory.mktemp("rootfs"))
    name = f"made-python:{key}"
    changes = [f"ENV PATH={SBIN}", "ENV LANG=C.UTF-8", f"ENV PIP_CERT={CA_BUNDLE}",
               f"ENV SSL_CERT_FILE={CA_BUNDLE}", 'CMD ["python3"]']  # fmt: skip
    engine("import", *(f"--change={change}" for change in changes), str(tarball), name)
    return name


def test_the_image_builds_from_the_lock_and_runs_the_pipeline_unprivileged_offline(
    engine, project, base_image
):
    epoch = run(["git", "log", "-1", "--format=%ct"], project.root).stdout.strip()
    tag = f"{project.options.get('project_slug', 'my-ml-project')}:e2e"
    arguments = [
        f"--build-arg={arg}" for arg in (f"BASE_IMAGE={base_image}", f"SOURCE_DATE_EPOCH={epoch}")
    ]
    built = engine(
        "build", "--network=host", "--progress=plain", "-t", tag, *arguments, ".", cwd=project.root
    )
    log = built.stdout + built.stderr
    # The official tag is never pulled: the build needs no registry once BASE_IMAGE is given.
    assert "python:3" not in log and f"FROM docker.io/library/{base_image}" in log, log[-3000:]
    assert (
        "RUN python -m pip install --require-hashes --only-binary=:all: --no-deps"
        " -r requirements.txt" in log
    ), log[-3000:]
    # pip installed exactly the lock: every pinned distribution, nothing else.
    installed = re.search(r"Successfully installed (.+)", log)
    assert installed, log[-3000:]

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    got = {normal(item.rsplit("-", 1)[0]) for item in installed[1].split()}
    pins = re.findall(r"^([\w.-]+)==", project.text("requirements.txt"), re.M)
    locked = {normal(name) for name in pins}
    assert got == locked

    container = f"pipeline-{os.getpid()}"
    try:
        done = engine("run", "--name", container, "--network=none", tag)  # the image's CMD
        assert "stage evaluate" in done.stdout + done.stderr, done.stdout[-3000:]
        # No git in the image: the run is named without it, and GitPython does not warn.
        assert not re.search(r"\bgit\b", done.stderr, re.I), done.stderr[-3000:]
        stream = io.BytesIO(engine.raw("cp", f"{container}:/app/reports", "-"))
        with tarfile.open(fileobj=stream) as reports:
            metrics = reports.getmember("reports/metrics.json")
            values = json.loads(reports.extractfile(metrics).read())
        # Written by the pipeline's own process: the image's unprivileged user, not root.
        assert (metrics.uid, metrics.gid) == (UID, UID)
        assert values and all(isinstance(value, float) for value in values.values())
    finally:
        engine("rm", "-f", container, check=False)
    assert engine("run", "--rm", "--network=none", tag, "id", "-u").stdout.strip() == str(UID)
