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
# jest with its modules' compiled code read from a cache filled at image build (sandbox/toolchains/base.sh)
JEST_MAIN = "/opt/toolchain/jest-main.js"
JEST_CODE_CACHE = "/opt/toolchain/jest-v8-cache"


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
    warm = os.path.isfile(JEST_MAIN)
    argv = node_argv(limits) + [JEST_MAIN if warm else JEST, "--config", json.dumps(jest_config(jobdir)), "--ci",
                                "--runInBand", "--json", "--outputFile", ".report/jest.json",
                                "--runTestsByPath"] + list(tests)
    env = {"NODE_PATH": NODE_MODULES}
    if warm:
        env["V8_COMPILE_CACHE_CACHE_DIR"] = JEST_CODE_CACHE
    return [{"phase": "run", "argv": argv, "env": env}]
