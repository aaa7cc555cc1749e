"""TCL pretraining (triple contrastive learning: CMA, IMC, LMI; ITM with hard negatives; MLM
with distillation), after the official code.

Provenance: uta-smile/TCL at commit 74a3e4f: models/model_pretrain.py (ALBEF.forward with
`image_aug`, patch_pooling, in_batch_g2l_loss), models/vit.py and models/xbert.py (identical to
salesforce/ALBEF b9727e4's for everything pretraining uses: the two xbert.py files differ only
in BertLMHeadModel), configs/Pretrain.yaml (alpha 0.4, temp clamped to [0.001, 0.5]).
The encoders, ITA, ITM and MLM are ALBEF's, so they come from refs/albef.py (written from
salesforce/ALBEF's code, same state-dict names); this file adds what TCL changes: the momentum
image encoder sees the augmented view, local features (pooled patches, text tokens), the
in-modality terms against the queues and the in-batch global-to-local (LMI) terms. Written
anew in plain torch. Sizes are the stdlib's TCL_Tiny (stdlib/models/tcl.mm).

Outputs: the official code returns one ITA loss, (i2t + t2i + t2t_l + i2i_l + i2i + t2t) / 6;
mm also outputs its three parts, named here cma = (i2t + t2i) / 2, imc = (i2i + t2t) / 2 and
lmi = (t2t_l + i2i_l) / 2, so that loss_ita = (cma + imc + lmi) / 3.
See refs/albef.py for what is taken as given (momentum update, queues, MLM masking) and for
the official state dict's aliases and buffers that are not in this module's state dict.
"""

import numpy as np
import torch
import torch.nn.functional as F

MODELS = ["TCL_Tiny", "TCL_Tiny@train"]
SOURCE = "uta-smile/TCL 74a3e4f"  # the official code followed, for stdlib/README.md
LAYOUT = "timm"  # the ViT under timm's names (`blocks.N.attn.qkv`), the model's default

import albef  # refs/ is on the path (run.py)

# TCL_Tiny: ALBEF_Tiny's sizes (image 32, patch 8: a 4x4 patch grid, pooled 2x2 to 2x2 cells).
TINY = dict(albef.TINY)


def patch_pooling(x):
    """TCL's ALBEF.patch_pooling: [B, L, D] patches as a sqrt(L) grid, avg-pooled by sqrt(sqrt(L))."""
    batch_size, seq_length, dim = x.size()
    b1 = int(np.sqrt(seq_length))
    x = x.reshape(batch_size, b1, b1, dim).permute(0, 3, 1, 2)
    c1 = int(np.sqrt(b1))
    x = F.avg_pool2d(x, c1, stride=c1)
    return x.permute(0, 2, 3, 1).reshape(batch_size, c1 * c1, dim)


def in_batch_g2l_loss(l, m, temp, attention_mask=None):
    """TCL's ALBEF.in_batch_g2l_loss: each global feature m against its own locals l (positives)
    and every other sample's locals (negatives), +-10000 shifts for masking."""
    m = m.unsqueeze(1)
    n, n_locals, dim = l.size()
    l_n = l.reshape(-1, dim)
    m_n = m.reshape(-1, dim)
    u_p = torch.matmul(l, m.permute(0, 2, 1)).unsqueeze(2) / temp  # N x n_locals x 1 x 1
    if attention_mask is not None:
        temp_mask = attention_mask.unsqueeze(2).unsqueeze(3)
        u_p = (temp_mask * u_p) + (10000. * (1 - temp_mask))
    u_n = torch.mm(m_n, l_n.t()) / temp
    u_n = u_n.reshape(n, 1, n, n_locals).permute(0, 2, 3, 1)  # N x N x n_locals x 1
    n_mask = 1 - torch.eye(n)[:, :, None, None]
    u_n = (n_mask * u_n) - (10000. * (1 - n_mask))
    if attention_mask is not None:
        temp_mask = attention_mask.unsqueeze(0).unsqueeze(3).expand(n, -1, -1, -1)
        u_n = (temp_mask * u_n) - (10000. * (1 - temp_mask))
    u_n = u_n.reshape(n, n * n_locals, 1).unsqueeze(dim=1).expand(-1, n_locals, -1, -1)
    pred_log = F.log_softmax(torch.cat([u_p, u_n], dim=2), dim=2)
    if attention_mask is not None:
        return (torch.sum(-pred_log[:, :, 0].squeeze(), dim=1) / torch.sum(attention_mask, dim=1)).mean()
    return -pred_log[:, :, 0].mean()


class TCL(albef.ALBEF):
    def forward(self, image, image_aug, input_ids, attention_mask, mlm_input_ids, mlm_labels):
        image_queue, text_queue = self.image_queue.clone().detach(), self.text_queue.clone().detach()
        temp, image_embeds, image_feat, text_embeds, text_feat, image_embeds_m, text_embeds_m = \
            self.unimodal(image, input_ids, attention_mask, image_m=image_aug)
        image_feat_m = F.normalize(self.vision_proj_m(image_embeds_m[:, 0, :]), dim=-1)
        image_feat_m_l = patch_pooling(F.normalize(self.vision_proj_m(image_embeds_m[:, 1:, :]), dim=-1))
        text_feat_m = F.normalize(self.text_proj_m(text_embeds_m[:, 0, :]), dim=-1)
        text_feat_m_l = F.normalize(self.text_proj_m(text_embeds_m[:, 1:, :]), dim=-1)
        sim_i2t, sim_t2i, loss_i2t, loss_t2i, image_feat_all, text_feat_all, sim_targets = self.ita(
            temp, image_feat, text_feat, image_feat_m, text_feat_m, image_queue, text_queue)
        loss_t2t_l = in_batch_g2l_loss(text_feat_m_l, text_feat, temp, attention_mask[:, 1:])
        loss_i2i_l = in_batch_g2l_loss(image_feat_m_l, image_feat, temp)
        sim_i2i = image_feat @ image_feat_all / temp
        sim_t2t = text_feat @ text_feat_all / temp
        loss_i2i = -torch.sum(F.log_softmax(sim_i2i, dim=1) * sim_targets, dim=1).mean()
        loss_t2t = -torch.sum(F.log_softmax(sim_t2t, dim=1) * sim_targets, dim=1).mean()
        loss_ita = (loss_t2t_l + loss_i2i_l + loss_i2t + loss_t2i + loss_i2i + loss_t2t) / 6
        itm_logits, loss_itm = self.itm(image_embeds, text_embeds, attention_mask, sim_i2t, sim_t2i)
        loss_mlm = self.mlm(mlm_input_ids, attention_mask, mlm_labels, image_embeds, image_embeds_m)
        self.dequeue_and_enqueue(image_feat_m, text_feat_m)
        return {"image_feat_m": image_feat_m, "text_feat_m": text_feat_m, "sim_i2t": sim_i2t, "sim_t2i": sim_t2i,
                "cma": (loss_i2t + loss_t2i) / 2, "imc": (loss_i2i + loss_t2t) / 2, "lmi": (loss_t2t_l + loss_i2i_l) / 2,
                "itm_logits": itm_logits, "loss_ita": loss_ita, "loss_itm": loss_itm, "loss_mlm": loss_mlm}


def build(model, control):
    """The reference for `model`; control: the distillation weight alpha 0.4 becomes 0.38 (must fail)."""
    assert model in MODELS, model
    m = TCL(TINY, alpha=0.38 if control else albef.ALPHA)
    return m, lambda mod, i: mod(i["image"], i["image_aug"], i["input_ids"], i["attention_mask"],
                                 i["mlm_input_ids"], i["mlm_labels"])
