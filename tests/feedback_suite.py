"""The feedback loop's shared material: a small suite, the code a scripted model
answers with, the request and executor of one question, and the interview.py
arguments of a feedback run against a scripted server (test_feedback_*,
test_conversations)."""

from codeinterview.executors import EXECUTORS
from codeinterview.executors.base import Request
from codeinterview.grading.config import GradingConfig
from codeinterview.sandbox import Limits
from codeinterview.templates import load_template, template_variables

FeedbackExecutor = EXECUTORS.get("feedback")
GRADING = GradingConfig(limits=Limits(timeout_s=12.0, check_timeout_s=5.0, memory_mb=192))

SUITE = {
    "Add": {"Signature": "add(a, b)", "Input": "two numbers", "Output": "their sum",
            "Checks": {"small": {"assert": "f.call(1, 2)", "eq": 3},
                       "secret": {"assert": "f.call(4321, 1234)", "eq": 5555, "visible": False}}},
    "Mul": {"Signature": "mul(a, b)", "Input": "two numbers", "Output": "their product",
            "Checks": {"small": {"assert": "f.call(2, 3)", "eq": 6}}},
    "Neg": {"Signature": "neg(x)", "Input": "a number", "Output": "minus that number",
            "Checks": {"small": {"assert": "f.call(2)", "eq": -2}}},
    # visible checks pass; only the hidden one tells what is wrong
    "Clamp": {"Signature": "clamp(x)", "Input": "a number", "Output": "x limited to 0..100",
              "Checks": {"inside": {"assert": "f.call(50)", "eq": 50},
                         "above_hidden": {"assert": "f.call(987)", "eq": 100, "visible": False}}},
}

PY = {"add_syntax": "def add(a, b):\n    return a +", "add_wrong": "def add(a, b):\n    return a - b",
      "add": "def add(a, b):\n    return a + b", "mul": "def mul(a, b):\n    return a * b",
      "neg": "def neg(x):\n    return x", "clamp_wrong": "def clamp(x):\n    return max(0, x)",
      "clamp": "def clamp(x):\n    return min(100, max(0, x))"}
JS = {"add_syntax": "function add(a, b) {\n  return a +;\n}", "add_wrong": "function add(a, b) {\n  return a - b;\n}",
      "add": "function add(a, b) {\n  return a + b;\n}", "mul": "function mul(a, b) {\n  return a * b;\n}",
      "neg": "function neg(x) {\n  return x;\n}"}


def request(name, language="python", template="chat-simple"):
    fields = SUITE[name]
    question_args = fields["Signature"].split("(")[1].rstrip(")").split(", ")
    variables = template_variables(fields, name, "t", language, fields["Signature"].split("(")[0], question_args)
    prompt, prefix = load_template(template).render(variables)
    record = {"suite": "t", "name": name, "language": language, "sample": 0, "question": fields,
              "prompt": prompt, "code_prefix": prefix}
    return Request(f"t/{name}/{language}/0", prompt, 0, record)


def executor(server, **options):
    return FeedbackExecutor(model="scripted", params={"temperature": 0}, inner="openai",
                            base_url=server.base_url, grading=GRADING, **options)


def interview_args(prepared, output, server, *extra):
    return ["--input", prepared, "--output", output, "--executor", "feedback", "--inner", "openai",
            "--model", "scripted", "--base-url", server.base_url, "--params", "greedy", *extra]
