"""nbgrader configuration for the course.

nbgrader's own tree ({source,release,submitted,autograded}/...) lives in the git-ignored
autograder/work/ folder; `rnn-course release` copies the released notebooks out to a flat
course/ folder. One assignment per notebook, named after the notebook stem ("03_bptt").
"""
import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = os.path.join(HERE, "work")
c.CourseDirectory.course_id = "rnn-interview-course"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "work", "gradebook.db")

# What a released solution cell looks like.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Learners may delete a test cell: put it back from the source and grade it.
c.OverwriteCells.add_missing_cells = True
c.OverwriteCells.add_missing_cells_to_gradebook = False

# Per-cell limit; the wall-clock and memory limits are enforced by rnn_course.batch.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0
# A busy machine (a workshop batch on two cores) must not turn slow output into a failure.
c.Execute.startup_timeout = 180
c.Execute.iopub_timeout = 30

# The Validate button in JupyterLab runs every cell; keep it quiet about passing tests.
c.Validator.validate_all = False
