"""The node names users read in ``grad_fn=<...>``: PyTorch's, op by op (composite ops report
the op's own node: ``StdBackward0``, ``MseLossBackward0``, ``AddmmBackward0`` ...)."""
from __future__ import annotations

import warnings

import pytest

from tests._oracle import rustorch, torch


def _cases(m, x, img):
    F = m.nn.functional
    return {
        'slice': lambda: x[1:],
        'select': lambda: x[0],
        'bare_slice': lambda: x[:],
        'none': lambda: x[None],
        'index': lambda: x[m.tensor([0,2])],
        'mask': lambda: x[x>0],
        'narrow': lambda: x.narrow(0,1,2),
        'select_m': lambda: x.select(1,0),
        't': lambda: x.t(), 'T': lambda: x.T, 'mT': lambda: x.mT,
        'transpose': lambda: x.transpose(0,1),
        'permute': lambda: x.permute(1,0),
        'unsqueeze': lambda: x.unsqueeze(0),
        'squeeze': lambda: x[None].squeeze(),
        'squeeze_dim': lambda: x[None].squeeze(0),
        'squeeze_dims': lambda: x[None].squeeze((0,)),
        'diag': lambda: x.diagonal(),
        'unfold': lambda: x.unfold(0,2,1),
        'view': lambda: x.view(-1),
        'reshape': lambda: x.reshape(-1),
        'flatten': lambda: x.flatten(),
        'mean': lambda: x.mean(),
        'mean_dim': lambda: x.mean(0),
        'mean_dims': lambda: x.mean((0,1)),
        'max': lambda: x.max(),
        'min': lambda: x.min(),
        'maxdim': lambda: x.max(0)[0],
        'amax': lambda: x.amax(0),
        'rsub': lambda: 1-x,
        'rpow': lambda: 2**x,
        'tpow': lambda: x**x,
        'pow': lambda: x**2,
        'lsm': lambda: x.log_softmax(0),
        'softmax': lambda: x.softmax(0),
        'linear_nb': lambda: F.linear(x,x[:3]),
        'linear_b': lambda: F.linear(x,x[:3],x[0]),
        'linear3d_nb': lambda: F.linear(x[None],x[:3]),
        'linear3d_b': lambda: F.linear(x[None],x[:3],x[0]),
        'linear1d': lambda: F.linear(x[0],x),
        'stack': lambda: m.stack([x,x]),
        'cat': lambda: m.cat([x,x]),
        'repeat': lambda: x.repeat(2,1),
        'tile': lambda: x.tile(2),
        'expand': lambda: x[0].expand(4,3),
        'mse': lambda: F.mse_loss(x, x.detach()*2),
        'l1': lambda: F.l1_loss(x, x.detach()*2),
        'smooth_l1': lambda: F.smooth_l1_loss(x, x.detach()*2),
        'huber': lambda: F.huber_loss(x, x.detach()*2),
        'bce': lambda: F.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid()),
        'bcewl': lambda: F.binary_cross_entropy_with_logits(x, x.detach().sigmoid()),
        'nll': lambda: F.nll_loss(x, m.tensor([0,1,2,0])),
        'ce': lambda: F.cross_entropy(x, m.tensor([0,1,2,0])),
        'kl': lambda: F.kl_div(x, x.detach()),
        'layer_norm': lambda: F.layer_norm(x, (3,)),
        'group_norm': lambda: F.group_norm(x[None], 1),
        'batch_norm': lambda: F.batch_norm(x, None, None, training=True),
        'masked_fill': lambda: x.masked_fill(x>0, 0.),
        'std': lambda: x.std(),
        'std_dim': lambda: x.std(0),
        'var': lambda: x.var(),
        'var_dim': lambda: x.var(0),
        'addmm': lambda: m.addmm(x[:3], x.t(), x),
        'mm': lambda: x.mm(x.t()),
        'bmm': lambda: x[None].bmm(x.t()[None]),
        'matmul': lambda: x@x.t(),
        'matmul3d': lambda: x[None]@x.t(),
        'matmul1d': lambda: x@x[0],
        'dot': lambda: x[0].dot(x[0]),
        'mv': lambda: x.mv(x[0]),
        'clamp_tensor': lambda: x.clamp(min=m.zeros(3)),
        'lerp_tensor': lambda: x.lerp(x * 2, m.full((3,), 0.5)),
        'atleast_2d': lambda: m.atleast_2d(x[0]),
        'sort': lambda: x.sort(0)[0],
        'topk': lambda: x.topk(2, 0)[0],
        'logsumexp': lambda: x.logsumexp(0),
        'median': lambda: x.median(),
        'kthvalue': lambda: x.kthvalue(1)[0],
        'where': lambda: m.where(x>0, x, 0.),
        'clamp': lambda: x.clamp(0,1),
        'clamp_min': lambda: x.clamp(min=0),
        'norm': lambda: x.norm(),
        'cumsum': lambda: x.cumsum(0),
        'prod': lambda: x.prod(),
        'prod_dim': lambda: x.prod(0),
        'gelu': lambda: F.gelu(x),
        'silu': lambda: F.silu(x),
        'leaky': lambda: F.leaky_relu(x),
        'elu': lambda: F.elu(x),
        'softplus': lambda: F.softplus(x),
        'hardtanh': lambda: F.hardtanh(x),
        'relu6': lambda: F.relu6(x),
        'dropout': lambda: F.dropout(x, 0.5),
        'pad': lambda: F.pad(x, (1,1)),
        'flip': lambda: x.flip(0),
        'roll': lambda: x.roll(1),
        'gather': lambda: x.gather(0, m.tensor([[0,1,0]])),
        'index_select': lambda: x.index_select(0, m.tensor([1])),
        'type_as': lambda: x.type_as(x.double()),
        'to': lambda: x.to(m.float64),
        'clone': lambda: x.clone(),
        'contiguous': lambda: x.t().contiguous(),
        'outer': lambda: m.outer(x[0], x[0]),
        'addcmul': lambda: x.addcmul(x, x),
        'lerp': lambda: x.lerp(x*2, 0.3),
        'sqrt': lambda: x.abs().sqrt(),
        'square': lambda: x.square(),
        'reciprocal': lambda: x.reciprocal(),
        'rdiv': lambda: 1/x,
        'chunk': lambda: x.chunk(2)[1],
        'split': lambda: x.split(2)[0],
        'unbind': lambda: x.unbind(0)[0],
        'split_sizes': lambda: x.split([1,3])[0],
        'tensor_split': lambda: x.tensor_split(2)[0],
        'embedding': lambda: F.embedding(m.tensor([0,1]), x),
        'max_pool': lambda: F.max_pool1d(x[None], 2),
        'avg_pool': lambda: F.avg_pool1d(x[None], 2),
        'normalize': lambda: F.normalize(x),
        'cosine': lambda: F.cosine_similarity(x, x*2),
        'one_minus': lambda: x.neg().add(1),
        'sub_alpha': lambda: x.sub(x, alpha=2),
        'add_alpha': lambda: x.add(x, alpha=2),
        'addcdiv': lambda: x.addcdiv(x, x.abs()+1),
        'abs': lambda: x.abs(),
        'sign': lambda: x.sign(),
        'trace': lambda: x[:3].trace(),
        'tril': lambda: x.tril(),
        'triu': lambda: x.triu(),
        'sum_dim': lambda: x.sum(0),
        'sum': lambda: x.sum(),
        'nansum': lambda: x.nansum(),
        'amin': lambda: x.amin(),
        'argsort_vals': lambda: x.sort(descending=True)[0],
        'cummax': lambda: x.cummax(0)[0],
        'logcumsumexp': lambda: x.logcumsumexp(0),
        'diff': lambda: x.diff(),
        'movedim': lambda: x.movedim(0,1),
        'swapaxes': lambda: x.swapaxes(0,1),
        'view_as': lambda: x.view_as(x),
        'expand_as': lambda: x[0].expand_as(x),
        'real': lambda: x.real,
        'masked_select': lambda: x.masked_select(x>0),
        'nan_to_num': lambda: x.nan_to_num(),
        'squeeze_none': lambda: x.squeeze(),
        'unflatten': lambda: x.unflatten(0, (2,2)),
        'conv2d': lambda: F.conv2d(img, m.ones(2,3,3,3)),
        'conv2d_b': lambda: F.conv2d(img, m.ones(2,3,3,3), m.ones(2)),
        'conv_t2d': lambda: F.conv_transpose2d(img, m.ones(3,2,3,3)),
        'max_pool2d': lambda: F.max_pool2d(img, 2),
        'avg_pool2d': lambda: F.avg_pool2d(img, 2),
        'adaptive_avg': lambda: F.adaptive_avg_pool2d(img, 1),
        'adaptive_max': lambda: F.adaptive_max_pool2d(img, 1),
        'max_pool1d': lambda: F.max_pool1d(img[0], 2),
        'avg_pool1d': lambda: F.avg_pool1d(img[0], 2),
        'bn_eval': lambda: F.batch_norm(img, m.zeros(3), m.ones(3), training=False),
        'bn_affine': lambda: F.batch_norm(img, None, None, m.ones(3), m.zeros(3), training=True),
        'interp_near': lambda: F.interpolate(img, scale_factor=2),
        'interp_bilinear': lambda: F.interpolate(img, scale_factor=2, mode='bilinear'),
        'relu': lambda: F.relu(img),
        'sigmoid': lambda: img.sigmoid(),
        'tanh': lambda: img.tanh(),
        'ce_ls': lambda: F.cross_entropy(x, m.tensor([0,1,2,0]), label_smoothing=0.1),
        'instance_norm': lambda: F.instance_norm(img),
        'local_resp': lambda: F.dropout(img, 0.5),
        'pixel_shuffle': lambda: F.pixel_shuffle(img.repeat(1,4,1,1)[:, :4], 2),
        'unfold_f': lambda: F.unfold(img, 2),
        'atleast_1d': lambda: m.atleast_1d(x[0,0]),
        'log_sigmoid': lambda: F.logsigmoid(x),
        'mish': lambda: F.mish(x),
        'hardswish': lambda: F.hardswish(x),
        'prelu': lambda: F.prelu(x, m.ones(1)),
        'glu': lambda: F.glu(x[:, :2]),
        'softmin': lambda: F.softmin(x, 1),
        'tanhshrink': lambda: F.tanhshrink(x),
        'celu': lambda: F.celu(x),
        'selu': lambda: F.selu(x),
        'cdist': lambda: m.cdist(x, x),
        'cumprod': lambda: x.cumprod(0),
        'std_mean': lambda: m.std_mean(x)[0],
        'var_mean': lambda: m.var_mean(x)[0],
        'norm_dim': lambda: x.norm(dim=1),
        'vector_norm': lambda: m.linalg.vector_norm(x),
        'dist': lambda: m.dist(x, x*2),
        'mean_keep': lambda: x.mean(0, keepdim=True),
        'sum_keep': lambda: x.sum(1, keepdim=True),
        'all_max_dim': lambda: x.max(dim=1).values,
    }


