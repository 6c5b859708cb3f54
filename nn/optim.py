"""Optimizers: gradient descent nudges every parameter against its gradient.

The update rules are PyTorch's, written in the same order of operations, so results can be
compared number for number. Each rule is one vector operation on flat arrays
(:meth:`Optimizer.update`): ``step()`` gathers the Values' numbers and gradients into arrays,
updates them and writes the numbers back, and ``fit(compiled=True)`` calls ``update`` on the
arrays it trains in, so eager and compiled training take the same step.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Value


class Optimizer:
    """Holds the parameters; ``step()`` updates them from ``.grad``, ``zero_grad()`` clears it.

    A subclass writes :meth:`change` (the rule on flat arrays, as a change and a commit),
    or :meth:`update` (the rule in place), or, for a rule of its own on Values, overrides
    :meth:`step` (``fit(compiled=True)`` then calls ``step()`` each step).
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters to optimize")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} must be a Value, got {type(p).__name__}"
                )
        lr = setting(self, "lr", lr)
        if not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"{type(self).__name__}: lr must be a positive number, got {lr!r}")
        self.lr = lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """One update of every parameter from its ``.grad``, all or nothing
        (:meth:`checked_update`): a new number that is not finite raises ``OverflowError``
        naming the parameter, and the parameters and the optimizer's state stay as they were."""
        params = np.array([p.data for p in self.params], dtype=np.float64)
        grads = np.array([p.grad for p in self.params], dtype=np.float64)
        self.checked_update(params, grads)
        for p, number in zip(self.params, params.tolist(), strict=True):
            p.data = number

    def change(
        self, params: np.ndarray, grads: np.ndarray
    ) -> tuple[np.ndarray, Callable[[], None]]:
        """The rule on flat arrays (in the order of ``self.params``) as ``(delta, commit)``: the
        new numbers are ``params + delta``, computed without changing ``params`` or the
        optimizer's state; ``commit()`` then moves the state on (running means, step count)."""
        raise NotImplementedError(f"{type(self).__name__} writes neither change() nor update()")

    def update(self, params: np.ndarray, grads: np.ndarray) -> None:
        """The rule on flat arrays, in place: ``params += delta``, then the state moves on
        (``grads`` is left as it is)."""
        delta, commit = self.change(params, grads)
        params += delta
        commit()

    def checked_update(self, params: np.ndarray, grads: np.ndarray) -> None:
        """:meth:`update` on the flat arrays, all or nothing: what ``step()`` runs on the
        Values' numbers and ``fit(compiled=True)`` on the array it trains in. When a new
        number is not finite, ``params`` and the optimizer's state stay as they were and
        ``OverflowError`` names the parameter.

        Nothing is copied when no sum can overflow: when ``params · params`` and ``delta ·
        delta`` are finite, every number of both is finite and under the square root of the
        largest float, so ``params + delta`` is finite too (two BLAS dot products, no
        temporary). A step of a large network then costs no copy of its weights and state.
        """
        if type(self).change is Optimizer.change:  # a rule written as update() alone
            self._copied_update(params, grads)
            return
        with np.errstate(all="ignore"):
            delta, commit = self.change(params, grads)
            if np.isfinite(np.dot(params, params)) and np.isfinite(np.dot(delta, delta)):
                params += delta
                commit()
                return
            new = params + delta
        bad = np.flatnonzero(~np.isfinite(new))
        if len(bad):
            raise self._overflow(int(bad[0]), params, grads, new)
        params[...] = new
        commit()

    def _copied_update(self, params: np.ndarray, grads: np.ndarray) -> None:
        """:meth:`checked_update` for a subclass that writes :meth:`update` alone: the arrays
        and the state are copied first and put back when a new number is not finite."""
        before = params.copy()
        state = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in vars(self).items()}
        with np.errstate(all="ignore"):
            self.update(params, grads)
        bad = np.flatnonzero(~np.isfinite(params))
        if len(bad):
            new = params.copy()
            params[...] = before
            vars(self).clear()  # as it was, attributes the update added included
            vars(self).update(state)
            raise self._overflow(int(bad[0]), params, grads, new)

    def _overflow(
        self, i: int, params: np.ndarray, grads: np.ndarray, new: np.ndarray
    ) -> OverflowError:
        label = self.params[i].label or "unlabelled"
        return OverflowError(
            f"{type(self).__name__}.step: parameter {i} ({label}, {params[i].item()!r}, "
            f"grad {grads[i].item()!r}) would become {new[i]} with lr={self.lr!r}; "
            "no parameter was changed (lower the learning rate)"
        )

    def _scratch(self, like: np.ndarray, name: str = "_buffers", n: int = 2) -> tuple:
        """``n`` work arrays shaped and typed as ``like``, kept between steps under ``name``: a
        large array made afresh each step costs page faults on every step."""
        buffers = getattr(self, name, None)
        if buffers is None or buffers[0].shape != like.shape or buffers[0].dtype != like.dtype:
            buffers = tuple(np.empty_like(like) for _ in range(n))
            setattr(self, name, buffers)
        return buffers

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's running state (for checkpoints); hyperparameters are not included."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`; checks lengths first and changes nothing on error."""


