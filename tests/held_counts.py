"""Background counts held by events, for tests of what requests see while they are made (api.background_counts)."""

from __future__ import annotations

import threading

from long_work import SOON


def hold_counts(monkeypatch, module, turns: int = 1) -> tuple[list[threading.Event], list[threading.Event]]:
    """`module._count` held: each of its first `turns` calls sets its started event, then waits for its release
    event (or SOON, so that a test fails rather than hangs). The started and release events."""
    started = [threading.Event() for _ in range(turns)]
    release = [threading.Event() for _ in range(turns)]
    original = module._count

    def held(*args):
        turn = next((index for index, event in enumerate(started) if not event.is_set()), None)
        if turn is not None:
            started[turn].set()
            release[turn].wait(SOON)
        return original(*args)

    monkeypatch.setattr(module, "_count", held)
    return started, release


def void_asked(app) -> tuple[threading.Thread, list]:
    """A GET of the app's VoID (N-Triples) under way in a thread of its own: the thread, and the list that gets
    its response."""
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(app.test_client().get(
        "/.well-known/void", headers={"Accept": "application/n-triples"})))
    thread.start()
    return thread, answers
