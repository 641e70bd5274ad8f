"""JupyterLab from the project environment: `make lab` serves on 127.0.0.1 with token auth, lists
the notebooks, runs the project kernel (which imports src), and leaves nothing running."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from pipeline_util import VENV

from src.helpers import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url, token=None, method="GET", body=None):
    headers = {"Authorization": f"token {token}"} if token else {}
    data = json.dumps(body).encode() if body is not None else None
    if data:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        return err.code, None


def _running(pattern: str) -> list[str]:
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [pid for pid in out.split() if int(pid) != os.getpid()]


@pytest.fixture
def lab(tmp_path):
    token, port = secrets.token_hex(16), _free_port()
    runtime = tmp_path / "runtime"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env.update(JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(runtime))
    log = open(tmp_path / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["make", "lab", f"LAB_PORT={port}", f"VENV={VENV}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(f"{base}/api/status", token)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(
            "JupyterLab did not answer within 60 s:\n" + (tmp_path / "lab.log").read_text()[-3000:]
        )
    yield {
        "base": base,
        "token": token,
        "port": port,
        "runtime": runtime,
        "proc": proc,
        "log": tmp_path / "lab.log",
    }
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    log.close()


def _execute(base: str, token: str, kernel_id: str, code: str) -> str:
    import websocket

    url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={token}"
    ws = websocket.create_connection(url, timeout=30)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))  # fmt: skip
    output, status = [], None
    deadline = time.monotonic() + 60
    while status is None and time.monotonic() < deadline:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            output.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            output.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
        elif msg["msg_type"] == "execute_reply":
            status = msg["content"]["status"]
    ws.close()
    assert status == "ok", "".join(output)
    return "".join(output)


def test_lab_serves_notebooks_and_runs_the_project_kernel(lab):
    base, token = lab["base"], lab["token"]
    assert _request(f"{base}/api/contents/notebooks")[0] == 403  # no token, no data
    assert _request(f"{base}/api/kernels")[0] == 403
    status, listing = _request(f"{base}/api/contents/notebooks", token)
    assert status == 200
    names = {item["name"] for item in listing["content"]}
    assert {"00_start_here.ipynb", "01_clean_foia.ipynb", "01_clean_foia.py"} <= names

    status, specs = _request(f"{base}/api/kernelspecs", token)
    assert specs["kernelspecs"]["stca-foia"]["spec"]["display_name"] == "Python (stca-foia)"

    status, kernel = _request(
        f"{base}/api/kernels", token, "POST", {"name": "stca-foia", "path": "notebooks"}
    )
    assert status == 201
    out = _execute(
        base,
        token,
        kernel["id"],
        "import src.helpers\nfrom src import metrics\n"
        "print(src.helpers.relative_to_root(src.helpers.ROOT / 'notebooks'), metrics.year_column('fiscal'))",
    )
    assert out.strip() == "notebooks fiscal_year"
    assert _request(f"{base}/api/kernels/{kernel['id']}", token, "DELETE")[0] == 204

    # shut the server down by its PID (from its runtime file), then nothing may be left
    server_files = list(Path(lab["runtime"]).glob("jpserver-*.json"))
    assert len(server_files) == 1
    pid = json.loads(server_files[0].read_text())["pid"]
    assert json.loads(server_files[0].read_text())["hostname"] in ("127.0.0.1", "localhost")
    os.kill(pid, signal.SIGTERM)
    lab["proc"].wait(timeout=30)
    deadline = time.monotonic() + 15
    while (
        _running(str(lab["runtime"])) or _running(f"port={lab['port']}")
    ) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _running(str(lab["runtime"])) == [] and _running(f"port={lab['port']}") == []
    with pytest.raises(OSError):
        _request(f"{base}/api/status", token)


def test_notebooks_run_in_their_own_folder_as_in_jupyterlab(built_repo, tmp_path):
    """JupyterLab runs a notebook with its own folder as the working directory and the project
    kernel. Executed that way, with default parameters, every notebook rewrites the pipeline's
    outputs byte for byte."""
    from pipeline_util import clone_built

    from src import pipeline
    from src.helpers import compute_manifest

    repo = clone_built(built_repo[0], tmp_path)
    before = {
        **compute_manifest(repo / "data" / "processed"),
        **{f"figures/{k}": v for k, v in compute_manifest(repo / "reports" / "figures").items()},
    }
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env["PYTHONPATH"] = str(repo)  # the copy's src, as the repository's own .pth would give
    notebooks = sorted({r.notebook for r in pipeline.load_config()})
    for notebook in notebooks:
        path = repo / notebook
        result = subprocess.run(
            [str(VENV / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
             "--ExecutePreprocessor.kernel_name=stca-foia", "--output", str(tmp_path / path.name), path.name],
            cwd=path.parent, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, f"{notebook}:\n{result.stderr[-3000:]}"
    after = {
        **compute_manifest(repo / "data" / "processed"),
        **{f"figures/{k}": v for k, v in compute_manifest(repo / "reports" / "figures").items()},
    }
    # 03_figures ran once, with its defaults (the calendar report); the fiscal figures are untouched
    assert after == before
