"""rustorch.compat: running PyTorch scripts with ``torch`` bound to rustorch."""
import importlib
import os
import subprocess
import sys
import textwrap

import pytest

import rustorch
import rustorch.compat as compat
from tests._oracle import torch as real_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = """
import sys
import torch
import torch.nn as nn
import torch.optim
import torch.autograd
from torch.optim import SGD


class Line(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x * self.weight + self.bias


x = torch.linspace(-1, 1, 20)
y = 3 * x + 0.5
model = Line()
optimizer = SGD(model.parameters(), lr=0.2, momentum=0.5)
for _ in range(200):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
print(torch.__name__, nn.__name__, sys.argv[1:])
print(f"weight={model.weight.item():.3f} bias={model.bias.item():.3f}")
try:
    import torch.not_a_real_module
except ImportError as error:
    print("missing:", error)
if "--fail" in sys.argv:
    sys.exit(3)
"""


def run_compat(*arguments, cwd=None, env=None):
    environment = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + (env or ""))
    return subprocess.run([sys.executable, "-m", "rustorch.compat", *arguments], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture
def restore_modules():
    """Whatever a test does, the real torch is back in sys.modules afterwards."""
    saved = {name: module for name, module in sys.modules.items()
             if name == "torch" or name.startswith("torch.")}
    yield
    compat.uninstall()
    for name in [name for name in sys.modules if name == "torch" or name.startswith("torch.")]:
        if name not in saved:
            del sys.modules[name]
    sys.modules.update(saved)
    assert sys.modules["torch"] is real_torch


def test_script_runs_under_rustorch(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    result = run_compat(str(script), "--epochs", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "rustorch rustorch.nn ['--epochs', '2']"
    assert lines[1] == "weight=3.000 bias=0.500"
    assert "No module named 'torch.not_a_real_module'" in lines[2]
    assert "'rustorch.not_a_real_module'" in lines[2]


def test_script_exit_code_and_errors_propagate(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    assert run_compat(str(script), "--fail").returncode == 3
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\nraise ValueError('boom')\n")
    result = run_compat(str(broken))
    assert result.returncode == 1 and "ValueError: boom" in result.stderr


def test_module_mode_and_script_directory_on_path(tmp_path):
    (tmp_path / "helper.py").write_text("import torch\nNAME = torch.__name__\n")
    (tmp_path / "job.py").write_text(textwrap.dedent("""
        import sys
        import helper
        import torch.autograd
        print(helper.NAME, torch.autograd.__name__, sys.argv)
    """))
    result = run_compat(str(tmp_path / "job.py"), "a")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rustorch rustorch.autograd [")
    result = run_compat("-m", "job", "b", env=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "rustorch rustorch.autograd" in result.stdout and "'b'" in result.stdout


def test_usage():
    result = run_compat()
    assert result.returncode == 2 and "usage" in result.stdout


def test_install_and_uninstall_in_process(restore_modules):
    assert sys.modules["torch"] is real_torch
    compat.install()
    assert compat.is_installed()
    import torch
    assert torch is rustorch
    import torch.nn.functional as functional
    assert functional is importlib.import_module("rustorch.nn.functional")
    assert importlib.import_module("torch.optim") is rustorch.optim
    from torch.optim import Adam
    assert Adam is rustorch.optim.Adam
    with pytest.raises(ImportError, match="rustorch.no_such_module_here") as info:
        importlib.import_module("torch.no_such_module_here")
    assert info.value.name == "torch.no_such_module_here"
    compat.install()  # idempotent
    compat.uninstall()
    assert not compat.is_installed()
    assert sys.modules["torch"] is real_torch
    assert sys.modules["torch.nn.functional"] is real_torch.nn.functional
    import torch as again
    assert again is real_torch


def test_installed_context_manager(restore_modules):
    with compat.installed():
        assert importlib.import_module("torch") is rustorch
        assert importlib.import_module("torch.autograd") is rustorch.autograd
    assert importlib.import_module("torch") is real_torch
    assert not compat.is_installed()


def test_errors_inside_rustorch_modules_are_not_rewritten(restore_modules, tmp_path,
                                                          monkeypatch):
    # a rustorch module that itself fails to import something keeps its own error
    monkeypatch.setattr(rustorch, "__path__", [*rustorch.__path__, str(tmp_path)])
    (tmp_path / "probe.py").write_text("import definitely_missing_dependency_123\n")
    compat.install()
    with pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module("torch.probe")
    assert info.value.name == "definitely_missing_dependency_123"
