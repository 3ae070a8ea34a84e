# ActivityNet 1.3: 200 classes; the official validation set evaluates.
# Annotation: tools/data/convert_activitynet.py (docs/datasets.md).
_base_ = ['./long_video.py']

data_root = 'data/activitynet/videos'
ann_file = 'data/activitynet/annotations_v1.3.json'
num_classes = 200

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='training'))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='validation'))
test_dataloader = val_dataloader
