"""The language registry and every host decision routed through it: names and
aliases, the attributes each language fills, extraction's tag tables, YAML
questions in any registered language, prepare's --languages, export keys."""

import json
import re
from pathlib import Path

import pytest

from codeinterview import languages
from codeinterview.errors import UserError
from codeinterview.export import sample
from codeinterview.extract import extract_code
from codeinterview.extract_blocks import all_tags, find_blocks
from codeinterview.paths import REPO_ROOT
from codeinterview.prepare import main as prepare
from codeinterview.suites import load_suite
from codeinterview.templates import load_template, template_variables

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

ALL = languages.all_languages()
NO_BRIDGE = [lang for lang in ALL if not lang.function_bridge]


def test_get_by_name_and_alias_any_case():
    assert languages.get("py").name == "python" and languages.get("JS").name == "javascript"
    for language in ALL:
        assert languages.get(language.name) is language
        assert languages.get(language.name.upper()) is language
        for alias in language.aliases:
            assert languages.get(alias) is language and languages.is_known(alias)


def test_an_unknown_language_is_a_user_error_naming_the_known_ones():
    with pytest.raises(UserError) as raised:
        languages.get("cobol")
    assert "'cobol'" in str(raised.value)
    assert all(name in str(raised.value) for name in languages.names())
    assert not languages.is_known("cobol")


@pytest.mark.parametrize("language", ALL, ids=lambda lang: lang.name)
def test_every_language_fills_its_attributes(language):
    assert re.fullmatch(r"[a-z][a-z0-9]*", language.name)
    assert language.display and language.comment and language.extension.startswith(".")
    assert language.name in language.fence_tags  # a fence tagged with the name itself is recognised
    assert all(tag == tag.lower() for tag in language.fence_tags)
    # a CodeLlama [TAG] block is tagged with the lower-cased TAG: it must name this language
    assert {tag.lower() for tag in language.bracket_tags} <= language.fence_tags
    for pattern in (language.code_hint, language.definition, language.top_level_name):
        assert isinstance(pattern, re.Pattern)
    assert language.code_start is None or isinstance(language.code_start, re.Pattern)
    assert (REPO_ROOT / "sandbox" / "runner" / "langs" / f"{language.name}.py").is_file()
    if language.compiled:  # a toolchain of its own, never the shared base image
        assert language.image != "base" and language.packages
    assert isinstance(language.export_keys, tuple)


def test_fence_tags_and_aliases_name_one_language_each():
    seen: dict[str, str] = {}
    for language in ALL:
        for word in {*language.fence_tags, language.name, *language.aliases}:
            assert seen.setdefault(word.lower(), language.name) == language.name, word
    assert languages.by_fence_tag("py").name == "python"


@pytest.mark.parametrize("language", ALL, ids=lambda lang: lang.name)
def test_a_block_tagged_with_another_registered_language_ranks_below_an_untagged_one(language):
    """Grading Python (JavaScript for Python's own tags): a later block tagged
    with another language loses to an untagged one, for every registered tag."""
    grading = "javascript" if language.name == "python" else "python"
    for tag in sorted(language.fence_tags):
        assert tag in all_tags()
        answer = f"```\nprint(1)\n```\n\n```{tag}\nprint(2)\n```\n"
        assert find_blocks(answer)[1][0] == tag
        assert extract_code(answer, grading, "f") == "print(1)", tag


@pytest.mark.parametrize("language", ALL, ids=lambda lang: lang.name)
def test_a_bare_fence_with_the_language_on_the_next_line(language):
    assert find_blocks(f"```\n{language.name}\nx\n```") == [(language.name, "x")]


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


FUNCTION_QUESTION = """\
Add:
  Signature: "add(a, b)"
  Input: two numbers
  Output: their sum
  Checks:
    small: {{assert: "f.call(1, 2)", eq: 3}}
  Reference:
    {language}: |
      {code}
"""


