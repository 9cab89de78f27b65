"""JupyterLab on the chapter notebooks, for an analyst who reruns one by hand: on loopback, with
the project's environment as its kernel, and with nothing fetched from the internet."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PORT = 8888  # JupyterLab's usual port; it takes the next free one if this is in use


def lab_arguments(root: Path, port: int) -> list[str]:
    """The command that serves ROOT/notebooks in JupyterLab (the kernel is this Python's, which
    has compute_deals installed)."""
    return [
        sys.executable, "-m", "jupyter", "lab",
        f"--ServerApp.root_dir={root / 'notebooks'}",
        "--ServerApp.ip=127.0.0.1",  # loopback: the server runs code, so nobody else may reach it
        f"--ServerApp.port={port}",
        "--no-browser",  # it prints the address (with its token) to open instead
        # JupyterLab would otherwise ask the internet for news, updates and PyPI's extension list.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        # Containers and CI run as root, which JupyterLab refuses unless told; it is loopback-only.
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
