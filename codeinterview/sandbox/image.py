"""Build the sandbox images, on machines with a registry or without one.

One image per family: "base" (python3 and node) and one per compiled
language family (its toolchain's Debian packages on top, plus what
sandbox/toolchains/<family>.sh prepares, such as prebuilt libraries), each
built when first needed. A tag carries a hash of the shared runner, the
Dockerfile, the runner modules of the family's own languages and the
family's packages and script, so editing any of them yields a new tag and
ensure_image() rebuilds on first use; editing another family's language
leaves the tag (and a grading run's identity, which names the tags of its
languages' families) as it was. Without a pullable base, the
base root filesystem comes from mmdebstrap and the machine's own apt
sources, imported as a local image.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable

from ..paths import data_dir
from .types import SandboxUnavailable

SANDBOX_DIR = Path(os.environ.get("CODEINTERVIEW_SANDBOX_DIR") or data_dir("sandbox"))
IMAGE_REPO = "codeinterview-sandbox"
BASE_REPO = "codeinterview-sandbox-base"
DEFAULT_BASE = "debian:bookworm-slim"
SUITE = "bookworm"
BASE_PACKAGES = ("python3", "nodejs", "passwd")
BASE_FAMILY = "base"
LABEL = "codeinterview.sandbox"


def _log(msg: str) -> None:
    print("[sandbox] " + msg, file=sys.stderr, flush=True)


def docker_client():
    import docker

    try:
        client = docker.from_env(timeout=120)
        client.ping()
        return client
    except Exception as exc:  # DockerException, connection errors
        raise SandboxUnavailable("Docker engine not reachable: %s" % exc) from exc


def families() -> dict[str, tuple[str, ...]]:
    """Image family -> the Debian packages its languages add to the base."""
    from .. import languages

    found: dict[str, tuple[str, ...]] = {BASE_FAMILY: ()}
    for language in languages.all_languages():
        found[language.image] = tuple(sorted(set(found.get(language.image, ())) | set(language.packages)))
    return found


def packages(family: str) -> tuple[str, ...]:
    table = families()
    if family not in table:
        raise SandboxUnavailable("unknown sandbox image family %r; known: %s" % (family, ", ".join(table)))
    return BASE_PACKAGES + table[family]


def language_families(names: Iterable[str]) -> list[str]:
    """The image families the named languages run in (unknown names are left out:
    grading them fails with its own message)."""
    from .. import languages

    return sorted({languages.get(name).image for name in set(names) if languages.is_known(name)})


def _other_families_runners(family: str) -> set[Path]:
    """The runner modules of languages that run in another family's image."""
    from .. import languages

    return {SANDBOX_DIR / "runner" / "langs" / f"{language.name}.py"
            for language in languages.all_languages() if language.image != family}


