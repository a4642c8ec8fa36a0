"""The nbgrader preprocessor that instruments the test cells of one grading job.

It runs in nbgrader's sanitizing steps right after OverwriteCells (rnn_course.engine): every
auto-graded test cell then holds the course's source from the gradebook, and gets the integrity
check (rnn_course.guard.prelude) at its top and its completion token at its bottom. The tokens
are made per job by the grader (rnn_course.engine.grade_prepared) and exist only in the
grader's process and, once that cell runs, in the source of their own test cell.
"""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, Unicode


class InjectTokens(NbGraderPreprocessor):
    """Prepend ``prelude`` and append ``print(TOKEN)`` to each test cell named in ``tokens``."""

    tokens = Dict(help="grade_id of each auto-graded test cell -> its completion token").tag(config=True)
    prelude = Unicode("", help="the integrity check run first in every test cell").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.metadata.get("nbgrader", {})
        token = self.tokens.get(meta.get("grade_id"))
        if token and cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.source = self.prelude + cell.source + f"\nprint({token!r})\n"
        return cell, resources
