# The parts of the long-video pipelines that do not depend on the clip
# setting. A method config writes, for each pipeline, the three steps that
# hold its clip setting (F x tau) and temporal views,
#   LongVideoInit -> WeakClipSampler(clip_len, frame_interval, ...)
#   -> LongVideoDecode,
# and appends one of the lists below.
clip_meta_keys = ('video_id', 'video_index', 'clip_position', 'num_positions')

# Training, as PySlowFast trains on Charades: short side jittered in
# [256, 340], a random 224 x 224 crop, horizontal flip.
train_augment = [
    dict(type='RandomRescale', scale_range=(256, 340)),
    dict(type='RandomCrop', size=224),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=clip_meta_keys)
]

# Testing, view_s spatial views per temporal view. The CNNs (I3D, SlowFast,
# X3D) test on 256 x 256 crops of a 256 short side, MViT on 224 x 224 crops
# of a 224 short side. view_s = 3: three crops along the long side.
three_crop_256 = [
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=clip_meta_keys)
]
# view_s = 1: the centre crop.
center_crop_256 = [
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=256),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=clip_meta_keys)
]
three_crop_224 = [
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=clip_meta_keys)
]
center_crop_224 = [
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=clip_meta_keys)
]
