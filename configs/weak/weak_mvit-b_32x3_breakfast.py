# "Weak (Noisy)" baseline on Breakfast (AdaptFocus paper, Table 2): plain
# MMAction2 -- Recognizer3D, MViT-B from Kinetics-400, BCE -- trained on one
# random 32x3 clip per video per visit, each clip labelled with all its video's
# labels. Test: 30x1 views (30 clips spread over the video, centre crop), raw
# scores averaged, mAP. Paper (MViT-B-24 (Kinetics-600), 32x3): Full (Clean)
# 68.3, Weak (Noisy) 65.2, AdaptFocus 68.1.
# MMAction2 has no MViT-B-24 nor Kinetics-600 MViT weights; this is its
# MViTv2-B from Kinetics-400.
_base_ = [
    '../_base_/models/mvit-b_multilabel.py', '../_base_/datasets/breakfast.py',
    '../_base_/datasets/long_video_pipelines.py',
    '../_base_/schedules/adamw_cosine_98k-iter.py',
    '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=_base_.num_classes))
load_from = _base_.kinetics400_checkpoint

weak_clip_sampler = dict(type='WeakClipSampler', clip_len=32, frame_interval=3)
train_pipeline = [
    dict(type='LongVideoInit'),
    dict(weak_clip_sampler, label_mode='weak'),
    dict(type='LongVideoDecode'),
    *_base_.train_augment,
]
test_pipeline = [
    dict(type='LongVideoInit'),
    dict(weak_clip_sampler, num_clips=30, test_mode=True),
    dict(type='LongVideoDecode'),
    *_base_.center_crop_224,
]

# 1,357 training videos: the schedule counts iterations (see the schedule
# base), so do sampling, logs and checkpoints.
train_dataloader = dict(
    batch_size=4,
    sampler=dict(type='InfiniteSampler'),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=5000))
log_processor = dict(by_epoch=False)