def _files(family: str):
    others = _other_families_runners(family)
    for path in sorted(SANDBOX_DIR.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if path.parent.name == "toolchains" and path.stem != family:
            continue  # another family's script: not part of this image
        if path in others:
            continue  # another family's language: never run in this image
        yield path


def source_hash(family: str = BASE_FAMILY) -> str:
    digest = hashlib.sha256()
    if family != BASE_FAMILY:
        digest.update(repr(packages(family)).encode())
    for path in _files(family):
        digest.update(str(path.relative_to(SANDBOX_DIR)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def image_tag(family: str = BASE_FAMILY) -> str:
    if not (SANDBOX_DIR / "Dockerfile").exists():
        raise SandboxUnavailable("sandbox/Dockerfile not found under %s" % SANDBOX_DIR)
    prefix = "" if family == BASE_FAMILY else family + "-"
    return "%s:%s%s" % (IMAGE_REPO, prefix, source_hash(family)[:12])


def image_tags() -> dict[str, str]:
    """The current tag of every family."""
    return {family: image_tag(family) for family in families()}


def _exists(client, ref: str) -> bool:
    import docker

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def apt_sources() -> list[str]:
    """The machine's enabled apt source files that name our suite."""
    files = glob.glob("/etc/apt/sources.list.d/*.sources") + glob.glob("/etc/apt/sources.list.d/*.list")
    files.append("/etc/apt/sources.list")
    found = []
    for name in sorted(files):
        try:
            text = Path(name).read_text()
        except OSError:
            continue
        if SUITE in text:
            found.append(name)
    return found


def _ensure_mmdebstrap() -> str:
    tool = shutil.which("mmdebstrap")
    if tool:
        return tool
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _log("installing mmdebstrap with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "mmdebstrap"]
        if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            # a fresh machine may have no package lists yet
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.run(install, env=env, stdout=subprocess.DEVNULL)
        tool = shutil.which("mmdebstrap")
    if not tool:
        raise SandboxUnavailable("no base image %s and mmdebstrap is not installed "
                                 "(apt-get install mmdebstrap)" % DEFAULT_BASE)
    return tool


def build_base(client, family: str = BASE_FAMILY) -> str:
    """Debootstrap a minimal root with the family's packages with mmdebstrap and
    import it; returns its tag."""
    sources = apt_sources()
    if not sources:
        raise SandboxUnavailable("no apt sources for %s found under /etc/apt" % SUITE)
    include = packages(family)
    digest = hashlib.sha256(repr(include).encode())
    for name in sources:
        digest.update(Path(name).read_bytes())
    tag = "%s:%s" % (BASE_REPO, digest.hexdigest()[:12])
    if _exists(client, tag):
        return tag
    tool = _ensure_mmdebstrap()
    with tempfile.TemporaryDirectory(prefix="codeinterview-base-") as tmp:
        tar = os.path.join(tmp, "rootfs.tar")
        cmd = [tool, "--variant=minbase", "--include=" + ",".join(include),
               '--aptopt=APT::Install-Recommends "false"',
               # openjdk's postinst needs the man folder the excludes below leave out
               '--essential-hook=mkdir -p "$1/usr/share/man/man1"',
               "--dpkgopt=path-exclude=/usr/share/doc/*",
               "--dpkgopt=path-exclude=/usr/share/man/*",
               "--dpkgopt=path-exclude=/usr/share/locale/*",
               "--dpkgopt=path-exclude=/usr/share/info/*",
               SUITE, tar, *sources]
        _log("building the %s root filesystem with mmdebstrap (a minute or more)" % family)
        start = time.monotonic()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise SandboxUnavailable("mmdebstrap failed:\n" + proc.stdout[-3000:])
        _log("mmdebstrap done in %.0f s; importing as %s" % (time.monotonic() - start, tag))
        repo, _, version = tag.partition(":")
        client.api.import_image_from_file(tar, repository=repo, tag=version,
                                          changes=["LABEL %s=1" % LABEL])
    return tag


def _docker_build(client, tag: str, base: str, family: str) -> None:
    _log("building %s on %s" % (tag, base))
    error = None
    args = {"BASE": base, "FAMILY": family, "PACKAGES": " ".join(packages(family))}
    for chunk in client.api.build(path=str(SANDBOX_DIR), tag=tag, buildargs=args,
                                  rm=True, forcerm=True, pull=False, decode=True,
                                  labels={LABEL: "1"}):
        if "error" in chunk:
            error = chunk["error"]
        text = chunk.get("stream", "").strip()
        if text.startswith("Step "):
            _log(text)
    if error or not _exists(client, tag):
        raise SandboxUnavailable("docker build failed: %s" % (error or "no image produced"))


@contextlib.contextmanager
def host_lock(name: str):
    """One holder per machine: several processes (test workers, evaluate runs)
    may ask at once for what must be made once (an image, a volume)."""
    path = os.path.join(tempfile.gettempdir(), "codeinterview-sandbox-%s.lock" % name)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build(force: bool = False, client=None, family: str = BASE_FAMILY) -> str:
    """Build (or with force, rebuild) a family's image for the current sandbox/ sources."""
    client = client or docker_client()
    tag = image_tag(family)
    with host_lock("build-" + family):  # one builder per family; families build side by side
        if not force and _exists(client, tag):
            return tag
        start = time.monotonic()
        base = DEFAULT_BASE if _exists(client, DEFAULT_BASE) else build_base(client, family)
        _docker_build(client, tag, base, family)
        _log("image %s ready in %.0f s" % (tag, time.monotonic() - start))
    return tag


# families that take longest first, so that side-by-side builds end together (rust compiles its crates)
BUILD_ORDER = ("rust", "go", "java", BASE_FAMILY, "cpp")


def build_all(force: bool = False, jobs: int = 2) -> list[str]:
    """Every family's image, `jobs` at a time (a build waits on downloads and dpkg as
    much as on the CPU, so two overlap well on two cores); their tags, by family name."""
    from concurrent.futures import ThreadPoolExecutor

    client = docker_client()
    wanted = sorted(families(), key=lambda f: (BUILD_ORDER.index(f) if f in BUILD_ORDER else -1, f))
    if any(not _exists(client, image_tag(f)) or force for f in wanted) and not _exists(client, DEFAULT_BASE):
        _ensure_mmdebstrap()  # once, before builders might each try to install it
    with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="build") as pool:
        tags = dict(zip(wanted, pool.map(lambda f: build(force=force, client=client, family=f), wanted)))
    return [tags[f] for f in sorted(tags)]


def ensure_image(client=None, family: str = BASE_FAMILY) -> str:
    """A family's current image tag, building it first if it is missing."""
    client = client or docker_client()
    tag = image_tag(family)
    if _exists(client, tag):
        return tag
    return build(client=client, family=family)


def remove_old_images(client=None) -> list[str]:
    """Untag sandbox images built from earlier sandbox/ sources (Docker deletes
    an image with its last tag); one that a container still uses is kept. The
    base images stay: they depend only on the package list and apt sources."""
    import docker

    client = client or docker_client()
    current = set(image_tags().values())
    removed = []
    for img in client.images.list(name=IMAGE_REPO):
        for tag in img.tags:
            if tag.startswith(IMAGE_REPO + ":") and tag not in current:
                try:
                    client.images.remove(tag)
                    removed.append(tag)
                except docker.errors.APIError as exc:
                    _log("kept %s: %s" % (tag, exc.explanation or exc))
    return removed
