"""Video-LLaMA (Vicuna-7B): BLIP-2 frames + video Q-Former, ImageBind audio + audio Q-Former, LLaMA.

Provenance: DAMO-NLP-SG/Video-LLaMA commit 64888c0: video_llama/models/video_llama.py
(VideoLLAMA.__init__: video_frame_position_embedding, init_video_Qformer with
cross_attention_freq 1 and 2 layers for the video (encoder width = Q-Former width) and audio
(encoder width = ImageBind's 1024) Q-Formers, word/position embeddings and text FFN removed;
encode_videoQformer_visual: 'b c t h w -> (b t) c h w', ln_vision(visual_encoder), Qformer.bert
with query_tokens, + frame position embedding per frame, '(b t) q h -> b (t q) h',
video_Qformer.bert, llama_proj; encode_audioQformer: audio_encoder.get_audio_feature (the
postprocessed embeddings, one per clip) + audio_position_embedding(arange(clips)),
audio_Qformer.bert, audio_llama_proj; forward: train_flag 0 (vision) and 1 (audio through
ImageBind's vision modality, 'b c t h w -> b t c h w'), targets -100 on BOS and the image
tokens, the LLaMA loss over the whole sequence), video_llama/models/ImageBind/models/
imagebind_model.py (get_audio_feature: preprocessor, trunk, head, postprocessor: Normalize,
audio scaled by the fixed logit scale 20), conversation/conversation_video.py (the audio-visual
chat: audio tokens and video tokens spliced into one prompt).
Names: as refs/minigpt4.py for the BLIP-2 and LLaMA parts (Hugging Face Blip2 names, MiniGPT-4's
llama_model / llama_proj), the official attribute names for Video-LLaMA's own parts, and the
official ImageBind checkpoint names under audio_encoder (the whole imagebind_huge, whose
reference is refs/imagebind.py's ImageBindModel, imported from there: Sequential indices in
the heads and the vision stem, and the persistent buffers, the text causal mask and the fixed
logit scales). The BLIP-2, Q-Former and LLaMA code is refs/minigpt4.py's / refs/llava.py's.
mm's inputs: the chat is [prompt_ids | audio tokens | middle_ids | video tokens | input_ids];
each training loss is the official one over [prompt_ids | branch tokens | input_ids] with
labels [-100 x (P + tokens) | labels]. Written anew in plain torch. Sizes: VideoLLaMA_Tiny.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["VideoLLaMA_Tiny"]
SOURCE = "DAMO-NLP-SG/Video-LLaMA 64888c0"  # the official code followed, for stdlib/README.md
LAYOUT = "hf_blip"  # the ViT under Hugging Face's `Blip2VisionModel` names, the model's default


import imagebind as ib  # refs/ is on the path (run.py)
import minigpt4 as m4

llava = m4.llava

# VideoLLaMA_Tiny's audio_encoder (ImageBindModel arguments in stdlib/models/video_llama.mm)
IMAGEBIND = dict(out=32, image=32, patch=8, vocab=1000, context=16, mel=32, audio_len=36,
                 audio_kernel=16, audio_stride=10, depth_kernel=8, thermal_kernel=8, imu_len=64,
                 imu_kernel=8, vision=(64, 2, 4), text=(48, 2, 4), audio=(32, 2, 4), depth=(16, 2, 2),
                 thermal=(32, 2, 4), imu=(32, 1, 4))


class VideoLLaMA(nn.Module):
    def __init__(self, act, frames=2, clips=2, queries=4, video_queries=4, audio_queries=2, max_frame_pos=4):
        super().__init__()
        self.vision_model = m4.Blip2VisionModel(32, 8, 64, 2, 4, 128)
        self.qformer = m4.Blip2QFormerModel(64, 2, 4, 128, kv_width=64)
        self.query_tokens = nn.Parameter(torch.zeros(1, queries, 64))
        self.llama_model = llava.LlamaForCausalLM(1000, 64, 2, 4, 128, 1e-6)
        self.llama_proj = nn.Linear(64, 64)
        self.video_frame_position_embedding = nn.Embedding(max_frame_pos, 64)
        self.video_Qformer = m4.Blip2QFormerModel(64, 2, 4, 128, kv_width=64, cross_every=1)
        self.video_query_tokens = nn.Parameter(torch.zeros(1, video_queries, 64))
        self.audio_encoder = ib.ImageBindModel(IMAGEBIND, act)
        out = IMAGEBIND["out"]
        self.audio_Qformer = m4.Blip2QFormerModel(64, 2, 4, 128, kv_width=out, cross_every=1)
        self.audio_query_tokens = nn.Parameter(torch.zeros(1, audio_queries, 64))
        self.audio_llama_proj = nn.Linear(64, 64)
        self.audio_position_embedding = nn.Embedding(clips, out)

    def encode_videoQformer_visual(self, video):
        b, c, t, h, w = video.shape
        image = video.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w)
        image_embeds = self.vision_model(image)
        q = self.qformer(self.query_tokens.expand(b * t, -1, -1), image_embeds)
        pos = self.video_frame_position_embedding(torch.arange(t).unsqueeze(0).expand(b, -1)).unsqueeze(-2)
        frame_hidden = (q.reshape(b, t, q.shape[1], q.shape[2]) + pos).reshape(b, t * q.shape[1], q.shape[2])
        vq = self.video_query_tokens.expand(b, -1, -1)
        return self.llama_proj(self.video_Qformer(vq, frame_hidden))

    def encode_audioQformer(self, x, modality):
        b, s = x.shape[:2]
        finalout = self.audio_encoder.embed(modality, x.reshape(b * s, *x.shape[2:])).reshape(b, s, -1)
        finalout = finalout + self.audio_position_embedding(torch.arange(s).unsqueeze(0).expand(b, -1))
        aq = self.audio_query_tokens.expand(b, -1, -1)
        return self.audio_llama_proj(self.audio_Qformer(aq, finalout))

    def lm(self, parts):
        emb = self.llama_model.model.embed_tokens
        seq = [emb(p) if p.dtype == torch.long else p for p in parts]
        logits, _ = self.llama_model(torch.cat(seq, 1))
        return logits

    def forward(self, video, audio, prompt_ids, middle_ids, input_ids, labels):
        video_embeds = self.encode_videoQformer_visual(video)
        audio_embeds = self.encode_audioQformer(audio, "audio")
        frame_audio_embeds = self.encode_audioQformer(video.permute(0, 2, 1, 3, 4), "vision")
        P, M = prompt_ids.shape[1], middle_ids.shape[1]
        chat = self.lm([prompt_ids, audio_embeds, middle_ids, video_embeds, input_ids])
        out = {"logits": chat[:, P + audio_embeds.shape[1] + M + video_embeds.shape[1]:]}
        for name, tokens in (("video_lm", video_embeds), ("audio_lm", frame_audio_embeds)):
            n = P + tokens.shape[1]
            out[f"loss_{name}"] = llava.causal_lm_loss(self.lm([prompt_ids, tokens, input_ids]), llava.full_labels(labels, n))
        return out


def build(model, control):
    """control: ImageBind's trunks' exact GELU becomes QuickGELU (must fail)."""
    assert model == "VideoLLaMA_Tiny", model
    act = (lambda x: x * torch.sigmoid(1.702 * x)) if control else nn.GELU()
    m = VideoLLaMA(act)
    keys = ["video", "audio", "prompt_ids", "middle_ids", "input_ids", "labels"]
    return m, lambda mod, inp: mod(*(inp[k] for k in keys))
