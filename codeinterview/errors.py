"""The three kinds of failure a stage can end with, each with its own exit code.

- UserError (exit 2): a mistake in the user's input; one line naming the
  file and line or key and what to do.
- InfrastructureError (exit 3): something the run depends on failed (the
  sandbox, Docker, a model server past its retries); one line saying what,
  and that re-running the same command resumes.
- anything else is a bug: a traceback (exit 1).
"""

EXIT_USER_ERROR = 2
EXIT_INFRASTRUCTURE = 3


class UserError(Exception):
    """A mistake in the user's input (file, flag, question, template).

    The message names the file and line or key and says what to do; the stage
    scripts print it and exit with status 2.
    """


class InfrastructureError(Exception):
    """What the run depends on failed, not the user and not the answer: the
    stage scripts print it and exit with status 3; re-running resumes."""


def yaml_error(path, exc) -> UserError:
    """A one-line error for a YAML file that does not parse: file:line:col."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return UserError(f"{where}: not valid YAML: {problem}" + (f" ({context})" if context else ""))


def load_named_yaml(name_or_path: str, folder, what: str):
    """(path, data) for `folder/NAME.yaml` or a path to a YAML file; a missing
    file or bad YAML is a UserError that lists what `folder` offers."""
    from pathlib import Path

    import yaml

    path = Path(name_or_path)
    if not path.suffix:
        path = Path(folder) / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in Path(folder).glob("*.yaml")))
        raise UserError(f"{what} '{name_or_path}' not found (looked for {path}); known: {known}")
    try:
        return path, yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None
