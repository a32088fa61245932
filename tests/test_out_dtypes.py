"""``out=`` dtype rules against torch: elementwise math writes into any dtype its result casts
to safely; products, decompositions, selections, indexing and most others want ``out`` of the
result's exact dtype; refused calls leave ``out`` untouched."""
import numpy as np
import pytest

from tests._oracle import DEVICE, as_numpy, rustorch, torch

# torch warns when it resizes a non-empty out tensor and about its deprecated linalg names
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

X = np.array([[-2.0, -1.0, 0.5], [1.0, 2.0, 3.0]], np.float32)
SQUARE = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], np.float32)
V = np.array([0.5, -1.0, 2.0], np.float32)
SORTED = np.array([-1.0, 0.0, 1.5], np.float32)


def _t(m, array):
    tensor = m.from_numpy(array.copy())
    return tensor.to(DEVICE) if m is rustorch else tensor


def _i(m, values):
    return _t(m, np.array(values, np.int64))


# name -> call(m, out); ``out`` is one tensor, or a tuple whose later entries are int64
# (indices) where the op returns (values, indices)
CASES = {
    # elementwise math and reductions: a safe cast is enough
    "add": lambda m, o: m.add(_t(m, X), 1, out=o),
    "exp": lambda m, o: m.exp(_t(m, X), out=o),
    "atan2": lambda m, o: m.atan2(_t(m, X), _t(m, X), out=o),
    "lerp": lambda m, o: m.lerp(_t(m, X), _t(m, X) * 2, 0.5, out=o),
    "mean": lambda m, o: m.mean(_t(m, X), 0, out=o),
    "logsumexp": lambda m, o: m.logsumexp(_t(m, X), 1, out=o),
    "outer": lambda m, o: m.outer(_t(m, V), _t(m, V), out=o),
    "ger": lambda m, o: m.ger(_t(m, V), _t(m, V), out=o),
    "kron": lambda m, o: m.kron(_t(m, X), _t(m, X), out=o),
    "addr": lambda m, o: m.addr(_t(m, SQUARE), _t(m, V), _t(m, V), out=o),
    "hstack": lambda m, o: m.hstack([_t(m, X), _t(m, X)], out=o),
    "vstack": lambda m, o: m.vstack([_t(m, X), _t(m, X)], out=o),
    "cat": lambda m, o: m.cat([_t(m, X), _t(m, X)], out=o),
    "clamp_tensor": lambda m, o: m.clamp(_t(m, X), _t(m, V * 0), out=o),
    "diff": lambda m, o: m.diff(_t(m, X), out=o),
    "pinv": lambda m, o: m.linalg.pinv(_t(m, SQUARE), out=o),
    # exact dtype
    "tril": lambda m, o: m.tril(_t(m, X), out=o),
    "triu": lambda m, o: m.triu(_t(m, X), out=o),
    "mm": lambda m, o: m.mm(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "matmul": lambda m, o: m.matmul(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "bmm": lambda m, o: m.bmm(_t(m, SQUARE)[None], _t(m, SQUARE)[None], out=o),
    "addmm": lambda m, o: m.addmm(_t(m, SQUARE), _t(m, SQUARE), _t(m, SQUARE), out=o),
    "mv": lambda m, o: m.mv(_t(m, SQUARE), _t(m, V), out=o),
    "addmv": lambda m, o: m.addmv(_t(m, V), _t(m, SQUARE), _t(m, V), out=o),
    "baddbmm": lambda m, o: m.baddbmm(_t(m, SQUARE)[None], _t(m, SQUARE)[None],
                                      _t(m, SQUARE)[None], out=o),
    "addbmm": lambda m, o: m.addbmm(_t(m, SQUARE), _t(m, SQUARE)[None], _t(m, SQUARE)[None],
                                    out=o),
    "dot": lambda m, o: m.dot(_t(m, V), _t(m, V), out=o),
    "vdot": lambda m, o: m.vdot(_t(m, V), _t(m, V), out=o),
    "inner": lambda m, o: m.inner(_t(m, X), _t(m, X), out=o),
    "tensordot": lambda m, o: m.tensordot(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "matrix_power": lambda m, o: m.matrix_power(_t(m, SQUARE), 2, out=o),
    "clamp": lambda m, o: m.clamp(_t(m, X), 0.0, out=o),
    "clip": lambda m, o: m.clip(_t(m, X), -1.0, 1.0, out=o),
    "where": lambda m, o: m.where(_t(m, X) > 0, _t(m, X), _t(m, -X), out=o),
    "nan_to_num": lambda m, o: m.nan_to_num(_t(m, X), out=o),
    "heaviside": lambda m, o: m.heaviside(_t(m, X), _t(m, X), out=o),
    "frac": lambda m, o: m.frac(_t(m, X), out=o),
    "round": lambda m, o: m.round(_t(m, X), out=o),
    "sign": lambda m, o: m.sign(_t(m, X), out=o),
    "sgn": lambda m, o: m.sgn(_t(m, X), out=o),
    "renorm": lambda m, o: m.renorm(_t(m, X), 2, 0, 1.0, out=o),
    "gather": lambda m, o: m.gather(_t(m, X), 1, _i(m, [[2], [0]]), out=o),
    "take": lambda m, o: m.take(_t(m, X), _i(m, [0, 4]), out=o),
    "take_along_dim": lambda m, o: m.take_along_dim(_t(m, X), _i(m, [[2], [0]]), 1, out=o),
    "index_select": lambda m, o: m.index_select(_t(m, X), 1, _i(m, [2, 0]), out=o),
    "index_add": lambda m, o: m.index_add(_t(m, X), 0, _i(m, [1]), _t(m, X[:1]), out=o),
    "index_copy": lambda m, o: m.index_copy(_t(m, X), 0, _i(m, [1]), _t(m, X[:1]), out=o),
    "masked_select": lambda m, o: m.masked_select(_t(m, X), _t(m, X > 0), out=o),
    "scatter": lambda m, o: m.scatter(_t(m, X), 0, _i(m, [[1, 0, 1]]), 9.0, out=o),
    "scatter_add": lambda m, o: m.scatter_add(_t(m, X), 0, _i(m, [[1, 0, 1]]), _t(m, X[:1]),
                                              out=o),
    "diag": lambda m, o: m.diag(_t(m, X), out=o),
    "amax": lambda m, o: m.amax(_t(m, X), 0, out=o),
    "amin": lambda m, o: m.amin(_t(m, X), 1, out=o),
    "norm": lambda m, o: m.norm(_t(m, X), dim=0, out=o),
    "histc": lambda m, o: m.histc(_t(m, X), 4, out=o),
    "logcumsumexp": lambda m, o: m.logcumsumexp(_t(m, X), 1, out=o),
    "msort": lambda m, o: m.msort(_t(m, X), out=o),
    "quantile": lambda m, o: m.quantile(_t(m, X), 0.5, out=o),
    "linalg.inv": lambda m, o: m.linalg.inv(_t(m, SQUARE), out=o),
    "linalg.det": lambda m, o: m.linalg.det(_t(m, SQUARE), out=o),
    "linalg.solve": lambda m, o: m.linalg.solve(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "linalg.cholesky": lambda m, o: m.linalg.cholesky(_t(m, SQUARE), out=o),
    "linalg.norm": lambda m, o: m.linalg.norm(_t(m, X), out=o),
    "linalg.vector_norm": lambda m, o: m.linalg.vector_norm(_t(m, X), out=o),
    "linalg.matrix_norm": lambda m, o: m.linalg.matrix_norm(_t(m, X), out=o),
    "linalg.eigvalsh": lambda m, o: m.linalg.eigvalsh(_t(m, SQUARE), out=o),
    "linalg.multi_dot": lambda m, o: m.linalg.multi_dot([_t(m, SQUARE), _t(m, SQUARE)], out=o),
    "linalg.vecdot": lambda m, o: m.linalg.vecdot(_t(m, X), _t(m, X), out=o),
    "linalg.cross": lambda m, o: m.linalg.cross(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "cross": lambda m, o: m.cross(_t(m, SQUARE), _t(m, SQUARE), dim=1, out=o),
    "polar": lambda m, o: m.polar(_t(m, np.abs(V)), _t(m, V), out=o),
    "complex": lambda m, o: m.complex(_t(m, V), _t(m, V), out=o),
    # (values, indices)
    "sort": lambda m, o: m.sort(_t(m, X), out=o),
    "topk": lambda m, o: m.topk(_t(m, X), 2, out=o),
    "kthvalue": lambda m, o: m.kthvalue(_t(m, X), 2, out=o),
    "max_dim": lambda m, o: m.max(_t(m, X), 0, out=o),
    "min_dim": lambda m, o: m.min(_t(m, X), 1, out=o),
    "median": lambda m, o: m.median(_t(m, X), 1, out=o),
    "nanmedian": lambda m, o: m.nanmedian(_t(m, X), 1, out=o),
    "mode": lambda m, o: m.mode(_t(m, X), 1, out=o),
    "cummax": lambda m, o: m.cummax(_t(m, X), 1, out=o),
    "cummin": lambda m, o: m.cummin(_t(m, X), 0, out=o),
    "aminmax": lambda m, o: m.aminmax(_t(m, X), out=o),
    # integer and boolean results
    "argmax": lambda m, o: m.argmax(_t(m, X), 0, out=o),
    "searchsorted": lambda m, o: m.searchsorted(_t(m, SORTED), _t(m, V), out=o),
    "bucketize": lambda m, o: m.bucketize(_t(m, V), _t(m, SORTED), out=o),
    "all": lambda m, o: m.all(_t(m, X), 0, out=o),
    "any": lambda m, o: m.any(_t(m, X), 1, out=o),
}
# more, with the out slots each takes: "d" is the dtype under test, others are fixed
CASES.update({
    # sum, prod and the cumulative ones compute in out's dtype
    "sum": lambda m, o: m.sum(_t(m, X * 0.7), 0, out=o),
    "prod": lambda m, o: m.prod(_t(m, X * 0.7), 1, out=o),
    "cumsum": lambda m, o: m.cumsum(_t(m, X * 0.7), 1, out=o),
    "cumprod": lambda m, o: m.cumprod(_t(m, X * 0.7), 0, out=o),
    "max_all": lambda m, o: m.max(_t(m, X), out=o),
    "max_other": lambda m, o: m.max(_t(m, X), _t(m, -X), out=o),
    "abs": lambda m, o: m.abs(_t(m, X), out=o),
    "neg": lambda m, o: m.neg(_t(m, X), out=o),
    "floor": lambda m, o: m.floor(_t(m, X), out=o),
    "trunc": lambda m, o: m.trunc(_t(m, X), out=o),
    "round_decimals": lambda m, o: m.round(_t(m, X), decimals=1, out=o),
    "isposinf": lambda m, o: m.isposinf(_t(m, X), out=o),
    "signbit": lambda m, o: m.signbit(_t(m, X), out=o),
    "isin": lambda m, o: m.isin(_t(m, X), _t(m, V), out=o),
    "float_power": lambda m, o: m.float_power(_t(m, X), 2, out=o),
    "nonzero": lambda m, o: m.nonzero(_t(m, X), out=o),
    "argmin": lambda m, o: m.argmin(_t(m, X), 1, out=o),
    "bernoulli": lambda m, o: m.bernoulli(_t(m, (X > 0).astype(np.float32)), out=o),
    "normal": lambda m, o: m.normal(_t(m, X[0, :1]), 0.0, out=o),  # torch keeps out's size
    "linalg.svdvals": lambda m, o: m.linalg.svdvals(_t(m, SQUARE), out=o),
    "linalg.solve_triangular": lambda m, o: m.linalg.solve_triangular(
        _t(m, SQUARE), _t(m, SQUARE), upper=True, out=o),
    "linalg.matrix_rank": lambda m, o: m.linalg.matrix_rank(_t(m, SQUARE), out=o),
    "linalg.tensorinv": lambda m, o: m.linalg.tensorinv(_t(m, SQUARE), 1, out=o),
    "inverse": lambda m, o: m.inverse(_t(m, SQUARE), out=o),
    "cholesky": lambda m, o: m.cholesky(_t(m, SQUARE), out=o),
    "cholesky_inverse": lambda m, o: m.cholesky_inverse(_t(m, SQUARE), out=o),
    "cholesky_solve": lambda m, o: m.cholesky_solve(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "nanquantile": lambda m, o: m.nanquantile(_t(m, X), 0.5, out=o),
    "chain_matmul": lambda m, o: m.chain_matmul(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "linalg.slogdet": lambda m, o: m.linalg.slogdet(_t(m, SQUARE), out=o),
    "linalg.inv_ex": lambda m, o: m.linalg.inv_ex(_t(m, SQUARE), out=o),
    "linalg.cholesky_ex": lambda m, o: m.linalg.cholesky_ex(_t(m, SQUARE), out=o),
    "linalg.lu_factor": lambda m, o: m.linalg.lu_factor(_t(m, SQUARE), out=o),
    "triangular_solve": lambda m, o: m.triangular_solve(_t(m, SQUARE), _t(m, SQUARE), out=o),
    "frexp": lambda m, o: m.frexp(_t(m, X), out=o),
    "histogram": lambda m, o: m.histogram(_t(m, X), 3, out=o),
})
SLOTS = {name: ("d", "int64") for name in (
    "sort", "topk", "kthvalue", "max_dim", "min_dim", "median", "nanmedian", "mode", "cummax",
    "cummin")}
SLOTS.update({"aminmax": ("d", "d"), "linalg.slogdet": ("d", "d"), "triangular_solve": ("d", "d"),
              "histogram": ("d", "d"), "linalg.inv_ex": ("d", "int32"),
              "linalg.cholesky_ex": ("d", "int32"), "linalg.lu_factor": ("d", "int32"),
              "frexp": ("d", "int32")})
DTYPES = ["float32", "float64", "int64", "bool", "complex64"]


def _outcome(m, name, dtype):
    """(values, dtypes) written into out tensors of ``dtype``, or the error class raised;
    also whether the out tensors were left untouched on error."""
    def make(kind):
        return m.full((1,), 7, dtype=getattr(m, dtype if kind == "d" else kind))
    outs = tuple(make(kind) for kind in SLOTS.get(name, ("d",)))
    out = outs if len(outs) > 1 else outs[0]
    try:
        CASES[name](m, out)
    except (RuntimeError, TypeError, ValueError, NotImplementedError):
        untouched = all(as_numpy(o).tolist() == [7] or as_numpy(o).tolist() == [True]
                        for o in outs)
        return "raised", untouched
    return [as_numpy(o) for o in outs], None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CASES))
def test_out_dtype_rule_like_torch(name, dtype):
    expected, _ = _outcome(torch, name, dtype)
    actual, untouched = _outcome(rustorch, name, dtype)
    if isinstance(expected, str):
        assert actual == "raised", f"{name} with out={dtype}: torch raises, rustorch wrote"
        assert untouched, f"{name} with out={dtype}: refused, but out was changed"
        return
    assert not isinstance(actual, str), f"{name} with out={dtype}: torch writes, rustorch raised"
    for got, want in zip(actual, expected):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
