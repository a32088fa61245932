"""The process-wide switches (``use_deterministic_algorithms``, ``set_float32_matmul_precision``
...), ``typename``/``is_storage`` and ``rustorch.backends``, each compared with torch."""
from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest
import torch

import rustorch
from rustorch import _switches
from rustorch.backends import cuda as rustorch_cuda_backend
from rustorch.backends import cudnn as rustorch_cudnn
from tests.nn._helpers import on_device_type

_SWITCH_VARIABLES = ("_deterministic", "_deterministic_warn_only", "_warn_always",
                     "_float32_matmul_precision", "_matmul_fp32_precision")
_CUDNN_FLAGS = ("enabled", "benchmark", "deterministic", "allow_tf32", "fp32_precision",
                "depthwise_kernel")
_REDUCTIONS = ("allow_fp16_reduced_precision_reduction",
               "allow_bf16_reduced_precision_reduction")
_SDP_KERNELS = ("flash", "mem_efficient", "math", "cudnn")


def _torch_state() -> dict:
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    return {"deterministic": (torch.are_deterministic_algorithms_enabled(),
                              torch.is_deterministic_algorithms_warn_only_enabled()),
            "precision": (torch.get_float32_matmul_precision(), matmul.fp32_precision),
            "warn_always": torch.is_warn_always_enabled(),
            "cudnn": {name: getattr(cudnn, name) for name in _CUDNN_FLAGS},
            "cudnn_operators": (cudnn.conv.fp32_precision, cudnn.rnn.fp32_precision),
            "reductions": {name: getattr(matmul, name) for name in _REDUCTIONS},
            "sdp": {kernel: getattr(torch.backends.cuda, f"{kernel}_sdp_enabled")()
                    for kernel in _SDP_KERNELS}}


def _restore_torch_state(state: dict) -> None:
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    torch.use_deterministic_algorithms(state["deterministic"][0],
                                       warn_only=state["deterministic"][1])
    torch.set_float32_matmul_precision(state["precision"][0])
    matmul.fp32_precision = state["precision"][1]
    torch.set_warn_always(state["warn_always"])
    for name, value in state["cudnn"].items():
        setattr(cudnn, name, value)
    cudnn.conv.fp32_precision, cudnn.rnn.fp32_precision = state["cudnn_operators"]
    for name, value in state["reductions"].items():
        setattr(matmul, name, value)
    for kernel, value in state["sdp"].items():
        getattr(torch.backends.cuda, f"enable_{kernel}_sdp")(value)


@pytest.fixture(autouse=True)
def restore_switches():
    """Both frameworks' switches are process-wide: put every one back after each test.

    torch's own test utilities (imported by other test modules) freeze torch's cuDNN flags
    outside ``flags()``; the tests unfreeze them, as in a user's process."""
    allow_mutation = getattr(torch.backends, "__allow_nonbracketed_mutation")
    with allow_mutation():
        torch_state = _torch_state()
    switches = {name: getattr(_switches, name) for name in _SWITCH_VARIABLES}
    cudnn_settings = dict(rustorch_cudnn._settings)
    operators = (rustorch_cudnn.conv.fp32_precision, rustorch_cudnn.rnn.fp32_precision)
    reductions = dict(rustorch_cuda_backend.matmul._reduced)
    sdp = dict(rustorch_cuda_backend._sdp_enabled)
    try:
        with allow_mutation():
            yield
    finally:
        with allow_mutation():
            _restore_torch_state(torch_state)
        for name, value in switches.items():
            setattr(_switches, name, value)
        rustorch_cudnn._settings.update(cudnn_settings)
        rustorch_cudnn.conv.fp32_precision, rustorch_cudnn.rnn.fp32_precision = operators
        rustorch_cuda_backend.matmul._reduced.update(reductions)
        rustorch_cuda_backend._sdp_enabled.update(sdp)


def _outcomes(scenario, module) -> list:
    """Run ``scenario(module, record)``; ``record(call)`` keeps the call's value or error."""
    results = []

    def record(call):
        try:
            results.append(("value", call()))
        except Exception as error:  # compared with torch's below
            results.append(("error", error))
    scenario(module, record)
    return results


