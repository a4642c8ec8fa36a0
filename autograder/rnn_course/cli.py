"""`rnn-course`: release the course, self-grade a notebook, grade a class."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path



class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (and `--help` for the rest)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _stems(keys) -> list[str]:
    """Notebook numbers or names -> stems; UsageError naming the unknown one."""
    from .paths import resolve_stem
    out = []
    for key in keys:
        try:
            stem = resolve_stem(key)
        except KeyError as e:
            raise UsageError(e.args[0]) from None
        if stem not in out:
            out.append(stem)
    return out


def _limits(a):
    """The grading limits from the flags (batch, and with it nbformat, is imported only to grade)."""
    from .batch import Limits
    return Limits(cell_timeout=a.cell_timeout, wall_timeout=a.timeout, memory_mb=a.memory_mb)


def _add_limits(p):
    p.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    p.add_argument("--timeout", type=float, default=300, help="seconds per notebook (default 300)")
    p.add_argument("--memory-mb", type=float, default=3072, help="memory per grading job in MiB (default 3072)")


def cmd_release(a) -> int:
    from .release import release
    stems = _stems(a.notebooks) or None
    for path in release(stems):
        print(f"released {path}")
    return 0


def cmd_check(a) -> int:
    from .grading import NotACourseNotebook, check, locate
    from .report import table, write_feedback
    try:
        path, stem = locate(a.notebook)
    except NotACourseNotebook as e:
        print(f"rnn-course check: {e}", file=sys.stderr)
        return 2
    from .grading import locate_note, version_warning
    from .release import ensure_gradebook
    from .saved import notes as saved_notes
    where = locate_note(a.notebook)
    if where:
        print(f"note: {where}")
    ensure_gradebook([stem])
    warning = version_warning(path, stem)
    if warning:
        print(f"note: {warning}")
    for line in saved_notes(path):
        print(line)
    print(f"Grading {path} with the visible and hidden tests ...", flush=True)
    result = check(str(path), _limits(a))
    print(table(result))
    from .progress import record_check
    record_check(path, stem, result)
    fb = Path(a.feedback) if a.feedback else path.with_suffix(".feedback.html")
    write_feedback(result, fb)
    print(f"feedback: {fb}")
    return 0


def cmd_grade(a) -> int:
    from .grading import grade_folder
    from .manual import apply, carry_over, feedback_dir, known_from_plan, parse_manual, write_all
    from .totals import default_path, summary
    stems = _stems(a.notebooks) if a.notebooks else None
    subs, out = Path(a.submissions), Path(a.out)
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder; pass a CSV file name such as grades.csv")
    if not subs.exists():
        raise FileNotFoundError(f"{subs} does not exist (pass a folder of submissions <learner>/<NN_name>.ipynb)")
    if not subs.is_dir():
        raise NotADirectoryError(f"{subs} is a file; pass a folder of submissions <learner>/<NN_name>.ipynb "
                                 "(`rnn-course collect` arranges an LMS export)")
    entries = None
    if a.manual:                                  # validate before spending minutes on grading
        from .paths import solution_stems
        learners = sorted(p.name for p in subs.iterdir() if p.is_dir() and not p.name.startswith("."))
        entries = parse_manual(Path(a.manual), known_from_plan(learners, stems or solution_stems()))
    if a.cluster and a.jobs:
        print("note: --jobs is ignored with --cluster (each dask worker runs as many jobs as its threads)")
    results = grade_folder(subs, _limits(a), a.jobs, stems=stems, progress=not a.quiet, cluster=a.cluster)
    kept, changed = carry_over(results, out)
    if kept or changed:
        print(f"hand-graded scores from the previous {out.with_suffix('.json').name}: {kept} kept "
              f"(answer unchanged), {changed} to grade again (the answer changed)")
    if entries is not None:
        done, pending = apply(results, entries)
        print(f"hand-graded scores from {a.manual}: {done} folded in, {pending} still to grade")
    fb_dir = feedback_dir(out, a.feedback)
    totals = write_all(results, out, fb_dir, default_path(out))
    by_status = {}
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    from .report import CSV_COLUMNS, csv_rows
    print(summary([dict(zip(CSV_COLUMNS, row)) for row in csv_rows(results)]))
    graded = sorted({r["stem"] for r in results})
    print(f"{len(results)} notebooks ({len(graded)} per learner: {', '.join(s[:2] for s in graded)}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())))
    print(f"grades: {out}\ntotals: {totals}\nfeedback: {fb_dir}/")
    if not a.manual:
        print(f"hand grading: rnn-course answers {out}")
    return 0


def cmd_progress(a) -> int:
    from .progress import chart, collect, table
    from .workspace import folder as learner_folder
    folder, note = (Path(a.folder), None) if a.folder else learner_folder()
    if note:
        print(f"note: {note}")
    if not folder.is_dir():
        print(f"rnn-course progress: {folder} is not a folder of course notebooks", file=sys.stderr)
        return 2
    rows = collect(folder, _limits(a), a.jobs, progress=True)
    print(table(rows))
    from .progress import review_line
    print(review_line(folder))
    png = chart(rows, Path(a.png) if a.png else folder / ".progress" / "progress.png")
    print(f"chart: {png}")
    return 0


def cmd_stats(a) -> int:
    from .stats import chart, compute, heatmap, load, matrix_table, table
    csv_path = Path(a.csv)
    rows = load(csv_path, a.notebooks)
    stats = compute(rows)
    print(table(stats))
    print()
    print(matrix_table(rows))
    png = chart(stats, Path(a.png) if a.png else csv_path.with_name(csv_path.stem + "_stats.png"))
    hm = heatmap(rows, Path(a.matrix_png) if a.matrix_png else csv_path.with_name(csv_path.stem + "_matrix.png"))
    print(f"chart: {png}\nmatrix: {hm}")
    return 0


def cmd_answers(a) -> int:
    from .manual import load_results, write_answers
    from .report import read_csv
    csv_path = Path(a.csv)
    read_csv(csv_path)                                   # a grades file, or a clear error
    results = load_results(csv_path)
    out_dir = Path(a.out) if a.out else csv_path.with_name(csv_path.stem + "_answers")
    manual_csv = Path(a.manual) if a.manual else csv_path.with_name("manual.csv")
    pages = write_answers(results, out_dir, manual_csv, force=a.force)
    for page in pages:
        print(f"answers: {page}")
    print(f"to fill: {manual_csv} (score and comment per learner; then "
          f"`rnn-course merge {csv_path} {manual_csv}`)")
    return 0


def cmd_merge(a) -> int:
    from .manual import apply, feedback_dir, known_from_results, load_results, parse_manual, write_all
    from .report import CSV_COLUMNS, csv_rows, read_csv
    from .totals import summary
    csv_path = Path(a.csv)
    read_csv(csv_path)
    results = load_results(csv_path)
    entries = parse_manual(Path(a.manual), known_from_results(results))
    done, pending = apply(results, entries)
    fb_dir = feedback_dir(csv_path, a.feedback)
    totals = write_all(results, csv_path, fb_dir, Path(a.totals) if a.totals else None)
    print(summary([dict(zip(CSV_COLUMNS, row)) for row in csv_rows(results)]))
    print(f"{done} hand-graded scores folded in, {pending} still to grade")
    print(f"grades: {csv_path}\ntotals: {totals}\nfeedback: {fb_dir}/")
    return 0


def cmd_totals(a) -> int:
    from .report import read_csv
    from .totals import default_path, summary, write
    rows = read_csv(Path(a.csv))
    out = Path(a.out) if a.out else default_path(Path(a.csv))
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder; pass a CSV file name such as totals.csv")
    write(rows, out)
    print(summary(rows))
    print(f"totals: {out}")
    return 0


def cmd_collect(a) -> int:
    from .collect import collect
    report = collect(Path(a.export), Path(a.out), force=a.force, max_file_mb=a.max_file_mb,
                     max_total_mb=a.max_total_mb)
    for line in report.lines():
        print(line)
    print(f"submissions: {a.out} (grade them with `rnn-course grade {a.out}`)")
    return 0


def _add_instructor_commands(sub) -> None:
    an = sub.add_parser("answers", help="hand grading: one page of interview answers per notebook and manual.csv to fill")
    an.add_argument("csv", help="the grades CSV written by `rnn-course grade` (grades.json next to it)")
    an.add_argument("--out", help="folder for the pages (default: <csv>_answers/)")
    an.add_argument("--manual", help="the CSV to fill (default: manual.csv next to the grades)")
    an.add_argument("--force", action="store_true", help="rewrite an existing manual.csv")
    an.set_defaults(fn=cmd_answers)
    me = sub.add_parser("merge", help="fold a filled manual.csv into the grades, totals and feedback")
    me.add_argument("csv", help="the grades CSV written by `rnn-course grade`")
    me.add_argument("manual", help="the filled manual.csv (learner,notebook,task,score,comment)")
    me.add_argument("--feedback", help="feedback folder (default: <csv>_feedback/)")
    me.add_argument("--totals", help="totals CSV (default: <csv>_totals.csv)")
    me.set_defaults(fn=cmd_merge)
    to = sub.add_parser("totals", help="one row per learner: auto + manual points per notebook and overall")
    to.add_argument("csv")
    to.add_argument("--out", help="totals CSV (default: <csv>_totals.csv)")
    to.set_defaults(fn=cmd_totals)
    co = sub.add_parser("collect", help="arrange an LMS export (zip or folder) into OUT/<learner>/<NN_name>.ipynb")
    co.add_argument("export", help="a .zip or a folder as the LMS exports it")
    co.add_argument("out", help="the submissions folder to fill (created if missing)")
    co.add_argument("--force", action="store_true", help="replace submissions that are already in OUT")
    co.add_argument("--max-file-mb", type=float, default=50, help="largest notebook accepted (default 50 MiB)")
    co.add_argument("--max-total-mb", type=float, default=2048, help="largest unpacked export (default 2048 MiB)")
    co.set_defaults(fn=cmd_collect)


def cmd_workspace(a) -> int:
    from .workspace import create, workspace_dir
    made = create()
    for p in made:
        print(f"created {p}")
    print(f"workspace: {workspace_dir()} ({len(made)} new notebook(s); existing files are never overwritten)")
    return 0


def cmd_update(a) -> int:
    from .paths import resolve_stem
    from .update import update
    try:
        stems = [resolve_stem(s) for s in a.notebooks] or None
        reports = update(stems=stems)
    except (KeyError, FileNotFoundError) as e:
        print(f"rnn-course update: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    lines = [ln for r in reports for ln in r.lines()]
    print("\n".join(lines) if lines else "workspace/ is up to date with course/ (nothing to do)")
    lost = [r.stem for r in reports if r.lost]
    if lost:
        print("some of your cells could not be placed (named above); they are in the backup: "
              + ", ".join(str(r.backup) for r in reports if r.lost and r.backup))
    return 0


def cmd_reset(a) -> int:
    from .paths import resolve_stem
    from .workspace import reset
    try:
        stem = resolve_stem(a.notebook)
        path, saved = reset(stem)
    except (KeyError, FileNotFoundError) as e:
        print(f"rnn-course reset: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    print(f"restored {path} from the release" + (f"; your version is saved as {saved}" if saved else ""))
    return 0


def cmd_solution(a) -> int:
    from .solution import show
    return show(a.notebook, force=a.force)


def cmd_lab(a) -> int:
    from .lab import main as lab_main
    return lab_main(port=a.port, open_path=a.open)


def _run(argv=None) -> int:
    p = _Parser(prog="rnn-course", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="regenerate course/ from solutions/ (nbgrader generate_assignment)")
    r.add_argument("notebooks", nargs="*", help="numbers or names (default: all)")
    r.set_defaults(fn=cmd_release)
    c = sub.add_parser("check", help="self-grade one learner notebook (visible + hidden tests)")
    c.add_argument("notebook", help="a path like course/03_bptt.ipynb, or a number like 03")
    c.add_argument("--feedback", help="where to write the HTML feedback (default: next to the notebook)")
    _add_limits(c)
    c.set_defaults(fn=cmd_check)
    g = sub.add_parser("grade", help="grade SUBMISSIONS/<learner>/<NN_name>.ipynb for every learner")
    g.add_argument("submissions")
    g.add_argument("--out", default="grades.csv", help="CSV file (default grades.csv)")
    g.add_argument("--feedback", help="folder for HTML feedback (default: <out>_feedback/)")
    g.add_argument("--jobs", type=int, default=None, help="parallel workers (default: number of cores)")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.add_argument("--notebooks", nargs="+", metavar="NN", help="grade only these notebooks (numbers or names)")
    g.add_argument("--manual", help="a filled manual.csv to fold in (see `rnn-course answers`)")
    g.add_argument("--cluster", metavar="tcp://HOST:8786",
                   help="grade on the workers of this dask.distributed scheduler (see autograder/README.md)")
    _add_limits(g)
    g.set_defaults(fn=cmd_grade)
    pr = sub.add_parser("progress", help="self-grade every changed notebook and show progress")
    pr.add_argument("folder", nargs="?", help="folder of course notebooks (default: workspace/)")
    pr.add_argument("--png", help="where to write the chart (default: <folder>/.progress/progress.png)")
    pr.add_argument("--jobs", type=int, default=None)
    _add_limits(pr)
    pr.set_defaults(fn=cmd_progress)
    st = sub.add_parser("stats", help="per-task class statistics and a learner x task matrix from a grades CSV")
    st.add_argument("csv")
    st.add_argument("--png", help="chart file (default: <csv>_stats.png)")
    st.add_argument("--matrix-png", help="learner x task heatmap (default: <csv>_matrix.png)")
    st.add_argument("--notebooks", nargs="+", metavar="NN", help="only these of the graded notebooks")
    st.set_defaults(fn=cmd_stats)
    _add_instructor_commands(sub)
    d = sub.add_parser("doctor", help="check that this machine is ready for the course")
    d.set_defaults(fn=lambda a: __import__("rnn_course.doctor", fromlist=["doctor"]).doctor())
    sl = sub.add_parser("setup-lab", help="turn off nbgrader's exchange-based pages for a single learner")
    sl.set_defaults(fn=lambda a: __import__("rnn_course.doctor", fromlist=["setup_lab"]).setup_lab())
    w = sub.add_parser("workspace", help="create workspace/ from course/ (missing notebooks only)")
    w.set_defaults(fn=cmd_workspace)
    u = sub.add_parser("update", help="bring a newer release into workspace/, keeping your cells (backup first)")
    u.add_argument("notebooks", nargs="*", help="numbers or names (default: all)")
    u.set_defaults(fn=cmd_update)
    rs = sub.add_parser("reset", help="restore workspace/NN from the release (your file is backed up)")
    rs.add_argument("notebook", help="a number like 06 or a name")
    rs.set_defaults(fn=cmd_reset)
    so = sub.add_parser("solution", help="the reference code and rubric of a notebook you have attempted")
    so.add_argument("notebook", help="a number like 06 or a name")
    so.add_argument("--force", action="store_true", help="show it even if you have not attempted it")
    so.set_defaults(fn=cmd_solution)
    lb = sub.add_parser("lab", help="create workspace/ and start JupyterLab on it (prints the URL)")
    lb.add_argument("--port", type=int, default=8888, help="first port to try (default 8888)")
    lb.add_argument("--open", default="00_index.ipynb", help="notebook to open (default 00_index.ipynb)")
    lb.set_defaults(fn=cmd_lab)
    a = p.parse_args(argv)
    return a.fn(a)


KNOWN = {"NotACourseNotebook", "NoSubmissions", "NotAGradesFile", "ManualError", "CollectError", "ClusterError"}


def _known(e: BaseException) -> bool:
    """Bad input (as opposed to a bug): our own error classes and missing or misplaced paths."""
    if isinstance(e, (UsageError, FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)):
        return True
    return any(c.__name__ in KNOWN and c.__module__.startswith("rnn_course") for c in type(e).__mro__)


def main(argv=None) -> int:
    """Run a command; known bad input is one line on stderr and exit status 2, never a traceback.

    Anything unexpected is one line too (exit status 1); RNN_COURSE_DEBUG=1 shows its traceback.
    """
    import os
    cmd = next((x for x in (argv if argv is not None else sys.argv[1:]) if not x.startswith("-")), "")
    prog = f"rnn-course {cmd}".strip()
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - every error becomes one line
        if os.environ.get("RNN_COURSE_DEBUG"):
            raise
        msg = e.args[0] if isinstance(e, (UsageError, KeyError)) and e.args else str(e)
        if isinstance(e, OSError) and e.filename and e.strerror:
            msg = f"{e.filename}: {e.strerror}"
        msg = " ".join(str(msg).split()) or type(e).__name__
        if _known(e):
            print(f"{prog}: {msg}", file=sys.stderr)
            return 2
        print(f"{prog}: unexpected error: {type(e).__name__}: {msg} "
              "(RNN_COURSE_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
