"""Small Tensor methods (output_nr, to_dense, is_set_to, as_subclass, is_distributed,
record_stream, volatile) against torch."""
import pytest

from tests._oracle import assert_close, check_error, rustorch, torch


def _facts(m):
    x = m.ones(2, 3, requires_grad=True)
    y = x * 2
    first, second = y.split([1, 2], dim=1)
    with pytest.warns(UserWarning):
        volatile = x.volatile
    return [y.output_nr, first.output_nr, x.output_nr, x.to_dense() is x,
            str(x.to_dense(m.float64).dtype), x.is_distributed(), volatile,
            x.view(6).is_set_to(x), x.is_set_to(x), x[0].is_set_to(x),
            x.detach().is_set_to(x)]


def test_small_facts_like_torch():
    assert _facts(rustorch) == _facts(torch)


def test_as_subclass_keeps_data_and_graph():
    results = []
    for m in (torch, rustorch):
        class Marked(m.Tensor):
            pass
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        marked = (x * 3).as_subclass(Marked)
        assert type(marked) is Marked and marked.requires_grad
        (marked * marked).sum().backward()
        plain = m.ones(2).as_subclass(Marked)
        assert type(plain) is Marked and not plain.requires_grad
        results.append(x.grad)
    assert_close(results[1], results[0])
    check_error(lambda m: m.ones(2).as_subclass(int))


def test_record_stream_needs_a_cuda_tensor():
    with pytest.raises(RuntimeError, match="CUDA tensor"):
        rustorch.ones(2).record_stream(None)
