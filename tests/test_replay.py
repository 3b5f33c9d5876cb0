"""An edit replayed onto a text the template rewrote: it conflicts only where the template changed it too."""

from mcpgen.project.replay import replay

OLD_BODY = '    return await call("GET", "/notes", list[Note])\n'
NEW_BODY = "    return await invoke(ctx, LIST_NOTES, list[Note])\n"


def test_a_line_added_at_the_top_of_a_body_lands_at_the_top_of_the_new_body():
    mine = "    limit = min(limit, 50)\n" + OLD_BODY
    assert replay(mine, OLD_BODY, NEW_BODY) == "    limit = min(limit, 50)\n" + NEW_BODY


def test_lines_appended_at_the_end_stay_at_the_end():
    old, new = "# Notes MCP\n\nRun it.\n", "# Notes MCP\n\nInstall, then run it.\n\n## Tools\n"
    assert replay(old + "\nOn call: the notes team.\n", old, new) == new + "\nOn call: the notes team.\n"


def test_a_changed_default_is_changed_on_the_new_line_that_holds_it():
    old = "class Settings:\n    request_timeout: float = Field(default=30.0)\n"
    new = "class Settings(BaseSettings):\n    request_timeout: float = Field(default=30.0, gt=0)\n"
    mine = old.replace("30.0", "45.0")
    assert replay(mine, old, new) == new.replace("30.0", "45.0")


def test_an_edit_of_a_line_the_template_also_changed_has_no_place():
    old = "    request_timeout: float = Field(default=30.0)\n"
    new = "    request_timeout: float = Field(default=60.0)\n"
    assert replay(old.replace("30.0", "45.0"), old, new) is None


def test_a_line_inserted_between_two_lines_finds_them_in_the_new_text():
    old = "import os\nimport sys\n\nVALUE = 1\n"
    new = "import os\nimport sys\nimport json\n\nVALUE = 2\n"
    mine = "import os\nimport sys\nimport re\n\nVALUE = 1\n"
    assert replay(mine, old, new) == "import os\nimport sys\nimport re\nimport json\n\nVALUE = 2\n"
