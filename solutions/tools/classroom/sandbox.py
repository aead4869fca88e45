"""Where a student's step runs while it is graded: bubblewrap, Docker, or (unsafe) nowhere.

Each engine turns "run step N of this submission" into a ``Launch``: the command that starts
one worker (``tests.harness.worker``) inside a fresh sandbox, and the command that removes it.

- ``bwrap`` (bubblewrap, Linux namespaces): new user, PID, mount, network, IPC and UTS
  namespaces; read-only views of the Python installation and of the student edition (no
  hidden tests, no template, no reference) with the one step file bound over its stub; a
  private tmpfs of fixed size for the test's own files; an empty environment; no
  capabilities; the sandbox dies with the test process, and ending it ends every process
  started in it (PID namespace). Processes are bounded by a pids cgroup (when the grader
  runs as root) or ``RLIMIT_NPROC`` (otherwise); memory, file size and open files by rlimits.
- ``docker``: ``--network none --read-only --pids-limit --memory --cpus --tmpfs``, no
  capabilities, an unprivileged user, the same read-only views, in an image built from the
  edition (``python -m solutions.tools.classroom image``).
- ``none``: the worker runs as a plain process; only with ``--unsafe-no-sandbox``, and the
  gradebook says so.

>>> Limits().memory_mb
3000
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ENGINES = ("auto", "bwrap", "docker")
DEFAULT_IMAGE = "ner-course-grader"
#: Sandboxes are named ``ner-grade-<random>`` (containers, cgroups).
CGROUP_PREFIX = "ner-grade-"
_PIDS_V1 = Path("/sys/fs/cgroup/pids")
_WORKER = ["-m", "tests.harness.worker"]
_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp/home",
    "TMPDIR": "/tmp",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HOME": "/tmp/home/huggingface",
    "WANDB_MODE": "disabled",
    "MPLBACKEND": "Agg",
    "LANG": "C.UTF-8",
}


@dataclass(frozen=True)
class Launch:
    """How the test process starts one step's worker (``start``, where ``{name}`` is filled
    with a fresh name each time), and how it removes that sandbox afterwards (``stop``)."""

    start: list[str]
    stop: list[str] = field(default_factory=list)
    cwd: str | None = None


def write_spec(path: Path, launches: dict[int, Launch], limits: Limits) -> None:
    """The file the test process reads with ``--sandbox-spec`` (``tests/harness/remote.py``)."""
    steps = {str(step): asdict(launch) for step, launch in launches.items()}
    data = {
        "steps": steps,
        "import_seconds": limits.import_seconds,
        "step_seconds": limits.seconds,
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


@dataclass
class Limits:
    """What one step's sandbox may use (see ``grading.toml``)."""

    seconds: float = 180.0  # the whole step, a backstop for the trusted test process
    test_seconds: float = 10.0  # one call of a student's function
    import_seconds: float = 120.0  # importing the step file and the libraries it names
    memory_mb: int = 3000
    disk_mb: int = 256
    file_mb: int = 64
    processes: int = 64


@dataclass(frozen=True)
class StepFiles:
    """What one sandbox sees: the edition, the one step file, and its private scratch space."""

    edition: Path  # the student edition without hidden tests, read-only
    view: Path  # where the sandbox sees it: the trusted test process's folder, so paths agree
    step: int
    module: str
    step_file: Path  # the submission's file, bound over edition/exercises/<module>.py
    scratch: Path  # where the test's own files live (a tmpfs inside the sandbox)


class Engine:
    """A way to start sandboxed workers."""

    name = "none"

    def problem(self) -> str | None:
        """Why this engine cannot be used here, or ``None``."""
        return None

    def describe(self) -> str:
        return "none (--unsafe-no-sandbox: the student's code ran unconfined)"

    def clean_up(self, final: bool = False) -> None:
        """Remove what ended sandboxes left: after each submission, and once more (``final``)
        when no sandbox of this grading run is in use any more."""

    def launch(self, files: StepFiles, limits: Limits) -> Launch:
        tree = files.scratch / "course"
        if not tree.exists():
            shutil.copytree(files.edition, tree)
        shutil.copyfile(files.step_file, tree / "exercises" / f"{files.module}.py")
        # No process limit here: RLIMIT_NPROC would count every process of the user.
        arguments = _worker_args(files, limits)[:-2]
        return Launch([sys.executable, *_WORKER, *arguments], cwd=str(tree))


