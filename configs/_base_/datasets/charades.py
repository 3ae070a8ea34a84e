# Charades: 9,848 indoor videos of about 30 s, 157 classes, multi-label.
# Annotation: tools/data/convert_charades.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/charades/videos'
ann_file = 'data/charades/annotations.json'
num_classes = 157

# Checkpoints are chosen on a seeded held-out part of the training videos
# (saved as heldout_split.json with the run); training reads the rest, and
# the 'test' subset is read by tools/test.py only (docs/datasets.md,
# "Dataset policies").
heldout = dict(ratio=0.1, seed=0)

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='train',
        heldout=dict(heldout, part='train')))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='train',
        heldout=dict(heldout, part='val')))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='test'))
