from tests.typography_check import typography_errors


def test_the_checker_catches_an_ordinary_space_and_accepts_a_no_break_one():
    assert typography_errors("<p>Pour qui ?</p>") == ["qui ?"]
    assert typography_errors("<p>Pour qui\u202f?</p><p>Le\u00a0: ok</p>") == []
    assert typography_errors("<script>a ? b : c</script>") == []