class Bubblewrap(Engine):
    name = "bwrap"

    def problem(self) -> str | None:
        if sys.platform != "linux":
            return "bubblewrap needs Linux"
        if not shutil.which("bwrap"):
            return "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
        trial = subprocess.run(
            ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
            capture_output=True, text=True, check=False, timeout=30,
        )  # fmt: skip
        if trial.returncode != 0:
            reason = trial.stderr.strip().splitlines()[-1:] or ["?"]
            return f"bwrap cannot create namespaces here ({reason[0]}); use --sandbox docker"
        if os.geteuid() == 0 and _pids_cgroup() is None:
            return "as root, processes can only be bounded by a pids cgroup, and none is writable"
        return None

    def describe(self) -> str:
        done = subprocess.run(["bwrap", "--version"], capture_output=True, text=True, check=False)
        bound = "pids cgroup" if os.geteuid() == 0 else "RLIMIT_NPROC"
        return f"{done.stdout.strip() or 'bwrap'} (namespaces; processes bounded by {bound})"

    def __init__(self) -> None:
        self.run = uuid.uuid4().hex[:8]  # names this grading run's cgroups

    def clean_up(self, final: bool = False) -> None:
        """Remove this run's empty pids cgroups (one in use cannot be removed); ``final``:
        end what is left in them first, and wait until they are gone."""
        group = _pids_cgroup() if os.geteuid() == 0 else None
        folders = list(group.glob(f"{CGROUP_PREFIX}*-{self.run}")) if group else []
        deadline = time.monotonic() + (10 if final else 0)
        while folders:
            for folder in folders:
                if final:
                    for pid in _read(folder / "cgroup.procs").split():
                        with contextlib.suppress(OSError):
                            os.kill(int(pid), signal.SIGKILL)
                with contextlib.suppress(OSError):
                    folder.rmdir()
            folders = [folder for folder in folders if folder.exists()]
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)

    def launch(self, files: StepFiles, limits: Limits) -> Launch:
        command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
                   "--cap-drop", "ALL", "--clearenv"]  # fmt: skip
        if _bwrap_supports("--disable-userns"):
            command += ["--unshare-user", "--disable-userns"]
        for name, value in _ENVIRONMENT.items():
            command += ["--setenv", name, value]
        size = str(limits.disk_mb * 1024 * 1024)
        for place in _scratch_places(files.scratch):  # first: the views below go on top
            command += ["--size", size, "--tmpfs", str(place)]
        command += _system_binds()
        command += ["--ro-bind", str(files.edition), str(files.view),
                    "--ro-bind", str(files.step_file),
                    str(files.view / "exercises" / f"{files.module}.py"),
                    "--proc", "/proc", "--dev", "/dev", "--chdir", str(files.view)]  # fmt: skip
        for hidden in _reference_copies():
            command += ["--tmpfs", str(hidden)]
        command += [sys.executable, *_WORKER, *_worker_args(files, limits)]
        group = _pids_cgroup() if os.geteuid() == 0 else None
        if group is None:
            return Launch(command)
        return _in_pids_cgroup(command, group / f"{{name}}-{self.run}", limits.processes)


class Docker(Engine):
    name = "docker"

    def __init__(self, image: str = DEFAULT_IMAGE) -> None:
        self.image = image

    def problem(self) -> str | None:
        if not shutil.which("docker"):
            return "docker is not installed"
        done = subprocess.run(
            ["docker", "image", "inspect", self.image], capture_output=True, text=True,
            check=False, timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["?"])[-1]
            return (
                f"docker cannot use the image {self.image!r} ({reason}); build it with "
                "`python -m solutions.tools.classroom image`"
            )
        return None

    def describe(self) -> str:
        return f"docker, image {self.image} (network none, read-only, pids/memory/cpu limits)"

    def launch(self, files: StepFiles, limits: Limits) -> Launch:
        size = f"{limits.disk_mb}m"
        edition, view = str(files.edition), str(files.view)
        command = [
            "docker", "run", "--rm", "-i", "--name", "{name}", "--network", "none",
            "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", "65534:65534", "--pids-limit", str(limits.processes),
            "--memory", f"{limits.memory_mb}m", "--memory-swap", f"{limits.memory_mb}m",
            "--cpus", "1", "--ulimit", f"fsize={limits.file_mb * 1024 * 1024}",
            "--tmpfs", f"/tmp:rw,size={size},mode=1777",
        ]  # fmt: skip
        for place in _scratch_places(files.scratch):
            if str(place) != "/tmp":
                command += ["--tmpfs", f"{place}:rw,size={size},mode=1777"]
        command += ["-v", f"{edition}:{view}:ro",
                    "-v", f"{files.step_file}:{view}/exercises/{files.module}.py:ro",
                    "-w", view]  # fmt: skip
        for name, value in _ENVIRONMENT.items():
            command += ["-e", f"{name}={value}"]
        lifetime = str(int(limits.seconds) + 60)  # pid 1 ends the container in any case
        command += [self.image, "timeout", "-s", "KILL", lifetime, "python", *_WORKER]
        command += _worker_args(files, limits)
        return Launch(command, stop=["docker", "rm", "-f", "{name}"])


