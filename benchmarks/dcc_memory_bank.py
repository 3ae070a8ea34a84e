"""Bytes of the DCC region-level memory bank at THUMOS14 and ActivityNet 1.3
scale, against a bank of per-snippet features.

The region bank is built (:class:`mmwsal.models.necks.RegionMemoryBank`)
and its buffers counted. Assumptions, from sec. 4 of the paper and the
configs in ``configs/dcc/``:

- THUMOS14: 200 training videos (the validation set), M = 5 regions,
  training length T = 750 snippets;
- ActivityNet 1.3: 10,024 training videos, M = 2, T = 50;
- one label per video (one slot per video; a video with two labels takes
  two), d = 512, float32 buffers (holding float16-rounded values, see the
  bank's docstring).

A slot keeps the whole video and its M parts, for actions and for
backgrounds: ``2 (M + 1)`` vectors of d. The alternative keeps every
training snippet's projected feature (``T`` vectors of d per video), from
which regions would be pooled again at each step. Run::

    python benchmarks/dcc_memory_bank.py
"""
from mmwsal.models.necks import RegionMemoryBank, region_count

DATASETS = (
    # name, training videos, M, training snippets T
    ('THUMOS14', 200, 5, 750),
    ('ActivityNet 1.3', 10024, 2, 50),
)
CHANNELS = 512
FLOAT32 = 4
MIB = 2**20


def bank_bytes(size: int, num_regions: int, channels: int) -> int:
    """Bytes of every buffer of a built bank."""
    bank = RegionMemoryBank(size, num_regions, channels)
    return sum(b.numel() * b.element_size() for b in bank.buffers())


def main():
    print(f'd = {CHANNELS}, float32; one slot per training video\n')
    print('| data | videos | M | region features | region bank | '
          'per-snippet bank | ratio |')
    print('|---|---|---|---|---|---|---|')
    for name, videos, regions, snippets in DATASETS:
        count = region_count(regions)
        region = bank_bytes(videos, count, CHANNELS)
        per_snippet = videos * snippets * CHANNELS * FLOAT32
        print(f'| {name} | {videos:,} | {regions} | {2 * count * videos:,} '
              f'| {region / MIB:.1f} MiB | {per_snippet / MIB:.1f} MiB '
              f'(T = {snippets}) | {per_snippet / region:.1f}x |')


if __name__ == '__main__':
    main()
