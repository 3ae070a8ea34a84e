# Charades: 9,848 indoor videos of about 30 s, 157 classes, multi-label.
# Annotation: tools/data/convert_charades.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/charades/videos'
ann_file = 'data/charades/annotations.json'
num_classes = 157

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='train'))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='test'))
test_dataloader = val_dataloader
