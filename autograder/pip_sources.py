"""Print pip's package sources (its config files and PIP_* variables) as flags for `uv pip install`.

`make install` installs with uv (about 10 s instead of pip's 50 s on a fresh machine), from the
same sources pip would use: a machine whose pip reads wheels from a local folder or a mirror
(find-links, index URLs, a constraints file) gets the same packages from uv. Run by the Makefile
with the interpreter that creates .venv; prints nothing when pip has no such settings.
"""
import shlex
import subprocess
import sys

FLAGS = {"index-url": "--index-url", "extra-index-url": "--extra-index-url",
         "find-links": "--find-links", "constraint": "--constraint"}


def main() -> int:
    out = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                         capture_output=True, text=True).stdout
    pairs = {}                                       # (flag, value) in pip's order, once each
    for line in out.splitlines():                    # scope.key='value'
        key, _, value = line.partition("=")
        key, value = key.rsplit(".", 1)[-1], value.strip().strip("'\"").replace("\\n", " ")
        if key in FLAGS:
            for v in ([value] if key == "constraint" else value.split()):
                pairs[(FLAGS[key], v)] = None
        elif key == "no-index" and value.lower() in ("1", "true", "yes", "on"):
            pairs[("--no-index",)] = None
    print(" ".join(shlex.quote(part) for pair in pairs for part in pair))
    return 0


if __name__ == "__main__":
    sys.exit(main())
