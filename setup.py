import os.path as osp

from setuptools import find_packages, setup


def get_version():
    scope = {}
    with open(osp.join('mmwsal', 'version.py'), encoding='utf-8') as f:
        exec(compile(f.read(), 'mmwsal/version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(fname):
    reqs = []
    with open(fname, encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line and not line.startswith('-r'):
                reqs.append(line)
    return reqs


setup(
    name='mmwsal',
    version=get_version(),
    description='Weakly supervised learning on long untrimmed videos for '
    'MMAction2: AdaptFocus training, Weak-FEAT features, WS-TAL',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests',
                                    'benchmarks')),
    python_requires='>=3.10',
    install_requires=parse_requirements('requirements/runtime.txt'),
    extras_require={'tests': parse_requirements('requirements/tests.txt')},
    license='Apache License 2.0',
    zip_safe=False)
