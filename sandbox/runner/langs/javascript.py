"""JavaScript programs run under node through child_js.js."""

import json
import os

from children import CHILD_JS, node_argv

SOURCE = "prog.js"


def program_argv(src, limits, note_fd):
    return node_argv(limits) + [CHILD_JS, "program", src]


# Exercises: Debian's jest and babel (node-babel7), configured here alone: the
# exercise's package.json and babel.config.js are never used, nor is any babel
# or jest configuration file in the job directory.
NODE_MODULES = "/usr/share/nodejs"
JEST = os.path.join(NODE_MODULES, "jest", "bin", "jest.js")


def jest_config(jobdir):
    # Node 18 runs every syntax the exercises use but ES modules: babel turns those alone into
    # CommonJS (what @babel/preset-env does for `targets: {node: "current"}`, without loading
    # its hundreds of plugins: about 0.6 s of every run)
    babel = {"plugins": [os.path.join(NODE_MODULES, "@babel", "plugin-transform-modules-commonjs")],
             "babelrc": False, "configFile": False}
    return {"rootDir": jobdir, "testEnvironment": "node", "cache": False, "watchman": False,
            "transform": {"\\.[cm]?js$": [os.path.join(NODE_MODULES, "babel-jest"), babel]},
            # Debian's packages are not under node_modules: without this jest's own modules,
            # loaded into each test file's context, would go through babel on every run
            "transformIgnorePatterns": ["/node_modules/", "^" + NODE_MODULES + "/"],
            "haste": {"enableSymlinks": False}, "testTimeout": 60000}


def test_steps(jobdir, tests, limits):
    argv = node_argv(limits) + [JEST, "--config", json.dumps(jest_config(jobdir)), "--ci", "--runInBand",
                                "--json", "--outputFile", ".report/jest.json", "--runTestsByPath"] + list(tests)
    return [{"phase": "run", "argv": argv, "env": {"NODE_PATH": NODE_MODULES}}]
