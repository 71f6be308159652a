"""Messages are built after the commit, by threads that may finish in any order, and must still
reach the displays in commit order."""

from __future__ import annotations

import random
import threading

from queue_server.service_layer import InOrder, Message


def msg(n: int) -> Message:
    return Message("ticket.called", {"n": n}, "centre:1")


def test_batches_go_out_in_slot_order_whatever_order_they_are_ready_in():
    published: list[int] = []
    order = InOrder(lambda batch: published.extend(m.payload["n"] for m in batch))
    slots = [order.slot() for _ in range(5)]
    order.deliver(slots[2], [msg(2)])
    order.deliver(slots[1], [msg(1)])
    assert published == []  # slot 0 is still being built
    order.deliver(slots[0], [msg(0)])
    assert published == [0, 1, 2]
    order.deliver(slots[4], [msg(4)])
    order.deliver(slots[3], [])  # a transaction that had nothing to say (or failed)
    assert published == [0, 1, 2, 4]


def test_many_threads_in_commit_order():
    published: list[int] = []
    order = InOrder(lambda batch: published.extend(m.payload["n"] for m in batch))
    lock = threading.Lock()  # stands for the writer lock: slots are taken in commit order

    def writer() -> None:
        for _ in range(200):
            with lock:
                slot = order.slot()
            if random.random() < 0.3:
                threading.Event().wait(0.0005)  # a slow answer
            order.deliver(slot, [msg(slot)])

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert published == list(range(1200))
