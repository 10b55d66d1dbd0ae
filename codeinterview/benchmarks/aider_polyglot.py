"""Aider's polyglot benchmark (Aider-AI/polyglot-benchmark): Exercism's
practice exercises in C++, Go, Java, JavaScript, Python and Rust, as exercise
questions (codeinterview/exercises). PATH is the repository's tar.gz or an
unpacked copy of it.

What the model is shown follows aider's benchmark/benchmark.py (run_test_real):
the instructions are .docs/introduction.md + instructions.md +
instructions.append.md, concatenated as they are; the files to edit are
.meta/config.json's `solution` files; the tests are its `test` files, always
the exercise's own. `editor` files (Go's cases_test.go, Java helpers) are
read-only helpers the tests need. The reference is `example` (paired with the
solution files by name, else by extension). A language's build files the
sandbox uses (go.mod, Cargo.toml) come as read-only support files; the test
harnesses aider copies in (Catch's header and main, Gradle, node_modules) are
the sandbox image's, not the exercise's.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import tarfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from ..errors import UserError
from ..questions import Suite, question_from_fields
from .common import file_hash, no_split

LANGUAGES = ("cpp", "go", "java", "javascript", "python", "rust")
DOCS = (".docs/introduction.md", ".docs/instructions.md", ".docs/instructions.append.md")
SUPPORT = {"go": ("go.mod",), "rust": ("Cargo.toml",)}  # build files of the exercise the sandbox runs with
# Files in an exercise's folder that its config does not name are still part of what aider runs
# (it copies the whole folder): test files by these patterns, any other file as a read-only
# helper (Rust's src/pre_implemented.rs, JavaScript grep's data/*.txt), but for the build
# harnesses the sandbox brings itself (Catch, Gradle, npm and babel configuration).
EXTRA_TESTS = {"go": r"[^/]*_test\.go", "rust": r"tests/[^/]*\.rs", "java": r"src/test/.*\.java",
               "javascript": r"[^/]*\.spec\.js", "python": r"[^/]*_test\.py", "cpp": r"[^/]*_test\.cpp"}
HARNESS = re.compile(r"CMakeLists\.txt|test/catch\.hpp|test/tests-main\.cpp|build\.gradle|gradlew(?:\.bat)?|"
                     r"gradle/.*|settings\.gradle|package(?:-lock)?\.json|babel\.config\.js|LICENSE")


class Tree:
    """The benchmark's files, from a tar.gz or a folder: {path under the repository root: text}."""

    def __init__(self, path: Path):
        self.files: dict[str, str] = {}
        if path.is_dir():
            root = path / "polyglot-benchmark" if (path / "polyglot-benchmark").is_dir() else path
            for file in root.rglob("*"):
                if file.is_file() and "exercises" in file.parts:
                    self._add(file.relative_to(root).as_posix(), file.read_bytes())
        else:
            try:
                with tarfile.open(path, "r:*") as tar:
                    for member in tar:
                        if member.isfile() and "/exercises/" in member.name:
                            data = tar.extractfile(member)
                            if data is not None:
                                name = PurePosixPath(member.name)
                                self._add(PurePosixPath(*name.parts[1:]).as_posix(), data.read())
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise UserError(f"{path}: cannot read it as the benchmark's tar.gz ({exc})") from None

    def _add(self, rel: str, data: bytes) -> None:
        try:
            self.files[rel] = data.decode("utf-8")
        except UnicodeDecodeError:
            pass  # binary files (none a test needs)

    def folder(self, folder: str) -> list[str]:
        """The paths of every (text) file under an exercise's folder, relative to it, sorted."""
        prefix = folder + "/"
        return sorted(rel[len(prefix):] for rel in self.files if rel.startswith(prefix))

    def exercises(self, language: str) -> Iterator[tuple[str, str]]:
        """(slug, folder) of each exercise of a language, sorted."""
        prefix = f"{language}/exercises/practice/"
        slugs = sorted({rel[len(prefix):].split("/", 1)[0] for rel in self.files
                        if rel.startswith(prefix) and rel.endswith("/.meta/config.json")})
        for slug in slugs:
            yield slug, prefix + slug


