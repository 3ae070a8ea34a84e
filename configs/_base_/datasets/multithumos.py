# MultiTHUMOS: 413 THUMOS14 videos densely labelled with 65 classes (200 train, 213 test).
# Annotation: tools/data/convert_multithumos.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/multithumos/videos'
ann_file = 'data/multithumos/annotations.json'
num_classes = 65

# Checkpoints are chosen on a seeded held-out part of the training videos
# (saved as heldout_split.json with the run); training reads the rest, and
# the 'test' subset is read by tools/test.py only (docs/datasets.md,
# "Dataset policies").
heldout = dict(ratio=0.1, seed=0)

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='validation',
        heldout=dict(heldout, part='train')))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='validation',
        heldout=dict(heldout, part='val')))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='test'))
