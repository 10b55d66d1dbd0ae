"""Feedback: the loop that sends the sandbox's verdict back to the model.

    loop       FeedbackLoop: ask, grade (grading.answer), feed back, attempt after
               attempt; n candidates per attempt; static analyzers (--lint)
    tree       the tree of conversations (--search tree) and its driver
    sampling   distinct sampling per candidate of a tree expansion
    review     a person in the loop (--review)
    journal    finished attempts, kept for a resume (on records.io)
    text       what went wrong, in words: verdicts, raw output, feedback templates

The executor that wraps another one with this loop is executors/feedback.py
(--executor feedback).
"""
