"""An assembler/VM for a generated instruction set: the mnemonics, the
register count and the arithmetic are drawn per seed; the knobs set the
length of the programs and how deeply their loops nest. The traps: a loop's
count is read once on entry (the body may change the register), values wrap
to 0..MOD-1 after every operation (Python's %, not JavaScript's), and an
unknown mnemonic, a bad register or an unclosed loop must be refused."""

from __future__ import annotations

import random
from typing import Any

from .base import Case, Instance, Knob, split_cases

NAME = "vm"
VERSION = 1
SIGNATURE = "run_program(program)"
KNOBS = (Knob("length", 4, 12, 200, "instructions per test program", floor=2, step=4),
         Knob("depth", 0, 2, 6, "loops nested in one another"))
OPERATIONS = ("set", "add", "sub", "mul", "out", "loop", "end")
WORDS = ("LD", "MOV", "PUT", "INC", "ACC", "SUM", "DEC", "TAK", "SUB", "MUL", "TIM", "SCL", "OUT", "PRT", "EMT",
         "REP", "LOP", "DO", "END", "FIN", "CLS")


def solve(spec: dict, program: list) -> list:
    ops = {word: op for op, word in spec["words"].items()}
    regs, out, mod = [0] * spec["registers"], [], spec["mod"]

    def parse(i: int, depth: int) -> tuple:
        body: list = []
        while i < len(program):
            parts = program[i].split()
            if not parts or parts[0] not in ops:
                raise ValueError(f"line {i}: unknown instruction")
            op, operands = ops[parts[0]], parts[1:]
            want = {"set": 2, "add": 2, "sub": 2, "mul": 2, "out": 1, "loop": 1, "end": 0}[op]
            if len(operands) != want:
                raise ValueError(f"line {i}: {op} takes {want} operand(s)")
            for k, word in enumerate(operands):
                is_reg = word.startswith("r") and word[1:].isdigit() and int(word[1:]) < len(regs)
                if (op == "set" and k == 1 and not word.lstrip("-").isdigit()) or \
                        (not (op == "set" and k == 1) and not is_reg):
                    raise ValueError(f"line {i}: bad operand {word}")
            if op == "end":
                if depth == 0:
                    raise ValueError(f"line {i}: end without a loop")
                return body, i + 1
            if op == "loop":
                inner, i = parse(i + 1, depth + 1)
                body.append((op, operands, inner))
                continue
            body.append((op, operands, None))
            i += 1
        if depth:
            raise ValueError("a loop is never closed")
        return body, i

    def run(body: list) -> None:
        for op, operands, inner in body:
            a = int(operands[0][1:])
            if op == "set":
                regs[a] = int(operands[1]) % mod
            elif op == "out":
                out.append(regs[a])
            elif op == "loop":
                for _ in range(regs[a]):
                    run(inner)
            else:
                b = regs[int(operands[1][1:])]
                regs[a] = {"add": regs[a] + b, "sub": regs[a] - b, "mul": regs[a] * b}[op] % mod

    run(parse(0, 0)[0])
    return out


JAVASCRIPT = r"""
function solve(spec, program) {
  const ops = {};
  for (const [op, word] of Object.entries(spec.words)) ops[word] = op;
  const regs = new Array(spec.registers).fill(0), out = [], mod = spec.mod;
  const wrap = (x) => ((x % mod) + mod) % mod;
  const want = {set: 2, add: 2, sub: 2, mul: 2, out: 1, loop: 1, end: 0};
  function parse(i, depth) {
    const body = [];
    while (i < program.length) {
      const parts = program[i].split(/\s+/).filter((p) => p);
      if (!parts.length || !Object.prototype.hasOwnProperty.call(ops, parts[0])) throw new Error("unknown instruction");
      const op = ops[parts[0]], operands = parts.slice(1);
      if (operands.length !== want[op]) throw new Error("wrong operand count");
      operands.forEach((word, k) => {
        const isReg = /^r\d+$/.test(word) && Number(word.slice(1)) < regs.length;
        if ((op === "set" && k === 1 && !/^-?\d+$/.test(word)) || (!(op === "set" && k === 1) && !isReg))
          throw new Error("bad operand " + word);
      });
      if (op === "end") {
        if (depth === 0) throw new Error("end without a loop");
        return [body, i + 1];
      }
      if (op === "loop") {
        const [inner, next] = parse(i + 1, depth + 1);
        body.push([op, operands, inner]);
        i = next;
        continue;
      }
      body.push([op, operands, null]);
      i += 1;
    }
    if (depth) throw new Error("a loop is never closed");
    return [body, i];
  }
  function run(body) {
    for (const [op, operands, inner] of body) {
      const a = Number(operands[0].slice(1));
      if (op === "set") regs[a] = wrap(Number(operands[1]));
      else if (op === "out") out.push(regs[a]);
      else if (op === "loop") { const n = regs[a]; for (let k = 0; k < n; k++) run(inner); }
      else {
        const b = regs[Number(operands[1].slice(1))];
        regs[a] = wrap(op === "add" ? regs[a] + b : op === "sub" ? regs[a] - b : regs[a] * b);
      }
    }
  }
  run(parse(0, 0)[0]);
  return out;
}
"""


