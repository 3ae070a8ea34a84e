from tools.run_pipeline import timing_table


def test_timing_table_marks_the_stages_done_before():
    text = timing_table(
        {
            'data synthetic_demo': dict(seconds=14.6, ran=True),
            'pretrain': dict(seconds=56.2, ran=False),
            'recognizer_full': dict(seconds=None, ran=False),
        }, 125.0).splitlines()
    assert text[1].split() == ['data', 'synthetic_demo', '15']
    assert text[2].split()[:2] == ['pretrain', '56']
    assert text[2].endswith('(done before, not rerun)')
    assert text[3].split()[:2] == ['recognizer_full', '-']
    assert text[-1].endswith('125 (2.1 min)')