def choose(name: str, image: str = DEFAULT_IMAGE, unsafe: bool = False) -> Engine:
    """The engine ``name`` (``auto``: bubblewrap, else Docker); ``ValueError`` says why none
    can be used. ``unsafe`` allows running without a sandbox when none is available."""
    candidates = {"bwrap": [Bubblewrap()], "docker": [Docker(image)]}.get(
        name, [Bubblewrap(), Docker(image)]
    )
    reasons = []
    for engine in candidates:
        problem = engine.problem()
        if problem is None:
            return engine
        reasons.append(f"{engine.name}: {problem}")
    if unsafe:
        return Engine()
    raise ValueError(
        "no sandbox can be used, so no grade is written:\n  "
        + "\n  ".join(reasons)
        + "\n(--unsafe-no-sandbox grades anyway, with the student's code unconfined; "
        "the gradebook then says so)"
    )


def _worker_args(files: StepFiles, limits: Limits) -> list[str]:
    return [str(files.step), "--memory-mb", str(limits.memory_mb), "--file-mb",
            str(limits.file_mb), "--processes", str(limits.processes)]  # fmt: skip


def _system_binds() -> list[str]:
    """Read-only views of the system and the Python installation (nothing else of the host)."""
    binds = []
    for top in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        path = Path(top)
        if path.is_symlink():
            binds += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            binds += ["--ro-bind", top, top]
    for extra in ("/etc/ld.so.cache", "/etc/ssl/certs", "/etc/alternatives"):
        if Path(extra).exists():
            binds += ["--ro-bind", extra, extra]
    for prefix in _python_prefixes():
        binds += ["--ro-bind", str(prefix), str(prefix)]
    return binds


def _python_prefixes() -> list[Path]:
    """The folders the worker's Python needs: its installation and its environment."""
    places = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    places.add(Path(os.path.realpath(sys.executable)).parent.parent)
    places.add(Path(sys.prefix))  # the environment's own path, as its scripts name it
    system = (Path("/usr"), Path("/bin"), Path("/lib"), Path("/lib64"))
    return sorted(p for p in places if not any(p == s or s in p.parents for s in system))


def _reference_copies() -> list[Path]:
    """Installed (non-editable) copies of the reference inside the views: hidden by tmpfs."""
    import importlib.util

    found = []
    for prefix in _python_prefixes():
        for candidate in prefix.glob("lib/python3*/site-packages/solutions"):
            if any((candidate / f"{m}.py").exists() for m in ("preprocessing", "metrics")):
                found.append(candidate)
    spec = importlib.util.find_spec("solutions")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location)
        inside = any(p in path.parents for p in _python_prefixes())
        if inside and path not in found:
            found.append(path)
    return found


def _scratch_places(scratch: Path) -> list[Path]:
    """Private tmpfs mounts: ``/tmp``, and the grading folder when it is elsewhere."""
    places = [Path("/tmp")]
    if Path("/tmp") not in scratch.parents:
        places.append(scratch)
    return places


def _bwrap_supports(flag: str) -> bool:
    done = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, check=False)
    return flag in done.stdout + done.stderr


def _pids_cgroup() -> Path | None:
    """A pids cgroup folder this process may create groups in (cgroup v1 or v2), if any."""
    candidates = [_PIDS_V1]
    unified = Path("/sys/fs/cgroup")
    if "pids" in _read(unified / "cgroup.subtree_control").split():
        candidates.append(unified)
    for place in candidates:
        if (place / "cgroup.procs").exists() and os.access(place, os.W_OK):
            return place
    return None


def _in_pids_cgroup(command: list[str], folder: Path, processes: int) -> Launch:
    """Start ``command`` inside a fresh pids cgroup; the stop command kills and removes it."""
    start = [
        "/bin/sh", "-c",
        f'mkdir "{folder}" && echo {processes} > "{folder}/pids.max" '
        f'&& echo $$ > "{folder}/cgroup.procs" && exec "$@"', "sandbox", *command,
    ]  # fmt: skip
    stop = [
        "/bin/sh", "-c",
        f'for i in $(seq 100); do [ -d "{folder}" ] || exit 0; '
        f'kill -9 $(cat "{folder}/cgroup.procs") 2>/dev/null; '
        f'rmdir "{folder}" 2>/dev/null && exit 0; sleep 0.05; done; exit 1',
    ]  # fmt: skip
    return Launch(start, stop=stop)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