def assert_same(scenario) -> None:
    """The scenario gives the same values in both frameworks, and rustorch raises where torch
    does, an error caught by the same builtin class."""
    expected, actual = _outcomes(scenario, torch), _outcomes(scenario, rustorch)
    assert len(expected) == len(actual)
    for step, ((expected_kind, want), (actual_kind, got)) in enumerate(zip(expected, actual)):
        assert expected_kind == actual_kind, (step, want, got)
        if expected_kind == "error":
            assert isinstance(got, type(want)), (step, want, got)
            assert isinstance(got, (rustorch.RusTorchError, AttributeError)) or (
                type(got) is TypeError and "argument" in str(got)), (step, got)  # Python's
        else:
            assert got == want and type(got) is type(want), (step, want, got)


def _deterministic_state(module):
    return (module.are_deterministic_algorithms_enabled(),
            module.is_deterministic_algorithms_warn_only_enabled(),
            module.get_deterministic_debug_mode())


def test_deterministic_algorithms_round_trip():
    def scenario(module, record):
        record(lambda: _deterministic_state(module))
        for mode, warn_only in ((True, True), (True, False), (False, True), (False, False)):
            record(lambda: module.use_deterministic_algorithms(mode, warn_only=warn_only))
            record(lambda: _deterministic_state(module))
        record(lambda: module.use_deterministic_algorithms(mode=True))
        record(lambda: _deterministic_state(module))
    assert_same(scenario)


@pytest.mark.parametrize("arguments", [(1,), ("x",), (None,), (True, True)])
def test_deterministic_algorithms_rejects(arguments):
    def scenario(module, record):
        record(lambda: module.use_deterministic_algorithms(*arguments))
        record(lambda: module.use_deterministic_algorithms(True, warn_only=1))
        record(lambda: _deterministic_state(module))
    assert_same(scenario)


def test_deterministic_debug_mode():
    modes = ["warn", "default", "error", 0, 1, 2, True, False,
             3, -1, "Warn", "x", 1.0, None]  # the last six are refused, state unchanged

    def scenario(module, record):
        record(lambda: module.use_deterministic_algorithms(False, warn_only=True))
        for mode in modes:
            record(lambda: module.set_deterministic_debug_mode(mode))
            record(lambda: _deterministic_state(module))
        record(lambda: module.set_deterministic_debug_mode(debug_mode="error"))
        record(lambda: _deterministic_state(module))
    assert_same(scenario)


def _precision_state(module):
    matmul = module.backends.cuda.matmul
    return module.get_float32_matmul_precision(), matmul.allow_tf32, matmul.fp32_precision


def test_float32_matmul_precision():
    def scenario(module, record):
        record(lambda: module.get_float32_matmul_precision())
        for precision in ("high", "medium", "highest", 1, None):
            record(lambda: module.set_float32_matmul_precision(precision))
            record(lambda: _precision_state(module))
    assert_same(scenario)


@pytest.mark.parametrize("module", [torch, rustorch], ids=["torch", "rustorch"])
@pytest.mark.parametrize("precision", ["HIGH", "low", ""])
def test_float32_matmul_precision_warns_for_unknown_names(module, precision):
    module.set_float32_matmul_precision("medium")
    with pytest.warns(UserWarning, match="no effect"):
        module.set_float32_matmul_precision(precision)
    assert module.get_float32_matmul_precision() == "medium"


def test_matmul_allow_tf32_follows_precision():
    def scenario(module, record):
        matmul = module.backends.cuda.matmul
        for value in (True, False, 1, "x", True):
            record(lambda: setattr(matmul, "allow_tf32", value))
            record(lambda: _precision_state(module))
        record(lambda: getattr(matmul, "unknown"))
        record(lambda: setattr(matmul, "unknown", True))
    assert_same(scenario)


def test_matmul_fp32_precision():
    def scenario(module, record):
        matmul = module.backends.cuda.matmul
        record(lambda: module.set_float32_matmul_precision("high"))
        for value in ("tf32", "bf16", "x", 1):
            record(lambda: setattr(matmul, "fp32_precision", value))
            record(lambda: _precision_state(module))
    assert_same(scenario)


