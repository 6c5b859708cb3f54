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