def setting(optimizer: Optimizer, name: str, value: Any) -> float:
    """A hyperparameter as a float: a real number, never a bool (``lr=True`` is not 1.0), else
    ``TypeError`` naming it. The caller checks its range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{type(optimizer).__name__}: {name} must be a number, got {value!r:.40}")
    return float(value)


def _check_buffers(
    state: dict[str, Any], keys: tuple[str, ...], n: int, who: str
) -> dict[str, list[float] | None]:
    """Each buffer as a new list of floats (None if absent); ``ValueError`` naming the first
    buffer that is not a list of ``n`` finite numbers. Nothing is assigned here, so a caller
    that checks everything first changes nothing on error."""
    if not isinstance(state, dict):
        raise ValueError(f"{who} state must be a dict, got {type(state).__name__}")
    buffers: dict[str, list[float] | None] = {}
    for key in keys:
        buffer = state.get(key)
        if buffer is None:
            buffers[key] = None
            continue
        if not isinstance(buffer, list) or len(buffer) != n:
            raise ValueError(f"{who} state {key!r} must be a list of {n} numbers")
        for i, x in enumerate(buffer):
            ok = isinstance(x, (int, float)) and not isinstance(x, bool)
            if ok and isinstance(x, int) and abs(x) > 2**1023:
                ok = False  # too large for a float
            if not ok or not math.isfinite(x):
                raise ValueError(f"{who} state {key!r}[{i}] must be a finite number, got {x!r:.40}")
        buffers[key] = [float(x) for x in buffer]
    return buffers


def _fraction(optimizer: Optimizer, name: str, value: Any) -> float:
    """A number in [0, 1) (a momentum, a decay rate of a running mean)."""
    number = setting(optimizer, name, value)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{type(optimizer).__name__}: {name} must be in [0, 1), got {value!r}")
    return number


def _decay(optimizer: Optimizer, value: Any) -> float:
    """A finite weight decay >= 0."""
    number = setting(optimizer, "weight_decay", value)
    if not (number >= 0.0 and math.isfinite(number)):
        raise ValueError(f"{type(optimizer).__name__}: weight_decay must be >= 0, got {value!r}")
    return number


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    For each parameter p with gradient g:  g = g + weight_decay * p;
    with momentum: v = momentum * v + g (v = g on the first step), then p = p - lr * v;
    without: p = p - lr * g.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _fraction(self, "momentum", momentum)
        self.weight_decay = _decay(self, weight_decay)
        self.velocity: np.ndarray | None = None

    def change(
        self, params: np.ndarray, grads: np.ndarray
    ) -> tuple[np.ndarray, Callable[[], None]]:
        # As PyTorch: g = g + weight_decay * p; v = momentum * v + g; p.add_(v, alpha=-lr)
        # (p + v * -lr is p - lr * v to the bit).
        if self.weight_decay:
            grads = grads + self.weight_decay * params
        velocity = None
        if self.momentum:
            if self.velocity is None:
                velocity = grads.astype(params.dtype)  # a copy
            else:  # a new array: the state moves on at commit (in the parameters' dtype)
                velocity = np.multiply(self.velocity, self.momentum, dtype=params.dtype)
                velocity += grads
            grads = velocity

        def commit() -> None:
            if velocity is not None:
                self.velocity = velocity

        return grads * -self.lr, commit

    def state_dict(self) -> dict[str, Any]:
        return {"velocity": None if self.velocity is None else self.velocity.tolist()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        velocity = _check_buffers(state, ("velocity",), len(self.params), "SGD")["velocity"]
        self.velocity = None if velocity is None else np.array(velocity, dtype=np.float64)


class Adam(Optimizer):
    """Adam: running means of the gradient and of its square, with bias correction.

    At step t, for each parameter p with gradient g (plus weight_decay * p when set):
    m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²;  m̂ = m / (1 - β1^t);  v̂ = v / (1 - β2^t);
    p = p - lr * m̂ / (sqrt(v̂) + eps). The correction undoes the pull of m = v = 0 at the start.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if isinstance(betas, (str, bytes)) or not isinstance(betas, Sequence) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair of numbers, got {betas!r:.40}")
        self.betas = (_fraction(self, "beta1", betas[0]), _fraction(self, "beta2", betas[1]))
        self.eps = setting(self, "eps", eps)
        if not (self.eps > 0.0 and math.isfinite(self.eps)):
            raise ValueError(f"Adam: eps must be > 0, got {eps!r}")
        self.weight_decay = _decay(self, weight_decay)
        self.t = 0
        self.m = np.zeros(len(self.params))
        self.v = np.zeros(len(self.params))

    def change(
        self, params: np.ndarray, grads: np.ndarray
    ) -> tuple[np.ndarray, Callable[[], None]]:
        beta1, beta2 = self.betas
        t = self.t + 1
        if self.weight_decay:
            grads = grads + self.weight_decay * params
        if self.m.dtype != params.dtype:  # the state follows the parameters (float32 fit)
            self.m, self.v = self.m.astype(params.dtype), self.v.astype(params.dtype)
        m, v = self.m, self.v
        # The next m and v go into a second pair of arrays, swapped in at commit.
        m_next, v_next = self._scratch(params, "_next_state")
        step, denominator = self._scratch(params)
        # As PyTorch: m.lerp_(g, 1 - β1); v.mul_(β2).addcmul_(g, g, value=1 - β2);
        # p.addcdiv_(m, sqrt(v) / sqrt(1 - β2^t) + eps, value=-lr / (1 - β1^t)).
        np.subtract(grads, m, out=m_next)
        m_next *= 1.0 - beta1
        m_next += m
        np.multiply(v, beta2, out=v_next)
        np.multiply(grads, 1.0 - beta2, out=step)
        step *= grads
        v_next += step
        np.sqrt(v_next, out=denominator)
        denominator /= math.sqrt(1.0 - beta2**t)
        denominator += self.eps
        np.multiply(m_next, -self.lr / (1.0 - beta1**t), out=step)
        step /= denominator

        def commit() -> None:
            self.t, self.m, self.v = t, m_next, v_next
            self._next_state = (m, v)  # the old pair holds the next step's results

        return step, commit

    def state_dict(self) -> dict[str, Any]:
        return {"t": self.t, "m": self.m.tolist(), "v": self.v.tolist()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        buffers = _check_buffers(state, ("m", "v"), len(self.params), "Adam")
        t = state.get("t")
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise ValueError(f"Adam state 't' must be a step count >= 0, got {t!r:.40}")
        m, v = buffers["m"], buffers["v"]
        if m is None or v is None:
            raise ValueError("Adam state needs both 'm' and 'v'")
        if any(x < 0.0 for x in v):
            raise ValueError("Adam state 'v' (a running mean of squares) must be >= 0")
        # all checked: assigned together
        self.t, self.m, self.v = t, np.array(m, dtype=np.float64), np.array(v, dtype=np.float64)