def test_matmul_fp32_precision_from_the_start():
    """Sequences PyTorch answers; after some mixes of this API and the legacy one it refuses
    to read the legacy flags, which rustorch answers from its one state."""
    def scenario(module, record):
        matmul = module.backends.cuda.matmul
        for value in ("tf32", "none", "ieee"):
            record(lambda: setattr(matmul, "fp32_precision", value))
            record(lambda: matmul.fp32_precision)
            if value != "tf32":
                record(lambda: _precision_state(module))
    assert_same(scenario)


def test_matmul_reduced_precision_reductions():
    def scenario(module, record):
        matmul = module.backends.cuda.matmul
        for name in _REDUCTIONS:
            record(lambda: getattr(matmul, name))
            for value in (False, (True,), [False, True], (), (True, True, True), (1,), "x",
                          None, 0):
                record(lambda: setattr(matmul, name, value))
                record(lambda: getattr(matmul, name))
    assert_same(scenario)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64",
                                   "int32", "int16", "int8", "uint8", "bool", "complex64",
                                   "complex128"])
def test_typename_of_tensors(dtype):
    def scenario(module, record):
        # torch's names as torch gives them for tensors on rustorch's test device
        typename = (lambda value: on_device_type(torch.typename(value))) if module is torch \
            else module.typename
        tensor = module.zeros(2, dtype=getattr(module, dtype))
        record(lambda: typename(tensor))
        record(lambda: typename(module.nn.Parameter(tensor, requires_grad=False)))
    assert_same(scenario)


def test_typename_of_other_objects():
    objects = [1, 2.5, "text", [], None, int, list, np.float32(1), np.ndarray, warnings.warn]

    def scenario(module, record):
        for value in objects:
            record(lambda: module.typename(value))
        record(lambda: module.typename(obj=1))
    assert_same(scenario)


def test_typename_of_framework_classes_names_their_module():
    """rustorch's classes live in rustorch's modules, at the paths PyTorch's live at."""
    for name in ("Linear", "Parameter"):
        expected = torch.typename(getattr(torch.nn, name))
        assert rustorch.typename(getattr(rustorch.nn, name)) == "rus" + expected
    expected = torch.typename(torch.nn.Linear(1, 1))
    assert rustorch.typename(rustorch.nn.Linear(1, 1)) == "rus" + expected


def test_is_storage():
    def scenario(module, record):
        for value in (module.zeros(2), [1, 2], None, np.zeros(2), "storage"):
            record(lambda: module.is_storage(value))
    assert_same(scenario)


def test_is_storage_recognises_registered_storage_classes():
    class Storage:
        pass
    _switches._storage_classes.add(Storage)
    try:
        assert rustorch.is_storage(Storage())
        assert not rustorch.is_storage(Storage)
    finally:
        _switches._storage_classes.discard(Storage)


def test_warn_always():
    def scenario(module, record):
        record(module.is_warn_always_enabled)
        for value in (True, 1, None, False, True):
            record(lambda: module.set_warn_always(value))
            record(module.is_warn_always_enabled)
        record(lambda: module.set_warn_always(b=False))
    assert_same(scenario)


def test_switches_are_exported_under_torch_names():
    for name in _switches.__all__:
        assert getattr(rustorch, name) is getattr(_switches, name)
        assert callable(getattr(torch, name)), name


def _cudnn_flags(module):
    cudnn = module.backends.cudnn
    return tuple(getattr(cudnn, name) for name in _CUDNN_FLAGS)


def test_cudnn_defaults_and_availability():
    def scenario(module, record):
        cudnn = module.backends.cudnn
        record(lambda: _cudnn_flags(module))
        record(lambda: (cudnn.conv.fp32_precision, cudnn.rnn.fp32_precision))
        if not rustorch.cuda.is_available():  # torch here is a CPU build
            record(cudnn.is_available)
            record(cudnn.version)
            record(lambda: cudnn.benchmark_limit)
    assert_same(scenario)


@pytest.mark.parametrize("name", ["enabled", "benchmark", "deterministic", "allow_tf32"])
def test_cudnn_bool_flags_read_back_and_reject_non_bools(name):
    def scenario(module, record):
        cudnn = module.backends.cudnn
        for value in (not getattr(cudnn, name), 1, None, "x", getattr(cudnn, name)):
            record(lambda: setattr(cudnn, name, value))
            record(lambda: _cudnn_flags(module))
    assert_same(scenario)


