# MViT-B (MMAction2's MViT, i.e. MViTv2-B) for multi-label recognition: a
# sigmoid + BCE head (multi_class=True; no label smoothing, which the
# Kinetics recipe uses and AdaptFocus refuses) and test views averaged as raw
# scores. temporal_size is the clip length F; 32 here, as the checkpoint.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='MViT', arch='base', temporal_size=32, drop_path_rate=0.3),
    cls_head=dict(
        type='MViTHead',
        num_classes=400,
        in_channels=768,
        multi_class=True,
        label_smooth_eps=0.0,
        loss_cls=dict(type='BCELossWithLogits'),
        average_clips='score'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[114.75, 114.75, 114.75],
        std=[57.375, 57.375, 57.375],
        format_shape='NCTHW'),
    # Test views go through the backbone 5 at a time rather than all 30 of
    # a Charades or Breakfast test video at once: MViT's attention makes its
    # activations per view the largest of the model bases. mmaction's
    # Recognizer3D needs test batch_size 1 for this.
    test_cfg=dict(max_testing_views=5))

# MMAction2 model zoo, configs/recognition/mvit/metafile.yml:
# mvit-base-p244_32x3x1_kinetics400-rgb (MViTv2-B 32x3, converted from
# PySlowFast). The zoo has no MViT-B 16x4 Kinetics-400 checkpoint; the 16x4
# configs start from this one too (see weak_mvit-b_16x4_charades.py).
kinetics400_checkpoint = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/mvit/converted/'
    'mvit-base-p244_32x3x1_kinetics400-rgb_20221021-f392cd2d.pth')
