"""Epochs: a named grid per generator, with the seed and instances to draw
it, so every model in one epoch answers the same questions and its
leaderboard compares like with like.

    codeinterview epoch --name e2 results/eval_*.ndjson   # propose e2 from graded runs
    prepare.py --epoch e2                                   # draw e2's questions

The proposal: per generator and knob, the easiest values that every row
(model, template, parameters) clears at the clear rate are dropped, and as
many harder values are added above the hardest (same spacing, up to what
the generator can draw). An epoch is a YAML file, epochs/NAME.yaml, that a
person may edit:

    epoch: e2
    seed: 7
    instances: 3
    previous: e1
    grids:
      vm: {length: [8, 12, 16], depth: [1, 2, 3]}
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import UserError, yaml_error
from ..paths import find_named
from ..questions import Suite
from . import get
from .grid import Grid, generated_suite, knob_values

if TYPE_CHECKING:  # surfaces reads eval files through the leaderboard (pandas): prepare --epoch needs neither
    from .surfaces import Surface

EPOCHS_DIR = Path("epochs")
PROPOSE_RATE = 0.9  # a value is dropped once every row passes at least 90% of its instances


@dataclass
class Epoch:
    name: str
    seed: int
    instances: int
    grids: list[Grid]
    previous: str | None = None

    def to_yaml(self) -> str:
        data: dict[str, Any] = {"epoch": self.name, "seed": self.seed, "instances": self.instances}
        if self.previous:
            data["previous"] = self.previous
        data["grids"] = {g.generator: {k: list(v) for k, v in g.values.items()} for g in self.grids}
        return "# an epoch of generated questions: prepare.py --epoch NAME draws it\n" + \
            yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


def epoch_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise UserError(f"--epoch {name_or_path}: no such file")
        return path
    found = find_named("epochs", name_or_path, ".yaml")  # ./epochs/ first, then the bundled ones
    if found is not None:
        return found
    raise UserError(f"--epoch {name_or_path}: not found in ./epochs/ (write one with `codeinterview epoch "
                    f"--name {name_or_path} EVAL...` or pass a path to a .yaml file)")


def load_epoch(name_or_path: str) -> Epoch:
    path = epoch_path(name_or_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None
    if not isinstance(data, dict) or not isinstance(data.get("grids"), dict) or not data["grids"]:
        raise UserError(f"{path}: an epoch needs 'grids: {{generator: {{knob: [values]}}}}'")
    for key in ("seed", "instances"):
        if not isinstance(data.get(key), int) or isinstance(data.get(key), bool):
            raise UserError(f"{path}: '{key}' must be an integer")
    grids = []
    for generator, knobs in data["grids"].items():
        gen = get(str(generator), f"{path}: grids")
        known = {k.name: k for k in gen.KNOBS}
        if not isinstance(knobs, dict) or set(knobs) != set(known):
            raise UserError(f"{path}: grids.{generator} must give values for exactly its knobs "
                            f"{', '.join(known)}")
        values = {}
        for knob in known:  # the generator's knob order, whatever the file's
            listed = knobs[knob] if isinstance(knobs[knob], list) else [knobs[knob]]
            values[knob] = knob_values("|".join(map(str, listed)), known[knob].floor, known[knob].limit,
                                       f"{path}: grids.{generator}.{knob}")
        grids.append(Grid(str(generator), values))
    return Epoch(str(data.get("epoch") or path.stem), data["seed"], data["instances"], grids,
                 data.get("previous"))


def epoch_suites(name_or_path: str) -> list[Suite]:
    epoch = load_epoch(name_or_path)
    return [generated_suite(grid, epoch.instances, epoch.seed, epoch.name) for grid in epoch.grids]


def next_values(values: list[int], cleared: set[int], step: int, limit: int) -> tuple[int, ...]:
    """Drop the easiest values every row clears (keeping at least the hardest), add as many above."""
    kept = list(values)
    while len(kept) > 1 and kept[0] in cleared:
        kept.pop(0)
    gap = values[-1] - values[-2] if len(values) > 1 else step
    while len(kept) < len(values) and kept[-1] + gap <= limit:
        kept.append(kept[-1] + gap)
    return tuple(kept)


def propose(surfaces: dict[tuple[str, str], Surface], rate: float = PROPOSE_RATE) -> list[Grid]:
    grids = []
    for generator in sorted({g.split("@")[0] for g, _ in surfaces}):
        rows = [s for (g, _), s in surfaces.items() if g.split("@")[0] == generator]
        gen = get(generator)
        values = {}
        for knob in gen.KNOBS:
            seen = sorted({v for s in rows if knob.name in s.knobs for v in s.values(knob.name)})
            if not seen:
                values[knob.name] = knob.default_values()
                continue
            cleared = {v for v in seen if all(s.marginal((knob.name,)).get((v,)) is not None and
                                               s.marginal((knob.name,))[(v,)].rate >= rate for s in rows)}
            values[knob.name] = next_values(seen, cleared, knob.step, knob.limit)
        grids.append(Grid(generator, values))
    return grids


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codeinterview epoch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("evals", nargs="+", type=Path, help="eval files of the current epoch's runs")
    parser.add_argument("--name", required=True, help="the new epoch's name (written to epochs/NAME.yaml)")
    parser.add_argument("--previous", help="the epoch these runs answered (recorded in the new one)")
    parser.add_argument("--seed", type=int, help="the new epoch's seed (default: drawn from its name)")
    parser.add_argument("--instances", type=int, default=3, help="questions per level (default 3)")
    parser.add_argument("--clear-rate", type=float, default=PROPOSE_RATE,
                        help=f"a value every row passes at this rate is dropped (default {PROPOSE_RATE})")
    parser.add_argument("--epochs-dir", type=Path, default=EPOCHS_DIR, help="where to write (default ./epochs)")
    parser.add_argument("--force", action="store_true", help="overwrite an epoch of that name")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.name.replace("-", "").replace("_", "").isalnum():
        raise UserError(f"--name {args.name}: use letters, digits, '-' and '_' (it names a file and suites)")
    if not 0 < args.clear_rate <= 1 or args.instances < 1:
        raise UserError("--clear-rate must be in (0, 1] and --instances at least 1")
    target = args.epochs_dir / f"{args.name}.yaml"
    if target.exists() and not args.force:
        raise UserError(f"{target} exists: pick another --name or pass --force to overwrite it")
    seed = args.seed if args.seed is not None else \
        int(hashlib.sha256(args.name.encode()).hexdigest()[:8], 16)
    from .surfaces import collect

    epoch = Epoch(args.name, seed, args.instances, propose(collect(args.evals), args.clear_rate), args.previous)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(epoch.to_yaml(), encoding="utf-8")
    for grid in epoch.grids:
        print(f"{grid.spec()}", file=sys.stderr)
    print(target)
    return 0


if __name__ == "__main__":
    from ..cli import run_main

    sys.exit(run_main(main))
