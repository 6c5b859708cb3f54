"""Backward passes from several threads into shared leaves add up exactly (issue 20.19)."""

from __future__ import annotations

import sys
import threading

import autograd
from autograd import Value


def test_backward_from_several_threads_into_shared_leaves_sums_exactly() -> None:
    for _ in range(3):  # a race shows in most rounds; three make missing it unlikely
        one_round()


def one_round() -> None:
    leaves = [Value(0.5 + 0.001 * i) for i in range(300)]
    passes, threads_n = 40, 4

    def work() -> None:
        for _ in range(passes):
            loss = autograd.sum([leaf * 1.0 + leaf for leaf in leaves])  # d/dleaf = 2
            loss.backward()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show at once
    try:
        threads = [threading.Thread(target=work) for _ in range(threads_n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert [leaf.grad for leaf in leaves] == [2.0 * passes * threads_n] * len(leaves)


def test_a_reader_never_sees_a_partial_grad() -> None:
    """A thread reading the leaves' .grad while two others backpropagate into them sees only
    whole passes: each leaf gets 1 from ``leaf * 1.0`` and 1 from the ``+`` (2 per pass), so a
    partial sum is odd, and a leaf zeroed part-way through a pass goes down."""
    leaves = [Value(0.5 + 0.001 * i) for i in range(200)]
    passes, writers_n = 30, 2
    done = threading.Event()
    seen_wrong: list[tuple[int, float, float]] = []

    def write() -> None:
        for _ in range(passes):
            autograd.sum([leaf * 1.0 + leaf for leaf in leaves]).backward()

    def read() -> None:
        last = [0.0] * len(leaves)
        while not done.is_set():
            for i, leaf in enumerate(leaves):
                g = leaf.grad
                if g % 2.0 != 0.0 or g < last[i]:
                    seen_wrong.append((i, last[i], g))
                last[i] = g

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        reader = threading.Thread(target=read)
        reader.start()
        writers = [threading.Thread(target=write) for _ in range(writers_n)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        done.set()
        reader.join()
    finally:
        sys.setswitchinterval(interval)
    assert seen_wrong == []
    assert [leaf.grad for leaf in leaves] == [2.0 * passes * writers_n] * len(leaves)
