"""Benchmark workloads, written once against the PyTorch API.

Each workload's ``setup(torch)`` receives the framework module (``torch`` or ``rustorch``),
builds its inputs from seeded NumPy arrays (``as_tensor``: shared on the CPU, copied to the
default device otherwise) so both frameworks see identical data, and returns
a ``step`` callable that the runner times. This module imports NumPy only, never a framework.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

SEED = 0
MEMORY_TARGET = 0.8

Step = Callable[[], Any]


@dataclass(frozen=True)
class Workload:
    """A named benchmark: ``setup(torch)`` returns the step to time."""

    name: str
    description: str
    setup: Callable[[Any], Step]
    time_target: float | None = None
    memory_target: float | None = MEMORY_TARGET


WORKLOADS: dict[str, Workload] = {}


def register(name: str, description: str, time_target: float | None = None):
    """Add the decorated setup function to ``WORKLOADS`` under ``name``."""

    def decorate(setup: Callable[[Any], Step]) -> Callable[[Any], Step]:
        WORKLOADS[name] = Workload(name, description, setup, time_target)
        return setup

    return decorate


def random_generator(offset: int = 0) -> np.random.Generator:
    """A NumPy generator seeded identically in every process."""
    return np.random.default_rng(SEED + offset)


def normal(generator: np.random.Generator, *shape: int) -> np.ndarray:
    """Standard normal float32 samples, drawn without a float64 temporary."""
    return generator.standard_normal(shape, dtype=np.float32)


def uniform(generator: np.random.Generator, low: float, high: float, *shape: int) -> np.ndarray:
    """Uniform float32 samples in ``[low, high)``."""
    values = generator.random(shape, dtype=np.float32)
    values *= high - low  # in place: no temporaries to inflate the setup's peak memory
    values += low
    return values


def load_parameters(torch: Any, module: Any, offset: int = 100) -> None:
    """Overwrite weights with seeded NumPy values so both frameworks train the same model.

    Weights with two or more dimensions get U(-1/sqrt(fan_in), 1/sqrt(fan_in)), biases (also
    the recurrent layers' ``bias_ih_l0`` ...) get zeros, and other 1-d parameters (BatchNorm
    weights) keep their default of ones.
    """
    generator = random_generator(offset)
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            shape = tuple(parameter.shape)
            if name.rsplit(".", 1)[-1].startswith("bias"):  # bias, bias_ih_l0 ...
                values = np.zeros(shape, dtype=np.float32)
            elif len(shape) >= 2:
                bound = 1.0 / math.sqrt(int(np.prod(shape[1:])))
                values = uniform(generator, -bound, bound, *shape)
            else:
                continue
            parameter.copy_(torch.as_tensor(values))


def clear_gradients(*tensors: Any) -> None:
    """Drop accumulated gradients, like ``zero_grad(set_to_none=True)``."""
    for tensor in tensors:
        tensor.grad = None


@register("tiny_ops", "50 small differentiable ops on 16 elements + backward", 2.5)
def setup_tiny_ops(torch: Any) -> Step:
    """Per-op overhead: ten rounds of (mul, add, tanh, exp, sub) on a 16-element tensor."""
    generator = random_generator(1)
    inputs = torch.as_tensor(uniform(generator, -1.0, 1.0, 16)).requires_grad_()
    weights = torch.as_tensor(uniform(generator, 0.5, 1.5, 16)).requires_grad_()

    def step() -> Any:
        clear_gradients(inputs, weights)
        values = inputs
        for _ in range(10):
            values = torch.tanh(values * weights + 0.5)
            values = torch.exp(values) - 1.0
        loss = values.sum()
        loss.backward()
        return loss

    return step


@register("elementwise", "tanh(exp(x * y + z)).sum() on 4M float32", 1.2)
def setup_elementwise(torch: Any) -> Step:
    """Memory-bound elementwise chain without autograd."""
    generator = random_generator(2)
    size = 4 * 1024 * 1024
    first, second, third = (torch.as_tensor(uniform(generator, -1.0, 1.0, size)) for _ in "xyz")

    def step() -> Any:
        return torch.tanh(torch.exp(first * second + third)).sum()

    return step


@register("reductions", "sum/mean/max/var over dims of 2048x2048 float32")
def setup_reductions(torch: Any) -> Step:
    """Reductions along each axis and over the whole tensor."""
    matrix = torch.as_tensor(normal(random_generator(3), 2048, 2048))

    def step() -> Any:
        return (
            matrix.sum(dim=0),
            matrix.mean(dim=1),
            torch.max(matrix, dim=0)[0],
            matrix.var(dim=1),
            matrix.sum(),
        )

    return step


def make_matmul_setup(size: int) -> Callable[[Any], Step]:
    """A setup for a ``size`` x ``size`` float32 matrix product, forward only."""

    def setup_matmul(torch: Any) -> Step:
        generator = random_generator(4)
        left = torch.as_tensor(normal(generator, size, size))
        right = torch.as_tensor(normal(generator, size, size))

        def step() -> Any:
            return left @ right

        return step

    return setup_matmul


for _size in (256, 1024, 2048):
    register(f"matmul_{_size}", f"{_size}x{_size} @ {_size}x{_size} float32", 1.05)(
        make_matmul_setup(_size)
    )


@register("conv2d", "conv2d fwd+bwd, batch 64, 32->64 ch, 28x28, 3x3, padding 1")
def setup_conv2d(torch: Any) -> Step:
    """One convolution with gradients for input, weight and bias."""
    generator = random_generator(5)
    inputs = torch.as_tensor(normal(generator, 64, 32, 28, 28)).requires_grad_()
    bound = 1.0 / math.sqrt(32 * 3 * 3)
    weight = torch.as_tensor(uniform(generator, -bound, bound, 64, 32, 3, 3)).requires_grad_()
    bias = torch.as_tensor(np.zeros(64, dtype=np.float32)).requires_grad_()
    functional = torch.nn.functional

    def step() -> Any:
        clear_gradients(inputs, weight, bias)
        loss = functional.conv2d(inputs, weight, bias, padding=1).sum()
        loss.backward()
        return loss

    return step


@register("depthwise_conv", "depthwise conv2d fwd+bwd, batch 64, 32 ch (groups 32), 28x28, 3x3")
def setup_depthwise_conv(torch: Any) -> Step:
    """A MobileNet-style depthwise convolution (one input channel per group), with gradients
    for input, weight and bias."""
    generator = random_generator(10)
    inputs = torch.as_tensor(normal(generator, 64, 32, 28, 28)).requires_grad_()
    bound = 1.0 / 3.0
    weight = torch.as_tensor(uniform(generator, -bound, bound, 32, 1, 3, 3)).requires_grad_()
    bias = torch.as_tensor(np.zeros(32, dtype=np.float32)).requires_grad_()
    functional = torch.nn.functional

    def step() -> Any:
        clear_gradients(inputs, weight, bias)
        loss = functional.conv2d(inputs, weight, bias, padding=1, groups=32).sum()
        loss.backward()
        return loss

    return step


def make_training_step(model: Any, optimizer: Any, compute_loss: Callable[[], Any]) -> Step:
    """The usual zero_grad / forward / backward / optimizer step loop body."""

    def step() -> Any:
        optimizer.zero_grad()
        loss = compute_loss()
        loss.backward()
        optimizer.step()
        return loss

    model.train()
    return step


@register("mlp_train", "MLP 784-512-512-10 train step, batch 128, SGD momentum", 1.1)
def setup_mlp_train(torch: Any) -> Step:
    """ReLU MLP with CrossEntropyLoss and SGD(momentum=0.9)."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )
    load_parameters(torch, model)
    generator = random_generator(6)
    inputs = torch.as_tensor(normal(generator, 128, 784))
    targets = torch.as_tensor(generator.integers(0, 10, size=128).astype(np.int64))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return make_training_step(model, optimizer, lambda: criterion(model(inputs), targets))


