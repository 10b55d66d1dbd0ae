"""What grades an answer; nothing here imports a stage.

    answer      grade_answer: extract the code, grade it by its question's kind
                (function checks or a whole program), reuse an identical answer's verdict
    checks      function questions: each check's result from the value the sandbox
                reported, and the answer's status
    compare     value comparison (eq and eq-any, approx, unordered)
    program     program questions (HumanEval style): the answer plus the test
                program, judged as the dataset's evaluator judges; relative timeouts
    config      GradingConfig: backend, limits, timeouts, scoring (evaluate.py's flags)
    verdicts    verdict reuse: identical answers in a run share one sandbox run
    scoring/    the scorings (--scoring), a registry: codeinterview, can-ai-code
    grader      the evaluate stage's engine: a stream of records graded and written
"""