def test_a_question_with_an_unknown_language_key_names_file_question_and_the_known_languages(tmp_path):
    path = write(tmp_path, FUNCTION_QUESTION.format(language="cobol", code="x"))
    with pytest.raises(UserError) as raised:
        load_suite(str(path))
    message = str(raised.value)
    assert f"{path}:1" in message and "'Add'" in message and "Reference" in message
    assert "'cobol'" in message and all(name in message for name in languages.names())


def test_a_language_key_written_as_an_alias_says_which_name_to_write(tmp_path):
    program = ("P:\n  Kind: program\n  Signature: 'f(x)'\n  Prompt: {js: 'function f(x) {'}\n"
               "  Test: {javascript: 'console.assert(f(1) === 1);'}\n")
    with pytest.raises(UserError, match=r"Prompt has unknown language 'js' \('js' is another name for "
                                        r"javascript: write javascript\)"):
        load_suite(str(write(tmp_path, program)))


def test_a_program_question_may_be_written_in_any_registered_language(tmp_path):
    fields = {"Kind": "program", "Signature": "f(x)",
              "Prompt": {lang.name: f"{lang.comment} prompt\n" for lang in ALL},
              "Test": {lang.name: f"{lang.comment} test\n" for lang in ALL}}
    suite = load_suite(str(write(tmp_path, json.dumps({"P": fields}))))
    assert set(suite.questions[0].languages) == set(languages.names())


def test_function_questions_are_asked_in_the_languages_with_a_function_bridge(tmp_path):
    suite = load_suite(str(write(tmp_path, FUNCTION_QUESTION.format(language="python", code="x"))))
    assert suite.questions[0].languages == ("python", "javascript")
    assert set(suite.questions[0].languages) == {lang.name for lang in ALL if lang.function_bridge}


@pytest.mark.parametrize("language", NO_BRIDGE, ids=lambda lang: lang.name)
def test_a_function_question_with_a_reference_in_a_language_without_a_bridge_is_refused(tmp_path, language):
    path = write(tmp_path, FUNCTION_QUESTION.format(language=language.name, code="int add;"))
    with pytest.raises(UserError) as raised:
        load_suite(str(path))
    message = str(raised.value)
    assert "'Add'" in message and language.display in message and "Kind: program" in message


@pytest.mark.parametrize("language", NO_BRIDGE, ids=lambda lang: lang.name)
def test_prepare_refuses_a_function_question_in_a_language_without_a_bridge(tmp_path, language):
    path = write(tmp_path, FUNCTION_QUESTION.format(language="python", code="x"))
    output = tmp_path / "out.ndjson"
    word = (language.aliases or (language.name,))[0]  # an alias names it as well
    with pytest.raises(UserError) as raised:
        prepare(["--interview", str(path), "--languages", f"python,{word}", "--output", str(output)])
    message = str(raised.value)
    assert "'Add'" in message and language.display in message and "program-style" in message
    assert not output.exists()  # refused before anything was written


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_prepare_takes_aliases_and_writes_canonical_names(tmp_path):
    output = tmp_path / "out.ndjson"
    prepare(["--interview", "junior-dev", "--languages", "js,PY,javascript", "--questions", "WordCount",
             "--output", str(output)])
    assert [r["language"] for r in read(output)] == ["javascript", "python"]


def test_prepare_refuses_an_unknown_language_naming_the_known_ones(tmp_path):
    with pytest.raises(UserError, match=r"--languages: unknown cobol; choose from python, javascript"):
        prepare(["--interview", "junior-dev", "--languages", "py,cobol", "--output", str(tmp_path / "o")])


