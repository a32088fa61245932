"""The digits demo: trains to high accuracy in a few epochs and saves its plot."""
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")


def test_digits_demo_trains_and_plots(tmp_path, capsys):
    from rustorch.examples import digits

    output = tmp_path / "p.png"
    result = digits.main(["--epochs", "3", "--output", str(output), "--quiet"])
    assert result["test_accuracy"] >= 0.9
    assert len(result["history"]["loss"]) == 3
    assert result["history"]["loss"][-1] < result["history"]["loss"][0]
    assert output.exists() and output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "test accuracy:" in printed and str(output) in printed


def test_model_shapes_and_arguments():
    from rustorch.examples import digits
    import rustorch

    arguments = digits.parse_arguments([])
    assert (arguments.epochs, arguments.seed, arguments.output) == (10, 0,
                                                                    "digits_training.png")
    model = digits.DigitsNet()
    model.eval()
    with rustorch.no_grad():
        assert tuple(model(rustorch.zeros(5, 1, 8, 8)).shape) == (5, 10)