def pair_reference(solution: list[str], example: list[str], support: dict[str, str],
                   where: str) -> dict[str, str]:
    """example path -> where that file goes: the solution file it solves (one of
    each, or the same file name, or the one solution file of its extension),
    else beside the first solution file (Java's references add classes of their
    own); the reference's copy of a read-only helper is left out."""
    if len(solution) == 1 and len(example) == 1:
        return {example[0]: solution[0]}
    pairs = {}
    claimed = {s for ex in example for s in solution if posixpath.basename(s) == posixpath.basename(ex)}
    for ex in example:
        name, ext = posixpath.basename(ex), posixpath.splitext(ex)[1]
        match = [s for s in solution if posixpath.basename(s) == name]
        same_ext = [e for e in example if posixpath.splitext(e)[1] == ext]
        if not match and len(same_ext) == 1:
            match = [s for s in solution if posixpath.splitext(s)[1] == ext and s not in claimed]
        if len(match) == 1:
            pairs[ex] = match[0]
            continue
        beside = posixpath.join(posixpath.dirname(solution[0]), name)
        if beside in support:
            continue
        if beside in solution or beside in pairs.values():
            raise UserError(f"{where}: cannot tell which solution file {ex} is the reference for")
        pairs[ex] = beside
    return pairs


def exercise_fields(tree: Tree, language: str, slug: str, folder: str) -> dict:
    where = f"{folder}/.meta/config.json"
    try:
        config = json.loads(tree.files[where])
        files = config["files"]
        solution, tests = list(files["solution"]), list(files["test"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{where}: no solution and test files listed ({exc})") from None
    read = lambda rel: tree.files.get(f"{folder}/{rel}")  # noqa: E731
    # Rust lists Cargo.toml as a solution file; the build's dependencies stay ours (never the answer's)
    solution = [rel for rel in solution if rel not in SUPPORT.get(language, ())]
    missing = [rel for rel in [*solution, *tests, *files.get("example", [])] if read(rel) is None]
    if missing:
        raise UserError(f"{where}: names {missing[0]}, which the exercise does not have")
    if read(".docs/instructions.md") is None:
        raise UserError(f"{folder}: no .docs/instructions.md")
    editor = [rel for rel in files.get("editor", []) if read(rel) is not None]
    support: dict[str, str] = {rel: tree.files[f"{folder}/{rel}"] for rel in [*editor, *SUPPORT.get(language, ())]
                               if read(rel) is not None}
    named = {*solution, *tests, *files.get("example", []), *support, *SUPPORT.get(language, ())}
    for rel in tree.folder(folder):
        if rel in named or rel.startswith(".") or "/." in rel or HARNESS.fullmatch(rel):
            continue
        if re.fullmatch(EXTRA_TESTS[language], rel):
            tests.append(rel)
        else:
            support[rel] = tree.files[f"{folder}/{rel}"]
    reference = {target: read(ex) for ex, target in
                 pair_reference(solution, list(files.get("example", [])), support, where).items()}
    return {
        "Kind": "exercise", "TaskId": f"{language}/{slug}", "Language": language,
        "Instructions": "".join(read(doc) or "" for doc in DOCS),
        "Solution": {rel: read(rel) for rel in solution},
        "Tests": {rel: read(rel) for rel in tests},
        "Support": support, "Shown": editor, "Reference": reference,
    }


def load(path: Path, split: str | None) -> Suite:
    no_split("aider-polyglot", split)
    tree = Tree(path)
    suite = Suite(name="aider-polyglot", path=path, hash=_hash(path, tree))
    for language in LANGUAGES:
        for slug, folder in tree.exercises(language):
            fields = exercise_fields(tree, language, slug, folder)
            suite.questions.append(question_from_fields(f"{language}/{slug}", fields, suite.name,
                                                        f"{path}:{folder}"))
    if not suite.questions:
        raise UserError(f"{path}: no exercises found (expected <language>/exercises/practice/<slug>/)")
    return suite


def _hash(path: Path, tree: Tree) -> str:
    if path.is_file():
        return file_hash(path)
    digest = hashlib.sha256()
    for rel in sorted(tree.files):
        digest.update(rel.encode() + b"\0" + tree.files[rel].encode() + b"\0")
    return digest.hexdigest()[:12]
