"""A small GPT made of scalars: every number is an ``autograd.Value``, every step a plain function.

One transformer block over characters: token and position embeddings, rmsnorm, causal
self-attention with 4 heads reading a key/value cache, an MLP, and a softmax over the next
character. A name such as ``emma`` is one document: ``[BOS, e, m, m, a, BOS]``; at each position
the model predicts the next character, and the document's loss is the mean of
``-log p(next character)``.

It is written the way learners write it, in lists of Values and loops, with no ``nn`` modules,
so that ``autograd.record_calls()`` and ``draw_dot(loss, collapse="call")`` can show it by its
own functions: ``gpt``, ``attention``, ``mlp``, ``linear``, ``rmsnorm``, ``softmax``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autograd import Value, no_grad

NAMES = Path(__file__).with_name("names.txt")

Vector = list[Value]
Matrix = list[list[Value]]


def load_names(path: Path = NAMES) -> list[str]:
    """The names in ``names.txt`` (US census 1990 first names, lower case, one a line)."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Config:
    """Sizes of the model: ``n_embd`` numbers per position, split over ``n_head`` heads."""

    vocab_size: int
    block_size: int = 16
    n_embd: int = 16
    n_head: int = 4
    mlp_ratio: int = 4

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head


@dataclass
class Tokenizer:
    """Characters to integer tokens and back; token 0 is BOS, which starts and ends a name."""

    chars: list[str]
    bos: int = 0

    @classmethod
    def from_names(cls, names: list[str]) -> Tokenizer:
        return cls(sorted(set("".join(names))))

    @property
    def vocab_size(self) -> int:
        return len(self.chars) + 1

    def encode(self, name: str) -> list[int]:
        return [self.bos] + [self.chars.index(c) + 1 for c in name] + [self.bos]

    def decode(self, tokens: list[int]) -> str:
        return "".join(self.chars[t - 1] for t in tokens if t != self.bos)


def matrix(rows: int, cols: int, rng: random.Random, std: float, name: str = "") -> Matrix:
    """A rows x cols matrix of leaf Values drawn from N(0, std^2); with a ``name``, each is
    labelled ``name[i][j]`` (so an explorer can find it by label)."""
    return [
        [Value(rng.gauss(0.0, std), label=f"{name}[{i}][{j}]" if name else "") for j in range(cols)]
        for i in range(rows)
    ]


@dataclass
class Params:
    """The weights, as matrices of leaf Values (``w[out][in]``, so ``linear`` reads rows)."""

    config: Config
    seed: int = 0
    weights: dict[str, Matrix] = field(init=False)

    def __post_init__(self) -> None:
        c, rng = self.config, random.Random(self.seed)
        hidden = c.mlp_ratio * c.n_embd
        self.weights = {
            "wte": matrix(c.vocab_size, c.n_embd, rng, 0.08, "wte"),
            "wpe": matrix(c.block_size, c.n_embd, rng, 0.08, "wpe"),
            "wq": matrix(c.n_embd, c.n_embd, rng, 0.08, "wq"),
            "wk": matrix(c.n_embd, c.n_embd, rng, 0.08, "wk"),
            "wv": matrix(c.n_embd, c.n_embd, rng, 0.08, "wv"),
            "wo": matrix(c.n_embd, c.n_embd, rng, 0.0, "wo"),
            "fc1": matrix(hidden, c.n_embd, rng, 0.08, "fc1"),
            "fc2": matrix(c.n_embd, hidden, rng, 0.0, "fc2"),
            "lm_head": matrix(c.vocab_size, c.n_embd, rng, 0.08, "lm_head"),
        }

    def __getitem__(self, name: str) -> Matrix:
        return self.weights[name]

    def values(self) -> list[Value]:
        """Every weight, in a fixed order (the optimizer's)."""
        return [v for m in self.weights.values() for row in m for v in row]

    def spread(self, std: float = 0.08, seed: int = 1) -> None:
        """Draw every weight from N(0, std^2), as after some training. ``wo`` and ``fc2``
        start at zero, so attention and the MLP have no gradient at first: the tests and
        benchmarks that look at every weight's gradient spread them first."""
        rng = random.Random(seed)
        for p in self.values():
            p.data = rng.gauss(0.0, std)

    def with_values(self, values: list[Value]) -> Params:
        """The same model with ``values`` (in the order of :meth:`values`) as its weights:
        how ``gradcheck`` hands the loss its own leaves."""
        copy = Params.__new__(Params)
        copy.config, copy.seed, copy.weights = self.config, self.seed, {}
        flat = iter(values)
        for name, m in self.weights.items():
            copy.weights[name] = [[next(flat) for _ in row] for row in m]
        return copy


def linear(x: Vector, w: Matrix) -> Vector:
    """y_i = sum_j w[i][j] * x[j]: one output per row of w."""
    return [sum((wi * xi for wi, xi in zip(row, x)), Value(0.0)) for row in w]


def rmsnorm(x: Vector, eps: float = 1e-5) -> Vector:
    """x / sqrt(mean(x^2) + eps): the vector rescaled to unit root mean square."""
    mean_square = sum((xi * xi for xi in x), Value(0.0)) / len(x)
    scale = (mean_square + eps) ** -0.5
    return [xi * scale for xi in x]


