"""``import mmwsal`` ignores mmcv-lite's MultiScaleDeformableAttention
warning, and no other."""
import json
import subprocess
import sys

MMCV_LITE_WARNING = 'MultiScaleDeformableAttention'

PROBE = '''
import json, sys, warnings
before = list(warnings.filters)
import mmwsal
import mmaction.models
after = list(warnings.filters)
special = sys.modules.get('scipy.special')
print(json.dumps(dict(
    kept=all(f in after for f in before),
    leftover=sum('MultiScaleDeformableAttention' in str(f[1]) for f in after),
    scipy_imported=special is not None,
    scipy_filter=special is not None and any(
        f[2] is special.SpecialFunctionWarning for f in after))))
warnings.warn('a warning after the import', UserWarning)
warnings.warn('Fail to import ``MultiScaleDeformableAttention`` from '
              'elsewhere', UserWarning)
'''


def run_python(code):
    proc = subprocess.run([sys.executable, '-W', 'default', '-c', code],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, proc.stderr


def test_mmcv_lite_warns_without_mmwsal():
    # what mmwsal silences is there to silence
    _, stderr = run_python('import mmaction.models')
    assert MMCV_LITE_WARNING in stderr


def test_import_ignores_only_the_mmcv_lite_warning():
    stdout, stderr = run_python(PROBE)
    report = json.loads(stdout)
    assert report['kept'] and report['leftover'] == 0
    # Filters that libraries add when mmwsal first imports them survive.
    if report['scipy_imported']:
        assert report['scipy_filter']
    assert 'UserWarning: a warning after the import' in stderr
    # The same text from another module still shows: the filter is scoped
    # to mmcv's module as well as to the message.
    assert stderr.count(MMCV_LITE_WARNING) == 1
    assert 'from elsewhere' in stderr