@register("cnn_train", "CNN (conv+BN+ReLU+pool)x2, 1->16->32 ch, batch 64, Adam", 1.5)
def setup_cnn_train(torch: Any) -> Step:
    """Two conv3x3/BatchNorm2d/ReLU/MaxPool2d blocks and a linear head on 28x28 inputs."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )
    load_parameters(torch, model)
    generator = random_generator(7)
    inputs = torch.as_tensor(normal(generator, 64, 1, 28, 28))
    targets = torch.as_tensor(generator.integers(0, 10, size=64).astype(np.int64))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return make_training_step(model, optimizer, lambda: criterion(model(inputs), targets))


@register("lm_train", "Embedding(5000,128)-Linear-tanh-Linear LM, seq 32, batch 32, Adam")
def setup_lm_train(torch: Any) -> Step:
    """A tiny language-model step: next-token cross entropy over a 5000-word vocabulary."""
    nn = torch.nn
    vocabulary, dimension = 5000, 128
    model = nn.Sequential(
        nn.Embedding(vocabulary, dimension),
        nn.Linear(dimension, dimension),
        nn.Tanh(),
        nn.Linear(dimension, vocabulary),
    )
    load_parameters(torch, model)
    generator = random_generator(8)
    tokens = torch.as_tensor(generator.integers(0, vocabulary, size=(32, 32)).astype(np.int64))
    targets = torch.as_tensor(generator.integers(0, vocabulary, size=32 * 32).astype(np.int64))
    functional = torch.nn.functional
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def compute_loss() -> Any:
        logits = model(tokens)
        return functional.cross_entropy(logits.reshape(-1, vocabulary), targets)

    return make_training_step(model, optimizer, compute_loss)


@register("lstm_train", "LSTM(64, 128, 2 layers) + linear head, seq 32, batch 32, Adam")
def setup_lstm_train(torch: Any) -> Step:
    """Sequence classification: a two-layer LSTM read to the end, a linear head on the last
    output, cross entropy, Adam."""
    nn = torch.nn
    recurrent, head = nn.LSTM(64, 128, num_layers=2), nn.Linear(128, 10)
    model = nn.ModuleList([recurrent, head])
    load_parameters(torch, model)
    generator = random_generator(9)
    inputs = torch.as_tensor(normal(generator, 32, 32, 64))
    targets = torch.as_tensor(generator.integers(0, 10, size=32).astype(np.int64))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def compute_loss() -> Any:
        outputs, _ = recurrent(inputs)
        return criterion(head(outputs[-1]), targets)

    return make_training_step(model, optimizer, compute_loss)