_NAMES = sorted(_cases(torch, None, None))


def _node_name(m, name):
    x = ((m.arange(12.).reshape(4, 3) - 5) / 3).requires_grad_() * 1
    img = (m.arange(2 * 3 * 4 * 4.).reshape(2, 3, 4, 4) / 50).requires_grad_() * 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        node = _cases(m, x, img)[name]().grad_fn
    return type(node).__name__ if m is torch else node.name()


@pytest.mark.parametrize("name", _NAMES)
def test_grad_fn_names_like_torch(name):
    assert _node_name(rustorch, name) == _node_name(torch, name)


def test_multi_output_view_errors_name_the_node_and_output():
    messages = []
    for m in (torch, rustorch):
        x = m.ones(4, 3, requires_grad=True) * 1
        row = []
        for fn in (lambda: x.unbind(1)[2].mul_(2), lambda: x.split([1, 3])[1].add_(1),
                   lambda: x.unbind(0)[1][1:].add_(1), lambda: x.chunk(2)[1].zero_()):
            with pytest.raises(RuntimeError) as caught:
                fn()
            row.append(str(caught.value).split(" is a view")[0])
        messages.append(row)
    assert messages[0] == messages[1]


def test_names_survive_backward():
    """After backward frees what a node saved, grad_fn still prints PyTorch's name."""
    for m in (torch, rustorch):
        x = m.ones(3, 2, requires_grad=True)
        loss = m.nn.functional.mse_loss(x * 2, m.zeros(3, 2))
        loss.backward()
        name = type(loss.grad_fn).__name__ if m is torch else loss.grad_fn.name()
        assert name == "MseLossBackward0"
