"""Search over a feedback loop's attempts (the feedback executor's --search tree).

    sampling   distinct sampling per candidate: a seed per candidate slot, a
               temperature that rises when candidates repeat
    tree       the tree of conversations: nodes, open nodes, which to expand next
    budget     pass rate and tokens per model call spent (for reports and benches)
    review     a human reviewer in the terminal (--review)
"""
