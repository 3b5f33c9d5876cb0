"""Every answer mcpgen passes is a Copier question, so `copier update` finds it in .copier-answers.yml."""

from pathlib import Path

import yaml

from mcpgen.generate import Request, prepare

REPO = Path(__file__).resolve().parents[1]


def test_every_answer_is_a_recorded_question():
    _project, _layout, answers, _warnings = prepare(
        Request(spec=str(REPO / "tests" / "golden" / "hard_cases" / "spec.yaml"), out=Path("."))
    )
    questions = {
        k: v for k, v in yaml.safe_load((REPO / "copier.yml").read_text()).items() if not k.startswith("_")
    }
    assert sorted(set(answers) - set(questions)) == []
    # `when: false` would keep an answer out of .copier-answers.yml; `ask: false` records it.
    assert not [name for name, question in questions.items() if question.get("when") is False]
