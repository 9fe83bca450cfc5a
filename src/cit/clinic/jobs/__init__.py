"""Messages sent to patients at most once per key, and background work that does not get lost.

``lease``: a claim on a row that expires, so work whose worker died returns to the queue.
``actions.do_deliver_once``: one message (one channel) per dedupe key.
``recovery``: the sweep that fails and re-enqueues tasks stuck RUNNING.
"""
