# Breakfast, action level: 48 labels minus the background SIL = 47 classes; split 1 (test persons P03-P15).
# Annotation: tools/data/convert_breakfast.py --level action (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/breakfast/videos'
ann_file = 'data/breakfast/annotations_action.json'
num_classes = 47

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
