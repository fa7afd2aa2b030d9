"""Prove the leak suite bites: make each policy rule allow everything in turn; the suite must fail for each.

    .venv/bin/python -m tests.policy_mutants            # every rule
    .venv/bin/python -m tests.policy_mutants post_state  # some rules

For each rule in forum/policy.py it copies the working tree to a temporary folder, puts `return
<allow everything>` at the top of that one function, and runs the trust tests there (the policy's
truth table and the leak suites) until the first failure. A mutant that passes them all
"survived": a rule the tests do not hold, printed at the end; the exit status is then 1.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = Path("forum/policy.py")
TESTS = ["tests/unit/test_policy_truth_table.py", "tests/functional/test_leaks.py",
         "tests/functional/test_leaks_posts.py"]

# What "allows everything" means for each rule: every space readable, every post shown in full, every
# author's real name revealed, every filter true.
EVERYTHING = {
    "can_view_space": "True",
    "can_see_space_exists": "True",
    "readable_space_filter": "true()",
    "listed_space_filter": "true()",
    "can_view_thread": "True",
    "moderated_space_filter": "true()",
    "is_published": "True",
    "post_state": "SHOWN",
    "can_view_post_body": "True",
    "can_see_waiting": "True",
    "can_see_thread_exists": "True",
    "listed_post_filter": "true()",
    "listed_posts_in": "true()",
    "shown_post_filter": "true()",
    "published_post_filter": "true()",
    "listed_thread_filter": "true()",
    "byline": "Byline(_related(post, 'author', Member, post.author_id).display_name) if post.author_id else "
              "Byline(_related(post, 'speaker', Speaker, post.speaker_id).display_name) if post.speaker_id else "
              "Byline(str(FORMER_MEMBER_NAME))",
    "editor_name": "editor.display_name if editor is not None else None",
    "thread_author_id": "posts_author_id",
    "can_post_in_space": "True",
    "can_reply": "True",
    "can_edit_post": "True",
    "can_moderate_space": "True",
    "moderates_anything": "True",
    "can_administer": "True",
    "can_read_mail_log": "True",
}


def mutate(source: str, name: str) -> str:
    """The policy's source with `name` returning EVERYTHING[name] before anything else it does."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            line = node.body[0].lineno
            if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                line = node.body[0].end_lineno + 1  # after the docstring
            lines = source.splitlines(keepends=True)
            indent = " " * (node.col_offset + 4)
            lines.insert(line - 1, f"{indent}return {EVERYTHING[name]}\n")
            return "".join(lines)
    raise SystemExit(f"forum/policy.py has no function {name}")


def run(name: str, workdir: Path) -> tuple[bool, str]:
    """Run the trust tests against one mutant; (survived, the first failure's line)."""
    shutil.copyfile(ROOT / POLICY, workdir / POLICY)
    (workdir / POLICY).write_text(mutate((ROOT / POLICY).read_text(), name))
    env = {**os.environ, "PYTHONPATH": str(workdir)}
    tests = [t for t in TESTS if (workdir / t).exists()]
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                            cwd=workdir, env=env, capture_output=True, text=True)
    failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return result.returncode == 0, (failed[0] if failed else result.stdout.strip().splitlines()[-1])


def main(names: list[str]) -> int:
    names = names or list(EVERYTHING)
    survivors = []
    with tempfile.TemporaryDirectory(prefix="policy-mutants-") as tmp:
        workdir = Path(tmp) / "tree"
        shutil.copytree(ROOT, workdir, ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "build",
                                                                     "bench", "instance", "__pycache__"))
        check = subprocess.run([sys.executable, "-c", "import forum; print(forum.__file__)"], cwd=workdir,
                               env={**os.environ, "PYTHONPATH": str(workdir)}, capture_output=True, text=True)
        if not check.stdout.startswith(str(workdir)):
            raise SystemExit(f"the copy's forum package is not the one imported: {check.stdout or check.stderr}")
        for name in names:
            started = time.monotonic()
            survived, detail = run(name, workdir)
            print(f"{name:24} {'SURVIVED' if survived else 'killed  '} {time.monotonic() - started:5.0f} s  {detail}",
                  flush=True)
            if survived:
                survivors.append(name)
    print(f"\n{len(names) - len(survivors)} of {len(names)} mutants killed"
          + (f"; survived: {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
