"""Packaging beyond what pyproject.toml can say: the checkout's top-level data
folders ship inside the package as codeinterview/_data/<folder> (found at run
time through codeinterview.paths.data_dir), beside every code package found."""

from setuptools import find_packages, setup

DATA = ("sandbox", "interviews", "prompts", "model_parameters", "epochs")  # codeinterview.paths.SHIPPED

setup(
    packages=find_packages(include=["codeinterview", "codeinterview.*"]) + [f"codeinterview._data.{d}" for d in DATA],
    package_dir={f"codeinterview._data.{d}": d for d in DATA},
)