def test_cudnn_precision_flags():
    def scenario(module, record):
        cudnn = module.backends.cudnn
        for holder in (cudnn, cudnn.conv, cudnn.rnn):
            for value in ("ieee", "bf16", "x", 1, "tf32", "none"):
                record(lambda: setattr(holder, "fp32_precision", value))
                record(lambda: holder.fp32_precision)
        record(lambda: setattr(cudnn.conv, "unknown", 1))
        record(lambda: setattr(cudnn, "custom_setting", 1))
        record(lambda: cudnn.custom_setting)
    assert_same(scenario)


def test_cudnn_flags_context_manager_restores():
    def scenario(module, record):
        cudnn = module.backends.cudnn
        module.backends.cudnn.benchmark = True
        with cudnn.flags(enabled=True, benchmark=False, deterministic=True, allow_tf32=False):
            record(lambda: _cudnn_flags(module))
        record(lambda: _cudnn_flags(module))
        with cudnn.flags():  # PyTorch's defaults, enabled=False included
            record(lambda: _cudnn_flags(module))
        with cudnn.flags(enabled=None, benchmark=None, fp32_precision="tf32"):
            record(lambda: _cudnn_flags(module))
        try:
            with cudnn.flags(enabled=True, deterministic=True):
                raise KeyError("inside")
        except KeyError:
            pass
        record(lambda: _cudnn_flags(module))

        def refused():
            with cudnn.flags(enabled=1):
                pass
        record(refused)
        record(lambda: _cudnn_flags(module))
    assert_same(scenario)


def test_cudnn_set_flags_returns_previous_values():
    def scenario(module, record):
        cudnn = module.backends.cudnn
        record(lambda: cudnn.set_flags(False, True, None, True, False))
        record(lambda: _cudnn_flags(module))
        record(lambda: cudnn.set_flags(True, False, None, False, True))
    assert_same(scenario)


@pytest.mark.parametrize("kernel", _SDP_KERNELS)
def test_scaled_dot_product_attention_kernel_switches(kernel):
    def scenario(module, record):
        backend = module.backends.cuda
        for value in (False, 1, True):
            record(lambda: getattr(backend, f"enable_{kernel}_sdp")(value))
            record(lambda: tuple(getattr(backend, f"{name}_sdp_enabled")()
                                 for name in _SDP_KERNELS))
    assert_same(scenario)


def test_cuda_is_built_means_cupy_is_installed():
    has_cupy = importlib.util.find_spec("cupy") is not None
    assert rustorch.backends.cuda.is_built() is has_cupy
    if not has_cupy and torch.version.cuda is None:
        assert rustorch.backends.cuda.is_built() is torch.backends.cuda.is_built()


def test_unavailable_backends():
    assert rustorch.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert rustorch.backends.mps.is_built() is torch.backends.mps.is_built() is False
    # rustorch has no oneDNN or OpenMP build of its own, unlike PyTorch's CPU wheels
    assert rustorch.backends.mkldnn.is_available() is False
    assert rustorch.backends.mkldnn.enabled is torch.backends.mkldnn.enabled is True
    assert rustorch.backends.openmp.is_available() is False


def test_cpu_capability_matches_torch():
    capability = rustorch.backends.cpu.get_cpu_capability()
    assert capability in ("DEFAULT", "AVX2", "AVX512", "VSX", "Z VECTOR")
    assert capability == torch.backends.cpu.get_cpu_capability()


def test_cudnn_availability_with_a_fake_cupy(monkeypatch):
    """With CuPy and a GPU, availability and version come from CuPy's cuDNN bindings."""
    class Library:
        available = True

        @staticmethod
        def getVersion():  # noqa: N802 - CuPy's name
            return 90100

    class Cuda:
        cudnn = Library()

    class Cupy:
        cuda = Cuda()

    monkeypatch.setattr(rustorch._backend, "cupy_module", lambda: Cupy())
    assert rustorch.backends.cudnn.is_available() is True
    assert rustorch.backends.cudnn.version() == 90100
    assert rustorch.backends.cudnn.benchmark_limit == 10
    Library.available = False
    assert rustorch.backends.cudnn.is_available() is False
    assert rustorch.backends.cudnn.version() is None
    del Cuda.cudnn
    assert rustorch.backends.cudnn.is_available() is False
