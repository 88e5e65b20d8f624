"""xornet as a user gets it: the wheel and the sdist are built from this tree, and the wheel is
installed without extras into a new virtual environment outside the repository (the core:
NumPy, typer, rich, from the package index or pip's cache). There, as in a fresh
`pip install xornet`: `--version`, `import xornet` and `xornet train` work; every feature
whose extra is missing says so in one sentence naming the exact `pip install`, exit 2; and
the install adds under 130 MB to the empty environment (the issue's bound).

The oracles are independent of the code under test: pyproject.toml read with tomllib (the
version, the extras), the wheel's METADATA and the archives' file lists, the sentences
written out here by hand, and the sizes of the files on disk.
"""

import email
import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from xornet.errors import EXTRAS, MissingExtra, XornetError, require

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
CORE = {"numpy", "typer", "rich"}  # what `pip install xornet` may bring, by the issue
LIMIT = 130 * 10**6  # bytes a core install may add to an empty environment


def _names(requirements):
    """Distribution names of requirements: 'dask[distributed]>=2024.1' → dask, distributed."""
    names = set()
    for req in requirements:
        m = re.match(r"([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?", req)
        names.add(m.group(1).lower())
        if m.group(1).lower() == "dask" and m.group(2):
            names.update(x.strip() for x in m.group(2).split(","))
    return names


# --- the shared mechanism (no build needed) ------------------------------------------------

def test_require_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(EXTRAS, "viz", ("matplotlib", "no_such_module_xornet"))
    with pytest.raises(MissingExtra) as info:
        require("viz", "--plot")
    assert str(info.value) == ("--plot: no_such_module_xornet is not installed; install it with: "
                               "pip install 'xornet[viz]'.")
    assert isinstance(info.value, XornetError) and isinstance(info.value, ImportError)


def test_require_passes_when_installed_and_never_imports(monkeypatch):
    monkeypatch.setitem(EXTRAS, "viz", ("json", "email.mime"))  # a dotted name's parent too
    monkeypatch.delitem(sys.modules, "email.mime", raising=False)
    require("viz", "pictures")
    monkeypatch.setitem(EXTRAS, "dask", ("no_such_parent_xornet.child",))
    with pytest.raises(MissingExtra):
        require("dask", "dask")


def test_every_extra_require_checks_is_the_one_pyproject_installs():
    """errors.EXTRAS (import names) and pyproject's optional-dependencies (pip names) agree."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra, modules in EXTRAS.items():
        pip_names = {{"PIL": "pillow"}.get(m, m).lower() for m in modules}
        assert pip_names == _names(extras[extra]), extra
    (everything,) = extras["all"]  # [all] is every feature extra, none of the tool lists
    inside = set(re.fullmatch(r"xornet\[(.*)\]", everything).group(1).split(","))
    assert inside >= set(EXTRAS)
    assert inside == set(extras) - {"all", "dev", "bench"}
    assert _names(PYPROJECT["project"]["dependencies"]) == CORE
    for extra, requirements in extras.items():  # linters and test tools only in dev
        if extra != "dev":
            assert not {"ruff", "pytest", "mypy"} & _names(requirements), extra


def test_version_is_the_one_in_pyproject():
    import xornet

    assert xornet.__version__ == VERSION


# --- the built distribution -----------------------------------------------------------------

@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """(wheel, sdist) built from this tree with `python -m build` (isolated build env)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "deprecated" not in (done.stdout + done.stderr).lower()  # no setuptools banner
    (wheel,), (sdist,) = out.glob("*.whl"), out.glob("*.tar.gz")
    return wheel, sdist


