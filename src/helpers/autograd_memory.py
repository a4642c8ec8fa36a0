"""How many bytes autograd keeps for the backward pass (activation memory), measured, not estimated.

Every tensor an operation saves for its backward pass goes through a pack hook
(``torch.autograd.graph.saved_tensors_hooks``). ``SavedTensorMeter`` counts the storages held that
way while they are alive: a storage is counted once however many operations saved it, and it
stops counting when the graph that saved it is freed (after ``backward()``, or when the last
reference to the graph goes, since the meter holds no reference back to it). Storages of the tensors passed as ``exclude`` (the parameters, the
input data: they stay in memory anyway) are not counted. A saved view keeps its whole storage
alive, so it counts the whole storage.

    with SavedTensorMeter(exclude=model.parameters()) as meter:
        loss = model(x).sum()
        print(meter.live_bytes)        # held for the backward pass now
        loss.backward()
    print(meter.peak_bytes)            # the most held at any moment
"""
from __future__ import annotations

import torch


class _Held:
    """A saved tensor, counted while this object is alive."""

    __slots__ = ("tensor", "key", "meter", "__weakref__")

    def __init__(self, tensor, key, meter):
        self.tensor, self.key, self.meter = tensor, key, meter

    def __del__(self):
        self.meter._release(self.key)


class SavedTensorMeter:
    """Context manager: live and peak bytes of the storages autograd saves for backward.

    exclude: tensors (or an iterable of tensors, e.g. model.parameters()) whose storage is not
             counted.
    Attributes: live_bytes, peak_bytes (ints), packed (number of saved tensors seen).
    """

    def __init__(self, exclude=()):
        if isinstance(exclude, torch.Tensor):
            exclude = [exclude]
        self._excluded = {self._key(t) for t in exclude}
        self._count: dict = {}
        self._bytes: dict = {}
        self.live_bytes = 0
        self.peak_bytes = 0
        self.packed = 0
        self._hooks = torch.autograd.graph.saved_tensors_hooks(self._pack, self._unpack)

    @staticmethod
    def _key(t):
        return t.untyped_storage().data_ptr()

    def _pack(self, t):
        self.packed += 1
        key = self._key(t)
        if key in self._excluded or t.device.type == "meta":
            return t
        if key not in self._count:
            self._count[key] = 0
            self._bytes[key] = t.untyped_storage().nbytes()
            self.live_bytes += self._bytes[key]
            self.peak_bytes = max(self.peak_bytes, self.live_bytes)
        self._count[key] += 1
        return _Held(t.detach(), key, self)     # detached: holding an output must not make a cycle

    @staticmethod
    def _unpack(packed):
        return packed.tensor if isinstance(packed, _Held) else packed

    def _release(self, key):
        self._count[key] -= 1
        if self._count[key] == 0:
            del self._count[key]
            self.live_bytes -= self._bytes.pop(key)

    def reset_peak(self):
        """Start a new peak from what is held now."""
        self.peak_bytes = self.live_bytes

    def __enter__(self):
        self._hooks.__enter__()
        return self

    def __exit__(self, *exc):
        self._hooks.__exit__(*exc)
        return False
