# AdaptFocus on Charades (AdaptFocus paper, Table 1): the weak baseline
# weak_x3d-m_32x3_charades.py (same backbone, checkpoint, clips, schedule and
# test views) trained with the AdaptFocus loss: action and clip focusing on
# online spike-actionness estimates (theta=0.75, alpha=5, beta=3), after a
# noisy warm-up of 20% of the iterations.
# Ablations: --cfg-options model.cls_head.loss_cls.mode=clip_only
# (or action_only, noisy); see docs/adaptfocus.md.
_base_ = ['../weak/weak_x3d-m_32x3_charades.py']

model = dict(
    type='AdaptFocusRecognizer3D',
    cls_head=dict(
        loss_cls=dict(
            _delete_=True,
            type='AdaptFocusLoss',
            mode='adaptfocus',
            weighting='exponential',
            theta=0.75)))

custom_hooks = [dict(type='AdaptFocusHook', warmup_ratio=0.2)]
