"""Extraction corpus: answer shapes seen in real models' answers (issue 11),
written out by hand, one per shape and language, each with the exact code
that must be graded."""

import pytest

from codeinterview.extract import extract_code

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

PY = "def flatten(obj):\n    return dict(obj)"
JS = "function flatten(obj) {\n  return {...obj};\n}"
PY_SECRET = "def secretIdentities(heroes):\n    return {h['name']: h['alias'] for h in heroes}"
JS_SECRET = "function secretIdentities(heroes) {\n  return heroes.map(h => h.alias);\n}"

# (shape, language, function the Signature names, answer, exact code expected)
CORPUS = [
    # An untagged block, prose, then a tagged block cut off: the prose must not become code.
    ("prose between blocks", "python", "flatten",
     f"Here it is:\n```\n{PY}\n```\nLet me explain how it works.\n```python\nprint(fl", PY),
    ("prose between blocks", "javascript", "flatten",
     f"Here it is:\n```\n{JS}\n```\nLet me explain how it works.\n```javascript\nconsole.log(fl", JS),
    # The same, with the answer's opening fence left out (the prompt opened it).
    ("no opening fence, then a tagged block", "python", "flatten",
     f"{PY}\n```\nLet me explain.\n```python\nprint(fl", PY),
    ("no opening fence, then a tagged block", "javascript", "flatten",
     f"{JS}\n```\nLet me explain.\n```javascript\nconsole.log(fl", JS),
    # CodeLlama-Instruct: [PYTHON] code [/PYTHON], then its own asserts in [TESTS].
    ("codellama brackets", "python", "flatten",
     f"[PYTHON]\n{PY}\n[/PYTHON]\n[TESTS]\n# Test case 1:\nassert flatten({{}}) == {{}}\n[/TESTS]", PY),
    ("codellama brackets", "javascript", "flatten",
     f"[JAVASCRIPT]\n{JS}\n[/JAVASCRIPT]\n[TESTS]\nconsole.assert(flatten({{}}));\n[/TESTS]", JS),
    ("codellama brackets, cut off", "python", "flatten", f"[PYTHON]\n{PY}\n", PY),
    ("codellama brackets, cut off", "javascript", "flatten", f"[JAVASCRIPT]\n{JS}", JS),
    # HTML <pre><code class="language-..."> with entities.
    ("html pre code", "python", "lt",
     '<p>Use this:</p>\n<pre><code class="language-python">def lt(a, b):\n    return a &lt; b and '
     '&quot;&amp;&quot;\n</code></pre>\n<p>Done.</p>',
     'def lt(a, b):\n    return a < b and "&"'),
    ("html pre code", "javascript", "lt",
     '<p>Use this:</p>\n<pre><code class="language-javascript">function lt(a, b) {\n  return a &lt; b '
     '&amp;&amp; b &gt; 0;\n}\n</code></pre>',
     "function lt(a, b) {\n  return a < b && b > 0;\n}"),
    # A bare HTML <code> block.
    ("html code", "python", "flatten", f"The function:\n<code>\n{PY}\n</code>\nCall it.", PY),
    ("html code", "javascript", "flatten", f"The function:\n<code>\n{JS}\n</code>\nCall it.", JS),
    # Inline <code> in prose is not code.
    ("inline html code", "python", "flatten", "Call <code>flatten</code> on a dict.", None),
    ("inline html code", "javascript", "flatten", "Call <code>flatten</code> on an object.", None),
    # The fence's language on the line after it.
    ("language on the next line", "python", "flatten", f"```\npython\n{PY}\n```", PY),
    ("language on the next line", "javascript", "flatten", f"```\njavascript\n{JS}\n```", JS),
    # Chat-template end tokens left in the answer.
    ("end token", "python", "flatten", f"```python\n{PY}\n```<|im_end|>", PY),
    ("end token", "javascript", "flatten", f"```javascript\n{JS}\n```\n<|eot_id|>", JS),
    ("end token, unfenced", "python", "flatten", f"{PY}\n</s>", PY),
    ("end token, unfenced", "javascript", "flatten", f"{JS}<|EOT|>", JS),
    # No block defines the exact name; the last one is a sample output (data).
    ("name differs in case, sample output last", "python", "secretidentities",
     f"```python\n{PY_SECRET}\n```\nOutput:\n```python\n{{'Batman': 'Bruce Wayne'}}\n```", PY_SECRET),
    ("name differs in case, sample output last", "javascript", "secretidentities",
     f"```javascript\n{JS_SECRET}\n```\nOutput:\n```javascript\n[\"Bruce Wayne\"]\n```", JS_SECRET),
    # ... or in underscores, the last block a usage example.
    ("name differs in underscores, usage last", "python", "secretidentities",
     "```python\ndef secret_identities(h):\n    return h\n```\n```python\nprint(secret_identities([]))\n```",
     "def secret_identities(h):\n    return h"),
    ("name differs in underscores, usage last", "javascript", "secretIdentities",
     "```js\nconst secret_identities = (h) => h;\n```\n```js\nconsole.log(secret_identities([]));\n```",
     "const secret_identities = (h) => h;"),
    # Any function beats data when no name matches at all.
    ("another name, data last", "python", "flatten",
     "```python\ndef flat(o):\n    return o\n```\n```python\n{'a': 1}\n```", "def flat(o):\n    return o"),
    ("another name, data last", "javascript", "flatten",
     "```js\nfunction flat(o) {\n  return o;\n}\n```\n```js\nconst out = {a: 1};\n```",
     "function flat(o) {\n  return o;\n}"),
    # A leading space before the fences.
    ("leading space before the fence", "python", "flatten", f"Here:\n ```python\n{PY}\n ```", PY),
    ("leading space before the fence", "javascript", "flatten", f"Here:\n ```javascript\n{JS}\n ```", JS),
    # The whole answer indented, fences included.
    ("indented as a whole", "python", "flatten",
     "    Here:\n    ```python\n    def flatten(obj):\n        return dict(obj)\n    ```", PY),
    ("indented as a whole", "javascript", "flatten",
     "  ```js\n  function flatten(obj) {\n    return {...obj};\n  }\n  ```", JS),
    # The whole answer indented, no fences.
    ("indented as a whole, unfenced", "python", "flatten", "    def flatten(obj):\n        return dict(obj)\n", PY),
    ("indented as a whole, unfenced", "javascript", "flatten",
     "  function flatten(obj) {\n    return {...obj};\n  }", JS),
    # A helper in its own block, the whole answer indented: both dedented.
    ("indented helper block", "python", "flatten",
     "  ```python\n  def pairs(o):\n      return o.items()\n  ```\n  ```python\n  def flatten(obj):\n"
     "      return dict(pairs(obj))\n  ```",
     "def pairs(o):\n    return o.items()\n\ndef flatten(obj):\n    return dict(pairs(obj))"),
    ("indented helper block", "javascript", "flatten",
     "  ```js\n  function pairs(o) {\n    return Object.entries(o);\n  }\n  ```\n  ```js\n"
     "  function flatten(obj) {\n    return Object.fromEntries(pairs(obj));\n  }\n  ```",
     "function pairs(o) {\n  return Object.entries(o);\n}\n\n"
     "function flatten(obj) {\n  return Object.fromEntries(pairs(obj));\n}"),
    # Tilde fences, and a longer fence holding a shorter one.
    ("tilde fence", "python", "flatten", f"~~~python\n{PY}\n~~~\nDone.", PY),
    ("tilde fence", "javascript", "flatten", f"~~~js\n{JS}\n~~~\nDone.", JS),
    ("longer fence holds a shorter one", "python", "doc",
     '````python\ndef doc():\n    return """\n```\nx\n```\n"""\n````',
     'def doc():\n    return """\n```\nx\n```\n"""'),
    ("longer fence holds a shorter one", "javascript", "doc",
     "````js\nfunction doc() {\n  return `\n```\nx\n```\n`;\n}\n````",
     "function doc() {\n  return `\n```\nx\n```\n`;\n}"),
]


@pytest.mark.parametrize("shape, language, function, answer, expected", CORPUS,
                         ids=[f"{shape} [{language}]" for shape, language, *_ in CORPUS])
def test_corpus(shape, language, function, answer, expected):
    assert extract_code(answer, language, function) == expected


@pytest.mark.parametrize("token", ["<|im_end|>", "<|EOT|>", "<|endoftext|>", "</s>", "<|end|>", "<|eot_id|>"])
@pytest.mark.parametrize("language, code", [("python", PY), ("javascript", JS)])
def test_every_end_token_is_stripped(token, language, code):
    assert extract_code(f"```\n{code}\n```\n{token}", language, "flatten") == code
    assert extract_code(f"{code}\n{token}", language, "flatten") == code


def test_html_in_markdown_code_is_code():
    # a Markdown answer whose code writes HTML is read as Markdown
    code = "function tag(s) {\n  return '<pre>' + s + '</pre>';\n}"
    assert extract_code(f"```js\n{code}\n```", "javascript", "tag") == code
    strike = 'function strike(s) {\n  return "<s>" + s + "</s>";\n}'
    assert extract_code(f"```js\n{strike}\n```", "javascript", "strike") == strike