def softmax(logits: Vector) -> Vector:
    """p_i = exp(z_i - max z) / sum_j exp(z_j - max z); subtracting the max (a constant)
    keeps exp from overflowing and changes nothing."""
    top = max(z.data for z in logits)
    exps = [(z - top).exp() for z in logits]
    total = sum(exps, Value(0.0))
    return [e / total for e in exps]


@dataclass
class Cache:
    """The keys and values of the positions seen so far (the KV cache), and, if ``seen`` is a
    list, each head's attention weights (floats) as they are computed."""

    keys: list[Vector] = field(default_factory=list)
    values: list[Vector] = field(default_factory=list)
    seen: list | None = None


def attention(x: Vector, params: Params, cache: Cache, config: Config) -> Vector:
    """Causal self-attention for one position. Its key and value join the cache; each head
    scores the query against every cached key (q.k / sqrt(head_dim)), softmaxes the scores into
    weights and sums the cached values with them. The heads' outputs are concatenated and
    mixed by ``wo``."""
    q = linear(x, params["wq"])
    keys, values, seen = cache.keys, cache.values, cache.seen
    keys.append(linear(x, params["wk"]))
    values.append(linear(x, params["wv"]))
    d = config.head_dim
    heads: Vector = []
    for h in range(config.n_head):
        part = slice(h * d, (h + 1) * d)
        q_h = q[part]
        logits = [
            sum((qi * ki for qi, ki in zip(q_h, k[part])), Value(0.0)) / math.sqrt(d) for k in keys
        ]
        weights = softmax(logits)
        if seen is not None:
            seen.append([w.data for w in weights])
        heads += [
            sum((w * v[part][i] for w, v in zip(weights, values)), Value(0.0)) for i in range(d)
        ]
    return linear(heads, params["wo"])


def mlp(x: Vector, params: Params) -> Vector:
    """fc2(relu(fc1(x))): widen to 4 x n_embd, keep the positive part, project back."""
    return linear([h.relu() for h in linear(x, params["fc1"])], params["fc2"])


def gpt(token: int, pos: int, params: Params, cache: Cache, config: Config) -> Vector:
    """The logits of the next token, given this token at position ``pos`` and the cache of
    the positions before it. Each sub-block adds its output to the stream (a residual)."""
    x = [t + p for t, p in zip(params["wte"][token], params["wpe"][pos])]
    x = rmsnorm(x)
    x = [a + b for a, b in zip(x, attention(rmsnorm(x), params, cache, config))]
    x = [a + b for a, b in zip(x, mlp(rmsnorm(x), params))]
    return linear(rmsnorm(x), params["lm_head"])


def document_loss(
    tokens: list[int], params: Params, config: Config, seen: list | None = None
) -> Value:
    """Mean over positions of -log p(next token): the cross-entropy of one document.
    ``seen``, if given, receives the attention weights of every position's heads, in order."""
    cache, losses = Cache(seen=seen), []
    n = min(len(tokens) - 1, config.block_size)
    for pos in range(n):
        probs = softmax(gpt(tokens[pos], pos, params, cache, config))
        losses.append(-probs[tokens[pos + 1]].log())
    return sum(losses, Value(0.0)) * (1.0 / n)


class Adam:
    """Adam over plain Values: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
    p -= lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)."""

    def __init__(
        self, params: list[Value], lr: float = 0.01, betas=(0.9, 0.99), eps: float = 1e-8
    ) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [0.0] * len(params)
        self.v = [0.0] * len(params)
        self.t = 0

    def step(self, lr: float | None = None) -> None:
        b1, b2 = self.betas
        self.t += 1
        lr = self.lr if lr is None else lr
        for i, p in enumerate(self.params):
            g = p.grad
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            m_hat = self.m[i] / (1 - b1**self.t)
            v_hat = self.v[i] / (1 - b2**self.t)
            p.data -= lr * m_hat / (math.sqrt(v_hat) + self.eps)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0


def train(
    names: list[str],
    params: Params,
    tokenizer: Tokenizer,
    steps: int,
    lr: float = 0.01,
    seed: int = 0,
) -> Iterator[tuple[int, float]]:
    """Adam on one random name per step, the learning rate decaying linearly to 0;
    yields (step, loss)."""
    rng = random.Random(seed)
    adam = Adam(params.values(), lr=lr)
    for step in range(steps):
        loss = document_loss(tokenizer.encode(rng.choice(names)), params, params.config)
        adam.zero_grad()
        loss.backward()
        adam.step(lr * (1 - step / steps))
        yield step, loss.data


def sample(
    params: Params, tokenizer: Tokenizer, rng: random.Random, temperature: float = 0.6
) -> str:
    """One name, drawn a character at a time from softmax(logits / temperature)."""
    with no_grad():  # no graph needed: only the numbers
        return _sample(params, tokenizer, rng, temperature)


def _sample(params: Params, tokenizer: Tokenizer, rng: random.Random, temperature: float) -> str:
    config = params.config
    cache, token, out = Cache(), tokenizer.bos, []
    for pos in range(config.block_size):
        logits = gpt(token, pos, params, cache, config)
        probs = softmax([z / temperature for z in logits])
        token = rng.choices(range(len(probs)), weights=[p.data for p in probs])[0]
        if token == tokenizer.bos:
            break
        out.append(token)
    return tokenizer.decode(out)
