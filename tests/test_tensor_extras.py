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
        rustorch.ones(2, device="cpu").record_stream(None)


@pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")
def test_typed_storage_like_torch():
    facts = []
    for m in (torch, rustorch):
        x = m.arange(6.0).reshape(2, 3)
        storage = x.storage()
        row = x[1].storage()
        storage[0] = 10.0
        facts.append((storage.size(), len(storage), str(storage.dtype), storage.element_size(),
                      storage.nbytes(), storage.data_ptr() == x.data_ptr(), storage[1],
                      storage.tolist(), row.size(), float(x[0, 0]),
                      storage.clone().tolist(), storage.device == x.device,
                      storage.untyped().nbytes(),
                      m.ones(2, dtype=m.int64).storage().tolist()))
    assert facts[0] == facts[1]
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        rustorch.ones(2).storage()
    storage = rustorch.zeros(3).storage()
    storage.fill_(2.5)
    assert storage.tolist() == [2.5, 2.5, 2.5]
    with pytest.raises(IndexError):
        storage[3]
    check_error(lambda m: m.ones(4).storage()[1:3])


@pytest.mark.filterwarnings("ignore:non-inplace resize")
def test_resize_set_and_dims_like_torch():
    grads, facts = [], []
    for m in (torch, rustorch):
        x = m.arange(6.0, requires_grad=True)
        y = x.resize(2, 3)
        (y * m.tensor([1.0, 2.0, 3.0])).sum().backward()
        grads.append(x.grad)
        target, source = m.ones(2), m.arange(4.0)
        target.set_(source)
        source[0] = 9.0  # shared memory
        emptied = m.ones(3).set_()
        facts.append((tuple(y.shape), tuple(x.resize_as(m.ones(3, 2)).shape), target.tolist(),
                      target.data_ptr() == source.data_ptr(), tuple(emptied.shape),
                      x.dense_dim(), x.sparse_dim()))
    assert_close(grads[1], grads[0])
    assert facts[0] == facts[1]
    check_error(lambda m: m.arange(6.0).resize(4))
    check_error(lambda m: m.ones(2, requires_grad=True).set_(m.ones(3)))
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        rustorch.ones(4).resize(2, 2)


@pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")
def test_typed_storage_copies_and_prints_like_torch():
    seen = []
    for m in (torch, rustorch):
        storage = m.tensor([1.0, 2.0, 3.0], device="cpu").storage()
        other = m.tensor([7.0, 8.0, 9.0], device="cpu").storage()
        storage.copy_(other)
        storage[1] = 5.0
        moved = storage.cpu()
        seen.append((repr(storage), list(storage), moved.tolist(),
                     storage.to(device="cpu").tolist(), storage.is_cuda,
                     storage.untyped().nbytes()))
    assert seen[0] == seen[1]
    with pytest.raises(RuntimeError, match="size mismatch"):
        rustorch.ones(2, device="cpu").storage().copy_(rustorch.ones(3, device="cpu").storage())
    with pytest.raises(TypeError):
        rustorch.ones(2, device="cpu").storage()["a"]
    bf16 = rustorch.tensor([1.5, 2.0], dtype=rustorch.bfloat16, device="cpu").storage()
    assert bf16.tolist() == [1.5, 2.0] and bf16.element_size() == 2
