# THUMOS14: the validation set trains, the test set evaluates; 20 classes.
# Annotation: tools/data/convert_thumos14.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/thumos14/videos'
ann_file = 'data/thumos14/annotations.json'
num_classes = 20

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
