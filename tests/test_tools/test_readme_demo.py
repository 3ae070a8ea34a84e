import pytest

from tools.readme_demo import BEGIN, END, main, replace_table


def test_replace_table_swaps_only_the_marked_text():
    readme = f'intro\n{BEGIN}\n| old |\n{END}\nafter\n'
    assert replace_table(readme, '| new |\n') == (
        f'intro\n{BEGIN}\n| new |\n{END}\nafter\n')
    with pytest.raises(ValueError, match='markers'):
        replace_table('no markers here', '| new |')
    with pytest.raises(ValueError, match='once each'):
        replace_table(readme + readme, '| new |')


def test_main_writes_the_run_table_and_figures(tmp_path):
    run = tmp_path / 'run'
    (run / 'figures').mkdir(parents=True)
    (run / 'summary.md').write_text('| row | 1.0 |\n')
    (run / 'figures' / 'scores_v7.png').write_bytes(b'scores')
    (run / 'figures' / 'localization_adaptfocus_v7.png').write_bytes(b'loc')
    (run / 'figures' / 'localization_noisy_v7.png').write_bytes(b'noisy')
    readme = tmp_path / 'README.md'
    readme.write_text(f'a\n{BEGIN}\nstale\n{END}\nb\n')
    figures = tmp_path / 'figures'
    figures.mkdir()
    main([str(run), '--readme', str(readme), '--figure-dir', str(figures)])
    assert readme.read_text() == f'a\n{BEGIN}\n| row | 1.0 |\n{END}\nb\n'
    assert (figures / 'demo_scores.png').read_bytes() == b'scores'
    assert (figures / 'demo_localization_adaptfocus.png').read_bytes() == (
        b'loc')
    # A run without its figures changes nothing.
    (run / 'figures' / 'scores_v7.png').unlink()
    (run / 'summary.md').write_text('| other |\n')
    with pytest.raises(FileNotFoundError, match='visualize.py pipeline'):
        main([str(run), '--readme', str(readme), '--figure-dir',
              str(figures)])
    assert '| row | 1.0 |' in readme.read_text()
