"""python -m codeinterview.sandbox build [--force] [--family F|--all] | tag [--family F] | clean

Exit status: 0 done, 2 a usage mistake, 3 the Docker engine (or an image
build) failed, as for the stages."""

import argparse
import sys

from ..cli_main import stage_prog
from ..errors import EXIT_INFRASTRUCTURE, InfrastructureError
from . import image, native_root
from .docker_backend import owned, remove_stray_containers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=stage_prog("sandbox"), description="The sandbox images (one per family).",
                                     epilog="examples:\n  %(prog)s build --all\n  %(prog)s tag --family cpp\n"
                                            "  %(prog)s clean", formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the sandbox image if missing (or --force)")
    b.add_argument("--force", action="store_true", help="rebuild even if the tag exists")
    b.add_argument("--family", default=image.BASE_FAMILY, choices=sorted(image.families()),
                   help="which image: base (python, javascript) or a compiled language's (default base)")
    b.add_argument("--all", action="store_true", help="build every family's image")
    b.add_argument("--jobs", type=int, default=2, metavar="N",
                   help="with --all: families built side by side (default 2)")
    t = sub.add_parser("tag", help="print the image tag for the current sandbox/ sources")
    t.add_argument("--family", default=image.BASE_FAMILY, choices=sorted(image.families()))
    sub.add_parser("clean", help="remove sandbox containers left by crashed runs, the "
                                 "images of earlier sandbox versions and their volumes")
    return parser


def fill_native_roots(tags: list[str], jobs: int) -> None:
    """Each image's native root volume, where the storage driver wants one
    (native_root.py): filled here, so that no grading run waits for it."""
    from concurrent.futures import ThreadPoolExecutor

    client = image.docker_client()
    if native_root.wanted(client):
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            list(pool.map(lambda tag: native_root.volume_for(client, tag, owned()), tags))


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "build":
            tags = image.build_all(args.force, args.jobs) if args.all else [
                image.build(force=args.force, family=args.family)]
            fill_native_roots(tags, args.jobs)
            for tag in tags:
                print(tag)
        elif args.command == "tag":
            print(image.image_tag(args.family))
        else:
            print("removed %d container(s)" % remove_stray_containers())
            old = image.remove_old_images()
            print("removed %d old image(s)%s" % (len(old), "".join("\n  " + t for t in old)))
            gone = native_root.remove_old_volumes(image.docker_client())
            print("removed %d old volume(s)%s" % (len(gone), "".join("\n  " + v for v in gone)))
    except InfrastructureError as exc:  # SandboxUnavailable: the engine is down, a build failed
        print("sandbox unavailable: %s" % exc, file=sys.stderr)
        return EXIT_INFRASTRUCTURE
    return 0


if __name__ == "__main__":
    sys.exit(main())