def _clean_env():
    """The environment of a user's shell: nothing pointing at this source tree."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def _du(folder):
    """Bytes on disk below ``folder``, as `du` counts them (allocated blocks)."""
    return sum(os.lstat(os.path.join(d, f)).st_blocks * 512
               for d, _, files in os.walk(folder) for f in files)


@pytest.fixture(scope="module")
def core_env(dist, tmp_path_factory):
    """A new venv outside the repository with the wheel installed, no extras; returns
    (its bin folder, the bytes the install added to its site-packages)."""
    home = tmp_path_factory.mktemp("core-env")
    assert ROOT not in home.parents  # a clean environment outside the repository
    venv.create(home / "venv", with_pip=True)
    bin_dir = home / "venv" / "bin"
    (site,) = (home / "venv" / "lib").glob("python3.*/site-packages")
    before = _du(site)
    done = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
                           str(dist[0])], capture_output=True, text=True, env=_clean_env(),
                          cwd=home, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "deprecated" not in done.stderr.lower()
    return bin_dir, _du(site) - before


def _run(core_env, *args, tmp_path):
    bin_dir = core_env[0]
    exe = [str(bin_dir / "xornet")] if args[0] != "python" else [str(bin_dir / "python")]
    return subprocess.run(exe + list(args[1:] if args[0] == "python" else args),
                          capture_output=True, text=True, env=_clean_env(), cwd=tmp_path,
                          timeout=120)


def test_the_wheel_carries_license_types_and_the_core_requirements(dist):
    with zipfile.ZipFile(dist[0]) as z:
        names = set(z.namelist())
        meta = email.message_from_bytes(z.read(f"xornet-{VERSION}.dist-info/METADATA"))
    assert "xornet/py.typed" in names
    assert f"xornet-{VERSION}.dist-info/licenses/LICENSE" in names
    assert "xornet/io/handbuilt/xor-step.json" in names
    assert "xornet/playground/static/index.html" in names
    assert meta["License-Expression"] == "MIT" and meta["Version"] == VERSION
    assert "Typing :: Typed" in meta.get_all("Classifier")
    unconditional = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert _names(unconditional) == CORE
    assert set(meta.get_all("Provides-Extra")) == set(EXTRAS) | {"all", "dev", "bench"}


def test_the_sdist_ships_the_source_and_no_tests(dist):
    """Consistently no tests: the suite needs the repository (docs/, a browser, Dask)."""
    with tarfile.open(dist[1]) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for needed in ("LICENSE", "README.md", "pyproject.toml", "src/xornet/py.typed",
                   "src/xornet/__init__.py", "src/xornet/io/handbuilt/xor-step.json"):
        assert needed in names, needed
    assert not {n for n in names if n.startswith(("tests/", "benchmarks/", "docs/"))}


def test_a_core_install_adds_under_130_mb(core_env):
    assert 10 * 10**6 < core_env[1] < LIMIT  # more than xornet alone: NumPy is in it


def test_the_core_env_has_no_extra_installed(core_env, tmp_path):
    modules = [m for ms in EXTRAS.values() for m in ms]
    code = ("import importlib.util as u, xornet; print(xornet.__file__); "
            f"print([m for m in {modules!r} if u.find_spec(m)])")
    done = _run(core_env, "python", "-c", code, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    where, found = done.stdout.splitlines()
    assert Path(where).is_relative_to(core_env[0].parent)  # the wheel's copy, not this tree
    assert found == "[]"


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_in_the_core_env(core_env, tmp_path, flag):
    done = _run(core_env, flag, tmp_path=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"xornet {VERSION}\n", "")
    done = _run(core_env, "python", "-c", "import xornet; print(xornet.__version__)",
                tmp_path=tmp_path)
    assert done.stdout == f"{VERSION}\n"


def test_train_and_a_numpy_sweep_in_the_core_env(core_env, tmp_path):
    done = _run(core_env, "train", "--save", "m.json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "solved" in done.stdout and (tmp_path / "m.json").is_file()
    done = _run(core_env, "sweep", "--hidden", "2", "--seeds", "20", "--epochs", "300",
                "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"backend": "numpy"' in done.stdout


@pytest.mark.parametrize(("args", "sentence"), [
    (["plot", "builtin:xor-step"], "pictures: matplotlib is not installed; install it with: "
                                   "pip install 'xornet[viz]'."),
    (["train", "--plot", "figs"], "--plot: matplotlib is not installed; install it with: "
                                  "pip install 'xornet[viz]'."),
    (["animate", "--out", "run.gif"], "pictures: matplotlib is not installed; install it "
                                      "with: pip install 'xornet[viz]'."),
    (["playground", "--no-browser"], "playground: fastapi is not installed; install it with: "
                                     "pip install 'xornet[playground]'."),
    (["sweep", "--seeds", "5", "--backend", "numba"], "--backend: numba is not installed; "
                                                      "install it with: pip install "
                                                      "'xornet[fast]'."),
    (["sweep", "--seeds", "5", "--dask", "tcp://127.0.0.1:9"], "--dask: dask is not "
                                                                "installed; install it with: "
                                                                "pip install 'xornet[dask]'."),
])
def test_a_missing_extra_is_named_in_one_sentence(core_env, tmp_path, args, sentence):
    done = _run(core_env, *args, tmp_path=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"xornet: error: {sentence}\n")
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_the_test_machine_has_every_extra():
    """The other tests of the suite run with every extra (`make test` installs [dev])."""
    missing = [m for ms in EXTRAS.values() for m in ms if importlib.util.find_spec(m) is None]
    assert missing == []


# --- the type hints the wheel ships (py.typed) -------------------------------------------

def _public_api():
    """The functions the README and the docs show, and every public method of the facade's
    classes; mypy (make test) checks the bodies, this test that none lost its hints."""
    import xornet
    from xornet import viz
    from xornet.population.trainer import train_population
    from xornet.train import config

    functions = [xornet.load, xornet.gradcheck, xornet.datasets.load,
                 xornet.datasets.describe, config.run, train_population,
                 *(getattr(viz, name) for name in viz.__all__ if callable(getattr(viz, name))
                   and name.startswith(("plot_", "write_figures", "animate_training",
                                        "figure_plan", "skipped_figures", "save_figure")))]
    for cls in (xornet.Network, xornet.RunConfig):
        for name, member in vars(cls).items():
            if isinstance(member, property):
                member = member.fget
            elif isinstance(member, classmethod):
                member = member.__func__
            if callable(member) and (not name.startswith("_") or name == "__init__"):
                functions.append(member)
    return functions


@pytest.mark.parametrize("function", _public_api(), ids=lambda f: f.__qualname__)
def test_every_public_function_is_fully_annotated(function):
    import inspect

    signature = inspect.signature(function)
    unannotated = [p.name for p in signature.parameters.values()
                   if p.annotation is inspect.Parameter.empty and p.name not in ("self", "cls")]
    assert unannotated == []
    assert signature.return_annotation is not inspect.Signature.empty
