"""Reading a model's answer: one reader per dialect, behind one dispatcher.

orchestrator.answers.dispatch takes the whole answer, sets its reasoning aside
(orchestrator.answers.reasoning), keeps only the final attempt of an answer that restarts
(orchestrator.answers.restarts), detects the one dialect it is written in, and reads it in
that dialect only. The readers: ours (our markers and the prompt that teaches them),
search_replace (Aider's blocks), unified_diff, apply_patch, tagged (<file path=...>), agents
(Cline, Roo, Claude's str_replace_editor, OpenHands), json_answers, prose (named fenced
files). orchestrator.answers.stream reads line by line as the answer streams.
"""
