# Synthetic long videos: 6 motion classes over moving textured backgrounds.
# Generate: python tools/data/make_synthetic.py --out-dir data/synthetic --num-videos 60
_base_ = ['./long_video.py']

data_root = 'data/synthetic'
ann_file = 'data/synthetic/annotations.json'
num_classes = 6

# Checkpoints are chosen on a seeded held-out part of the training videos
# (saved as heldout_split.json with the run); training reads the rest, and
# the 'test' subset is read by tools/test.py only (docs/datasets.md,
# "Dataset policies").
heldout = dict(ratio=0.1, seed=0)

train_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='train',
        heldout=dict(heldout, part='train')))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='train',
        heldout=dict(heldout, part='val')))
test_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='test'))