def draw(rng: random.Random, level: dict[str, int]) -> Instance:
    words = dict(zip(OPERATIONS, rng.sample(WORDS, len(OPERATIONS))))
    spec: dict[str, Any] = {"words": words, "registers": rng.randint(3, 5), "mod": rng.choice([97, 251, 1000, 4096])}
    registers = [f"r{i}" for i in range(spec["registers"])]

    def block(rng: random.Random, size: int, depth: int) -> list[str]:
        lines: list[str] = []
        while len(lines) < size:
            room = size - len(lines)
            if depth and room >= 4 and rng.random() < 0.5:  # SET counter, LOOP counter, body, END
                counter = rng.choice(registers)
                inner = block(rng, rng.randint(1, max(1, min(room - 3, size // 2))), depth - 1)
                most = max(1, 3 - (level["depth"] - depth))  # inner loops run fewer times: outputs stay small
                lines += [f"{words['set']} {counter} {rng.randint(0, most)}", f"{words['loop']} {counter}",
                          *inner, words["end"]]
                continue
            op = rng.choice(("set", "add", "sub", "mul", "out", "out"))
            a, b = rng.choice(registers), rng.choice(registers)
            lines.append(f"{words[op]} {a} {rng.randint(-50, 300)}" if op == "set"
                         else f"{words[op]} {a}" if op == "out" else f"{words[op]}  {a} {b}")
        return lines

    def program(rng: random.Random) -> tuple:
        lines = block(rng, level["length"], level["depth"])
        if level["depth"] and not any(line.startswith(words["loop"]) for line in lines):
            lines = [f"{words['set']} r0 2", f"{words['loop']} r0", *lines, words["end"]]  # every level nests
        return (lines + [f"{words['out']} {r}" for r in registers],)

    cases = split_cases(rng, program, 5)
    broken = program(rng)[0]
    cases.append(Case((broken + [words["loop"] + " r0"],), "unclosed_loop_hidden", False))
    cases.append(Case(([f"{words['out']} r{spec['registers']}"],), "bad_register_hidden", False))
    table = "; ".join(f"{word} means {op.upper()}" for op, word in words.items())
    return Instance(spec=spec, input="a list `program` of instruction strings (mnemonic and operands separated "
                                     "by one or more spaces)", output=(
        f"the list of values the program outputs, in order. The machine has {spec['registers']} registers "
        f"r0..r{spec['registers'] - 1}, all 0 at the start. Each operation below is written with its "
        f"own mnemonic (whatever the mnemonic's usual meaning): {table}. "
        "SET ra n: ra = n (n a decimal integer, maybe negative); ADD/SUB/MUL ra rb: ra = ra op rb; "
        "OUT ra: output ra; LOOP ra ... END: run the instructions up to the matching END as many times as "
        "ra held when the LOOP was reached (later changes to ra do not change the count; 0: "
        f"skip the body). Loops nest. After every SET and every arithmetic operation the register is "
        f"reduced modulo {spec['mod']} to a value in 0..{spec['mod'] - 1} (so -1 becomes {spec['mod'] - 1}). "
        "Raise an exception (Python) / throw an Error (JavaScript) before running anything if an "
        "instruction has an unknown mnemonic, the wrong number of operands, a register outside the machine "
        "or a non-integer value, an END has no LOOP, or a LOOP is never closed."), cases=cases)
