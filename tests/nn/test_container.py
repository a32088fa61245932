"""Containers against torch: indexing, mutation, keys, reprs."""
from __future__ import annotations

from collections import OrderedDict

import pytest
import torch

import rustorch
from tests._oracle import randn
from tests.nn._helpers import compare_module, on_device_repr


def both(build):
    return build(torch), build(rustorch)


def keys(module):
    return list(module.state_dict())


def test_sequential_forward_and_gradients():
    compare_module(lambda m: m.nn.Sequential(m.nn.Linear(4, 8), m.nn.Tanh(), m.nn.Linear(8, 3)),
                   randn(5, 4))


def test_sequential_indexing_and_mutation():
    for m in (torch, rustorch):
        seq = m.nn.Sequential(m.nn.Linear(1, 2), m.nn.ReLU(), m.nn.Linear(2, 3), m.nn.Tanh())
        assert len(seq) == 4 and isinstance(seq[-1], m.nn.Tanh)
        assert isinstance(seq[1:3], m.nn.Sequential) and len(seq[1:3]) == 2
        seq[1] = m.nn.Sigmoid()
        del seq[0]
        assert list(seq._modules) == ["0", "1", "2"]
        seq.append(m.nn.Identity())
        seq.insert(0, m.nn.ELU())
        seq.extend([m.nn.ReLU()])
        assert [type(x).__name__ for x in seq] == ["ELU", "Sigmoid", "Linear", "Tanh",
                                                   "Identity", "ReLU"]
        popped = seq.pop(0)
        assert type(popped).__name__ == "ELU"
        with pytest.raises(IndexError):
            seq[10]
        combined = seq + m.nn.Sequential(m.nn.ReLU())
        assert len(combined) == len(seq) + 1
        assert len(seq * 2) == 2 * len(seq)
    t, r = both(lambda m: m.nn.Sequential(OrderedDict(a=m.nn.Linear(2, 2), b=m.nn.ReLU())))
    assert keys(t) == keys(r) and repr(t) == repr(r)


def test_modulelist():
    for m in (torch, rustorch):
        layers = m.nn.ModuleList([m.nn.Linear(2, 2) for _ in range(3)])
        layers.append(m.nn.ReLU())
        layers.insert(1, m.nn.Tanh())
        layers += [m.nn.Sigmoid()]
        assert len(layers) == 6 and isinstance(layers[1], m.nn.Tanh)
        assert isinstance(layers[-2:], m.nn.ModuleList)
        del layers[1]
        assert list(layers._modules) == [str(i) for i in range(5)]
        with pytest.raises(TypeError):
            layers.extend(3)
    t, r = both(lambda m: m.nn.ModuleList([m.nn.Linear(2, 2), m.nn.Linear(2, 2),
                                           m.nn.ReLU(), m.nn.Linear(2, 3)]))
    assert keys(t) == keys(r) and repr(t) == repr(r)


def test_moduledict():
    for m in (torch, rustorch):
        table = m.nn.ModuleDict({"b": m.nn.ReLU(), "a": m.nn.Linear(1, 1)})
        assert list(table.keys()) == ["b", "a"] and "a" in table and len(table) == 2
        table["c"] = m.nn.Tanh()
        table.update([("d", m.nn.Identity())])
        assert list(table) == ["b", "a", "c", "d"]
        assert isinstance(table.pop("b"), m.nn.ReLU)
        with pytest.raises(ValueError):
            table.update([("x", m.nn.ReLU(), 3)])
        table.clear()
        assert len(table) == 0
    t, r = both(lambda m: m.nn.ModuleDict({"x": m.nn.Linear(2, 2), "y": m.nn.GELU()}))
    assert keys(t) == keys(r) and repr(t) == repr(r)


def test_parameterlist_and_dict():
    for m in (torch, rustorch):
        plist = m.nn.ParameterList([m.zeros(2), m.nn.Parameter(m.ones(3))])
        assert all(isinstance(p, m.nn.Parameter) for p in plist) and len(plist) == 2
        plist.append(m.zeros(1, 2))
        assert len(list(plist.parameters())) == 3 and isinstance(plist[1:], m.nn.ParameterList)
        pdict = m.nn.ParameterDict({"b": m.zeros(2), "a": m.zeros(1)})
        assert list(pdict) == ["a", "b"]  # plain dicts are sorted, like torch
        pdict["c"] = m.ones(1)
        assert isinstance(pdict["c"], m.nn.Parameter) and "c" in pdict
        assert pdict.get("zzz") is None and len(pdict) == 3
        pdict.pop("c")
        with pytest.raises(RuntimeError):
            plist(1)
    t, r = both(lambda m: m.nn.ParameterList([m.zeros(2, 3), m.nn.Parameter(
        m.zeros(4, dtype=m.float64))]))
    assert keys(t) == keys(r) and on_device_repr(repr(t)) == repr(r)
    t, r = both(lambda m: m.nn.ParameterDict({"w": m.zeros(2, 3), "v": m.zeros(1)}))
    assert keys(t) == keys(r) and on_device_repr(repr(t)) == repr(r)


def test_nested_containers_state_dict_and_load():
    def build(m):
        return m.nn.Sequential(m.nn.ModuleDict({"enc": m.nn.ModuleList([m.nn.Linear(3, 3)])}),
                               m.nn.ParameterList([m.zeros(2)]))
    t, r = both(build)
    assert keys(t) == keys(r)
    r.load_state_dict(t.state_dict())
