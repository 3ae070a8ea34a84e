# ActivityNet 1.2: 100 classes; the official validation set evaluates.
# Annotation: tools/data/convert_activitynet.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/activitynet/videos'
ann_file = 'data/activitynet/annotations_v1.2.json'
num_classes = 100

# Many videos of ActivityNet are no longer online, so a download holds a
# part of them: the videos whose files are missing are left out with a
# warning that counts and names them (missing_videos='error' stops instead).
# Test figures on a part of the official validation set are not those of
# the papers.
missing_videos = 'skip'
# Checkpoints are chosen on a seeded held-out part of the training videos
# (saved as heldout_split.json with the run); training reads the rest, and
# the 'validation' subset is read by tools/test.py only (docs/datasets.md,
# "Dataset policies").
heldout = dict(ratio=0.1, seed=0)

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='training',
        heldout=dict(heldout, part='train'),
        missing_videos=missing_videos))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='training',
        heldout=dict(heldout, part='val'),
        missing_videos=missing_videos))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        subset='validation',
        missing_videos=missing_videos))
