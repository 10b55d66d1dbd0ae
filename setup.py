"""Packaging beyond what pyproject.toml can say: the checkout's top-level data
folders ship inside the package as codeinterview/_data/<folder> (found at run
time through codeinterview.paths.data_dir), beside every code package found.

Every folder that holds shipped files is listed as a package (a namespace
package where it has no __init__.py: codeinterview/html/templates,
sandbox/runner, ...), so setuptools installs its files as package data without
a warning; folders whose names Python cannot import (interviews/junior-dev) are
not packages, and their parent's package-data globs ('**/*.yaml') take them."""

from setuptools import find_namespace_packages, setup

DATA = ("sandbox", "interviews", "prompts", "model_parameters", "epochs")  # codeinterview.paths.SHIPPED
CACHES = ["*.__pycache__", "__pycache__"]


def data_packages(folder: str) -> list[str]:
    inside = find_namespace_packages(where=folder, exclude=CACHES)
    return [f"codeinterview._data.{folder}"] + [f"codeinterview._data.{folder}.{p}" for p in inside
                                                if all(part.isidentifier() for part in p.split("."))]


setup(
    packages=find_namespace_packages(include=["codeinterview", "codeinterview.*"], exclude=CACHES)
    + [p for d in DATA for p in data_packages(d)],
    package_dir={f"codeinterview._data.{d}": d for d in DATA},
)
