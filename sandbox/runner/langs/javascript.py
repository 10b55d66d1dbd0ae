"""JavaScript programs run under node through child_js.js."""

from children import CHILD_JS, node_argv

SOURCE = "prog.js"


def program_argv(src, limits, note_fd):
    return node_argv(limits) + [CHILD_JS, "program", src]
