"""Train a small CNN on scikit-learn's handwritten digits, written as PyTorch code.

    python -m rustorch.examples.digits [--epochs 12] [--seed 0] [--output digits_training.png]

The 1797 8x8 images of ``sklearn.datasets.load_digits`` are split 80/20 (stratified, fixed
seed); a two-block CNN (Conv2d-BatchNorm2d-ReLU-MaxPool2d twice, then two Linear layers) is
trained with Adam and cross-entropy, and the test accuracy is printed (typically about 98%).
A plot of the training loss and the train/test accuracy per epoch is saved as a PNG.
Needs the ``examples`` extra: ``pip install 'rustorch[examples]'`` (scikit-learn, matplotlib).
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

import rustorch as torch
from rustorch import nn

__all__ = ["DigitsNet", "load_data", "main"]


class DigitsNet(nn.Module):
    """(N, 1, 8, 8) images -> (N, 10) class logits."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 4x4 -> 2x2
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 2 * 2, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )

    def forward(self, images):
        return self.classifier(self.features(images))


def load_data(seed: int, test_fraction: float = 0.2):
    """Standardized image tensors and int64 labels: ``(x_train, y_train, x_test, y_test)``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = digits.images.astype(np.float32)[:, None, :, :]  # (N, 1, 8, 8), values 0..16
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=test_fraction, random_state=seed,
        stratify=digits.target)
    # statistics of the training images only, so nothing leaks from the test split
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    return (torch.from_numpy(x_train), torch.from_numpy(y_train.astype(np.int64)),
            torch.from_numpy(x_test), torch.from_numpy(y_test.astype(np.int64)))


def accuracy(model: nn.Module, images, labels) -> float:
    model.eval()
    with torch.no_grad():
        predictions = model(images).argmax(dim=1)
    return (predictions == labels).float().mean().item()


def train_epoch(model, optimizer, loss_fn, images, labels, batch_size: int) -> float:
    """One pass over shuffled mini-batches; returns the mean training loss."""
    model.train()
    order = torch.randperm(len(labels))
    total, count = 0.0, 0
    for start in range(0, len(labels), batch_size):
        index = order[start:start + batch_size]
        batch_images, batch_labels = images[index], labels[index]
        optimizer.zero_grad()
        loss = loss_fn(model(batch_images), batch_labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch_labels)
        count += len(batch_labels)
    return total / count


def save_plot(history: dict[str, list[float]], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = range(1, len(history["loss"]) + 1)
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axes.plot(epochs, history["loss"], marker="o")
    loss_axes.set(title="training loss", xlabel="epoch", ylabel="cross-entropy")
    accuracy_axes.plot(epochs, history["train_accuracy"], marker="o", label="train")
    accuracy_axes.plot(epochs, history["test_accuracy"], marker="o", label="test")
    accuracy_axes.set(title="accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0.0, 1.01))
    accuracy_axes.legend(loc="lower right")
    for axes in (loss_axes, accuracy_axes):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle("rustorch: small CNN on scikit-learn digits")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rustorch.examples.digits",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default="digits_training.png",
                        help="where to save the loss/accuracy plot (PNG)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (this model's matrices are small: one is fastest)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train, evaluate, plot; returns the history and the final test accuracy."""
    arguments = parse_arguments(argv)
    # threadpoolctl comes with scikit-learn; several BLAS threads on matrices this small
    # cost more in synchronisation than they save (5x slower on 2 busy cores)
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=arguments.threads, user_api="blas"):
        return run(arguments)


def run(arguments: argparse.Namespace) -> dict:
    torch.manual_seed(arguments.seed)
    x_train, y_train, x_test, y_test = load_data(arguments.seed)
    model = DigitsNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=arguments.lr)
    loss_fn = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    started = time.perf_counter()
    progress = tqdm(range(arguments.epochs), desc="training", unit="epoch",
                    disable=arguments.quiet)
    for _ in progress:
        history["loss"].append(train_epoch(model, optimizer, loss_fn, x_train, y_train,
                                           arguments.batch_size))
        history["train_accuracy"].append(accuracy(model, x_train, y_train))
        history["test_accuracy"].append(accuracy(model, x_test, y_test))
        progress.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                             test_acc=f"{history['test_accuracy'][-1]:.3f}")
    elapsed = time.perf_counter() - started
    test_accuracy = history["test_accuracy"][-1]
    save_plot(history, arguments.output)
    print(f"test accuracy: {100 * test_accuracy:.2f}% ({len(y_test)} images, "
          f"{arguments.epochs} epochs in {elapsed:.1f} s)")
    print(f"saved the training plot to {arguments.output}")
    return {"test_accuracy": test_accuracy, "history": history, "seconds": elapsed,
            "output": arguments.output}


if __name__ == "__main__":
    main()
