# Synthetic long videos: 6 motion classes over moving textured backgrounds.
# Generate: python tools/data/make_synthetic.py --out-dir data/synthetic --num-videos 60
_base_ = ['./long_video.py']

data_root = 'data/synthetic'
ann_file = 'data/synthetic/annotations.json'
num_classes = 6

train_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='train'))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file, data_prefix=dict(video=data_root), subset='test'))
test_dataloader = val_dataloader