def test_prepare_defaults_to_the_languages_each_question_is_written_for(tmp_path, capsys, monkeypatch):
    """junior-dev (function questions): Python then JavaScript, as always; a
    program question only in the languages it has a Test for, with no --languages."""
    bundled = tmp_path / "bundled.ndjson"
    prepare(["--interview", "junior-dev", "--questions", "WordCount", "--output", str(bundled)])
    assert [r["language"] for r in read(bundled)] == ["python", "javascript"]
    monkeypatch.setenv("CODEINTERVIEW_RESULTS", str(tmp_path))  # the default output's folder
    prepare(["--interview", "junior-dev", "--questions", "WordCount"])
    default = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert default.parent == tmp_path and "python+javascript" in default.name  # the name it always had
    last = ALL[-1]
    program = {"P": {"Kind": "program", "Signature": "f(x)", "Prompt": {last.name: "p\n"},
                     "Test": {last.name: "t\n"}}}
    mixed = tmp_path / "mixed.ndjson"
    prepare(["--interview", f"junior-dev,{write(tmp_path, json.dumps(program), 'p.yaml')}",
             "--questions", "WordCount,P", "--output", str(mixed)])
    assert [(r["name"], r["language"]) for r in read(mixed)] == \
        [("WordCount", "python"), ("WordCount", "javascript"), ("P", last.name)]


@pytest.mark.parametrize("language", ALL, ids=lambda lang: lang.name)
def test_templates_name_the_language_and_comment_in_it(language):
    fields = {"Kind": "program", "Signature": "f(x)", "Prompt": {language.name: "PROMPT\n"},
              "Test": {language.name: "t"}}
    variables = template_variables(fields, "P", "s", language.name, "f", ["x"])
    messages, _ = load_template("chat-simple").render(variables)
    assert f"Write a {language.display} function" in messages[-1]["content"]
    text, prefix = load_template("completion").render(variables)
    assert text.startswith(f"{language.comment} Language: {language.display}\n")
    if language.name not in ("python", "javascript"):  # no generic first line: the question's own prompt
        assert prefix == "PROMPT\n"


def test_a_completion_template_without_a_prompt_in_a_language_without_a_first_line_is_an_error():
    others = [lang for lang in ALL if lang.name not in ("python", "javascript")]
    for language in others:
        variables = template_variables({"Signature": "f(x)"}, "Q", "s", language.name, "f", ["x"])
        with pytest.raises(UserError, match=rf"completion.yaml: a completion prompt in "
                                            rf"{re.escape(language.display)} .* needs a Prompt.*'Q'"):
            load_template("completion").render(variables)


@pytest.mark.parametrize("language", ALL, ids=lambda lang: lang.name)
def test_export_writes_the_completion_under_the_language_s_own_keys(language):
    prompt = f"{language.comment} PROMPT\n"
    record = {"suite": "s", "name": "P", "language": language.name, "sample": 0,
              "code": prompt + "  BODY\n",
              "question": {"Kind": "program", "TaskId": "X/0", "Signature": "f(x)",
                           "Prompt": {language.name: prompt}, "Test": {language.name: "t"}}}
    line = sample(record)
    # the completion continues the prompt as extraction may have trimmed it (no blank ends)
    assert line["completion"] == "\n  BODY\n" and line["solution"] == prompt + "  BODY\n"
    for key in language.export_keys:
        assert line[key] == line["completion"]
    assert set(line) == {"task_id", "sample", "solution", "completion", *language.export_keys}


@pytest.mark.parametrize("language", [lang for lang in ALL if lang.name not in ("python", "javascript")],
                         ids=lambda lang: lang.name)
def test_can_ai_code_scoring_refuses_a_language_upstream_never_had(language):
    from codeinterview.grading.scoring.canaicode import grade_canaicode
    from codeinterview.questions import question_from_fields
    from codeinterview.sandbox import Limits

    question = question_from_fields("Add", {"Signature": "add(a, b)", "Input": "i", "Output": "o",
                                            "Checks": {"c": {"assert": "f.call(1, 2)", "eq": 3}}}, "s", "q.yaml:1")
    with pytest.raises(UserError, match=rf"q.yaml:1: can-ai-code scoring grades Python and JavaScript only "
                                        rf"\(upstream's languages\), not {language.name}"):
        grade_canaicode(None, question, language.name, "code", Limits())
