"""Build the Docker image the ``docker`` sandbox runs: Python, the course's libraries, no code.

The image holds the libraries the steps use (CPU torch first, then the edition's own
dependencies) and nothing of the course itself: the grader mounts the edition (without hidden
tests) and the one step file read-only into each container.

    python -m solutions.tools.classroom image --tag ner-course-grader
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib

DOCKERFILE = """\
FROM python:{python}-slim
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN pip install torch=={torch} --index-url https://download.pytorch.org/whl/cpu
COPY requirements.txt /requirements.txt
RUN pip install -r /requirements.txt && rm /requirements.txt
USER 65534:65534
"""


def dockerfile(template: Path) -> tuple[str, str]:
    """The Dockerfile and the requirements it installs (the course's dependencies)."""
    import torch

    project = tomllib.loads((template / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [r for r in project["project"]["dependencies"] if not r.startswith("torch")]
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    torch_version = torch.__version__.split("+")[0]
    return DOCKERFILE.format(python=python, torch=torch_version), "\n".join(requirements) + "\n"


def build_image(template: Path, tag: str, dry_run: bool = False) -> int:
    """``docker build`` the image as ``tag``; with ``dry_run`` only print what would run."""
    text, requirements = dockerfile(template)
    command = ["docker", "build", "--tag", tag, "."]
    if dry_run:
        print(text)
        print("# requirements.txt\n" + requirements)
        print(" ".join(command))
        return 0
    if not shutil.which("docker"):
        raise ValueError("docker is not installed: the docker sandbox needs it")
    with tempfile.TemporaryDirectory(prefix="ner-grader-image-") as folder:
        (Path(folder) / "Dockerfile").write_text(text, encoding="utf-8")
        (Path(folder) / "requirements.txt").write_text(requirements, encoding="utf-8")
        return subprocess.run(command, cwd=folder, check=False).returncode
