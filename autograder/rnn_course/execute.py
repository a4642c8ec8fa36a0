"""nbgrader's Execute step as grading runs it (rnn_course.engine._grading_steps).

Two differences, neither of which changes a score:

- the kernel's reply to each test cell is recorded here, outside the kernel (``replies``):
  a test cell passes only when its reply was "ok" (rnn_course.engine.score_executed);
- a kernel that dies is noticed within POLL seconds instead of nbclient's fixed second, which
  a submission that crashes its kernel would otherwise spend idle in every grading job.
"""
from __future__ import annotations

import asyncio

from nbgrader.preprocessors import Execute

from .manifest import nbg

POLL = 0.05                    # seconds between two looks at whether the kernel still lives


class GradingExecute(Execute):
    """nbgrader's Execute (configured as ``c.Execute``), recording each graded cell's reply."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.replies: dict = {}            # grade_id -> "ok" | "error" | "aborted"

    def on_cell_executed(self, **kwargs):
        cell = kwargs.get("cell")
        gid = nbg(cell).get("grade_id") if cell is not None else None
        if gid:
            self.replies[gid] = ((kwargs.get("execute_reply") or {}).get("content") or {}).get("status")
        return super().on_cell_executed(**kwargs)

    async def _async_poll_kernel_alive(self) -> None:
        """nbclient's own (``NotebookClient._async_poll_kernel_alive``) with POLL for its 1 s."""
        from nbclient.exceptions import DeadKernelError
        while True:
            await asyncio.sleep(POLL)
            try:
                await self._async_check_alive()
            except DeadKernelError:
                assert self.task_poll_for_reply is not None
                self.task_poll_for_reply.cancel()
                return
