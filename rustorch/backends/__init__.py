"""``torch.backends``: the flags training scripts set (``cudnn.benchmark``,
``cuda.matmul.allow_tf32`` ...) and the availability queries (``mps.is_available()``)."""
from __future__ import annotations
