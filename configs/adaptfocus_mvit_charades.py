# The headline run: AdaptFocus with MViT-B on 32x3 clips of Charades, on 4
# GPUs as in the paper (docs/adaptfocus.md):
#   tools/dist_train.sh configs/adaptfocus_mvit_charades.py 4
_base_ = ['./adaptfocus/adaptfocus_mvit-b_32x3_charades.py']
