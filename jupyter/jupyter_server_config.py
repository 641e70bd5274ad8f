# JupyterLab for this project, loaded by every `jupyter lab` run from .venv (the Makefile links
# this file into .venv/etc/jupyter/ when the environment is built). See "Working in JupyterLab"
# in README.md for the model: explore anywhere, keep experiments in notebooks/scratch/, and the
# pipeline's notebooks are read-mostly unless EDIT=1.
import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

# `make lab` names the checkout (a venv may be shared by copies of the repository); otherwise the
# checkout this file is in.
ROOT = Path(os.environ.get("STCA_ROOT") or Path(__file__).resolve().parent.parent)

c.ServerApp.root_dir = str(ROOT)
# Open at notebooks/: JupyterLab's own default URL wins over the server's, so set both.
c.ServerApp.default_url = "/lab/tree/notebooks"
c.LabApp.default_url = "/lab/tree/notebooks"
c.ContentsManager.preferred_dir = "notebooks"

# The pipeline's notebooks are read-mostly; STCA_LAB_EDIT=1 (make lab EDIT=1) saves changes.
c.ServerApp.contents_manager_class = "src.lab.PipelineContentsManager"
c.PipelineContentsManager.edit_pipeline = os.environ.get("STCA_LAB_EDIT") == "1"
# jupytext's server extension would save .py pairs with version stamps; src.lab writes pairs
# in their committed form instead.
c.ServerApp.jpserver_extensions = {"jupyterlab_jupytext": False}

# Kernels talk to the server over Unix sockets in the Jupyter runtime folder, not TCP ports on
# loopback: nothing listens on the network, no port can be taken by another process, and
# ipykernel has no "running over TCP without encryption" warning to print.
# Each kernel's sockets are named after it (src/lab.py says why).
c.KernelManager.transport = "ipc"
c.AsyncMappingKernelManager.kernel_manager_class = "src.lab.ProjectKernelManager"

# Only the project kernel is offered (the environment's generic python3 is what papermill uses).
c.KernelSpecManager.allowed_kernelspecs = {"stca-foia"}
c.MappingKernelManager.default_kernel_name = "stca-foia"

# Least privilege: no terminals unless asked for (make lab TERMINALS=1), idle kernels shut down.
c.ServerApp.terminals_enabled = os.environ.get("STCA_LAB_TERMINALS") == "1"
c.MappingKernelManager.cull_idle_timeout = 3600  # seconds idle before a kernel is shut down
c.MappingKernelManager.cull_interval = 300
c.MappingKernelManager.cull_connected = False  # a kernel with an open notebook tab is kept

# Project settings for JupyterLab itself (no news prompt, autosave, no jupytext menus).
c.LabApp.app_settings_dir = str(ROOT / "jupyter" / "lab-settings")
# The open tabs and layout are kept per checkout (two clones do not share a workspace), in build/.
c.LabApp.workspaces_dir = str(ROOT / "build" / "lab-workspaces")
