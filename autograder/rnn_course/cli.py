"""`rnn-course`: release the course, self-grade a notebook, grade a class."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .batch import Limits


def _limits(a) -> Limits:
    return Limits(cell_timeout=a.cell_timeout, wall_timeout=a.timeout, memory_mb=a.memory_mb)


def _add_limits(p):
    p.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    p.add_argument("--timeout", type=float, default=300, help="seconds per notebook (default 300)")
    p.add_argument("--memory-mb", type=float, default=3072, help="memory per grading job in MiB (default 3072)")


def cmd_release(a) -> int:
    from .paths import resolve_stem
    from .release import release
    stems = [resolve_stem(s) for s in a.notebooks] or None
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
    from .report import auto_totals, write_csv, write_feedback
    results = grade_folder(Path(a.submissions), _limits(a), a.jobs, progress=not a.quiet)
    out = Path(a.out)
    write_csv(results, out)
    import json
    from .stats import sidecar
    sidecar(out).write_text(json.dumps(results, indent=1))
    fb_dir = Path(a.feedback) if a.feedback else out.with_name(out.stem + "_feedback")
    for r in results:
        write_feedback(r, fb_dir / r["learner"] / f"{r['stem']}.html")
    by_status = {}
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    learners = sorted({r["learner"] for r in results})
    for learner in learners:
        got = sum(auto_totals(r)[0] for r in results if r["learner"] == learner)
        most = sum(auto_totals(r)[1] for r in results if r["learner"] == learner)
        print(f"{learner:<20} {got:g} / {most:g}")
    print(f"{len(results)} notebooks: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())))
    print(f"grades: {out}\nfeedback: {fb_dir}/")
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
    png = chart(rows, Path(a.png) if a.png else folder / ".progress" / "progress.png")
    print(f"chart: {png}")
    return 0


def cmd_stats(a) -> int:
    from .stats import chart, compute, table
    csv_path = Path(a.csv)
    if not csv_path.exists():
        print(f"rnn-course stats: {csv_path} does not exist (make it with `rnn-course grade`)", file=sys.stderr)
        return 2
    stats = compute(csv_path)
    print(table(stats))
    png = chart(stats, Path(a.png) if a.png else csv_path.with_name(csv_path.stem + "_stats.png"))
    print(f"chart: {png}")
    return 0


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


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="rnn-course", description=__doc__)
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
    _add_limits(g)
    g.set_defaults(fn=cmd_grade)
    pr = sub.add_parser("progress", help="self-grade every changed notebook and show progress")
    pr.add_argument("folder", nargs="?", help="folder of course notebooks (default: course/)")
    pr.add_argument("--png", help="where to write the chart (default: <folder>/.progress/progress.png)")
    pr.add_argument("--jobs", type=int, default=None)
    _add_limits(pr)
    pr.set_defaults(fn=cmd_progress)
    st = sub.add_parser("stats", help="per-task class statistics from a grades CSV")
    st.add_argument("csv")
    st.add_argument("--png", help="chart file (default: <csv>_stats.png)")
    st.set_defaults(fn=cmd_stats)
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


if __name__ == "__main__":
    sys.exit(main())
