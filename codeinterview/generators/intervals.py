"""Calendar arithmetic on a day's bookings: whether the answer is the busy
blocks or the free slots, how close two bookings must be to merge and the
shortest free slot worth listing are drawn per seed; the knobs set how many
bookings there are and how much they overlap. The traps: unsorted input,
bookings inside others, touching and near-touching bookings, empty bookings,
clipping to the working day, and a malformed or backwards time."""

from __future__ import annotations

import random
from typing import Any

from .base import Case, Instance, Knob, split_cases

NAME = "intervals"
VERSION = 1
SIGNATURE = "schedule(bookings)"
KNOBS = (Knob("count", 2, 12, 200, "bookings in the day", floor=1, step=5),
         Knob("overlap", 0, 2, 3, "how much bookings overlap (0 apart .. 3 piled up)"))


def solve(spec: dict, bookings: list) -> list:
    def minutes(text: str) -> int:
        parts = text.split(":")
        if len(parts) != 2 or len(parts[0]) != 2 or len(parts[1]) != 2 or not (parts[0] + parts[1]).isdigit():
            raise ValueError(f"bad time {text!r}")
        h, m = int(parts[0]), int(parts[1])
        if h > 23 or m > 59:
            raise ValueError(f"bad time {text!r}")
        return h * 60 + m

    def show(t: int) -> str:
        return f"{t // 60:02d}:{t % 60:02d}"

    spans = []
    for booking in bookings:
        pieces = booking.split("-")
        if len(pieces) != 2:
            raise ValueError(f"bad booking {booking!r}")
        start, end = minutes(pieces[0].strip()), minutes(pieces[1].strip())
        if end < start:
            raise ValueError(f"booking {booking!r} ends before it starts")
        if end > start:
            spans.append([start, end])
    spans.sort()
    merged: list = []
    for start, end in spans:
        if merged and start - merged[-1][1] <= spec["gap"]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if spec["mode"] == "busy":
        return [f"{show(s)}-{show(e)}" for s, e in merged]
    day_start, day_end = minutes(spec["day"][0]), minutes(spec["day"][1])
    free, at = [], day_start
    for start, end in merged + [[day_end, day_end]]:
        start, end = min(max(start, day_start), day_end), min(max(end, day_start), day_end)
        if start - at >= spec["shortest"]:
            free.append(f"{show(at)}-{show(start)}")
        at = max(at, end)
    return free


JAVASCRIPT = r"""
function solve(spec, bookings) {
  function minutes(text) {
    const m = /^(\d\d):(\d\d)$/.exec(text);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error("bad time " + text);
    return Number(m[1]) * 60 + Number(m[2]);
  }
  const show = (t) => String(Math.floor(t / 60)).padStart(2, "0") + ":" + String(t % 60).padStart(2, "0");
  const spans = [];
  for (const booking of bookings) {
    const pieces = booking.split("-");
    if (pieces.length !== 2) throw new Error("bad booking " + booking);
    const start = minutes(pieces[0].trim()), end = minutes(pieces[1].trim());
    if (end < start) throw new Error("booking ends before it starts");
    if (end > start) spans.push([start, end]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged = [];
  for (const [start, end] of spans) {
    const last = merged[merged.length - 1];
    if (last && start - last[1] <= spec.gap) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  if (spec.mode === "busy") return merged.map(([s, e]) => show(s) + "-" + show(e));
  const dayStart = minutes(spec.day[0]), dayEnd = minutes(spec.day[1]);
  const free = [];
  let at = dayStart;
  for (let [start, end] of [...merged, [dayEnd, dayEnd]]) {
    start = Math.min(Math.max(start, dayStart), dayEnd);
    end = Math.min(Math.max(end, dayStart), dayEnd);
    if (start - at >= spec.shortest) free.push(show(at) + "-" + show(start));
    at = Math.max(at, end);
  }
  return free;
}
"""


def show(t: int) -> str:
    return f"{t // 60:02d}:{t % 60:02d}"


def draw(rng: random.Random, level: dict[str, int]) -> Instance:
    day = rng.choice([(8 * 60, 17 * 60), (9 * 60, 18 * 60), (7 * 60 + 30, 16 * 60 + 30)])
    spec: dict[str, Any] = {"mode": rng.choice(["busy", "free"]), "gap": rng.choice([0, 0, 5, 10, 15]),
            "shortest": rng.choice([1, 15, 30]), "day": [show(day[0]), show(day[1])]}
    count, overlap = level["count"], level["overlap"]

    def bookings(rng: random.Random) -> tuple:
        # overlap 0: spread over the whole day; higher: squeezed into a narrower window, so they pile up
        width = max(60, (16 * 60) // (1 + 2 * overlap))
        first = rng.randint(6 * 60, 22 * 60 - width)
        out = []
        for _ in range(count):
            start = rng.randint(first, first + width)
            length = rng.choice([0, 5, 15, 30, 45, 60, 90]) if overlap else rng.choice([0, 10, 20])
            end = min(start + length, 23 * 60 + 59)
            out.append(f"{show(start)}-{show(end)}" if rng.random() < 0.8 else f"{show(start)} - {show(end)}")
        return (out,)

    cases = split_cases(rng, bookings, 5)
    cases += [Case((["10:00-09:30"],), "backwards_hidden", False), Case((["9:00-10:00"],), "bad_time_hidden", False),
              Case(([],), "empty_hidden", False)]
    if spec["mode"] == "busy":
        what = ("the busy blocks: the bookings merged, as a sorted list of 'HH:MM-HH:MM' strings")
    else:
        what = (f"the free slots of the working day {spec['day'][0]} to {spec['day'][1]}: the times in the day "
                "not covered by a merged booking (bookings are clipped to the day), as a sorted list of "
                f"'HH:MM-HH:MM' strings, leaving out slots shorter than {spec['shortest']} minute(s)")
    return Instance(spec=spec, input="a list `bookings` of strings 'HH:MM-HH:MM' (start, end; 24-hour clock, "
                                     "two digits each; spaces may surround the '-'), in any order", output=(
        f"{what}. A booking covers start (inclusive) to end (exclusive); one of zero length covers nothing "
        f"and is ignored. Two bookings merge when they overlap or the second starts at most {spec['gap']} "
        "minute(s) after the first ends (the merged block runs from the earlier start to the later end; merging "
        "repeats until no two blocks merge). Raise an exception (Python) / throw an Error (JavaScript) on a "
        "time not written HH:MM with hours 00-23 and minutes 00-59, or a booking that ends before it starts."),
        cases=cases)
