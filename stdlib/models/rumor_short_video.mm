# RumorShortVideo: "Multimodal Short Video Rumor Detection System Based on Contrastive
# Learning" (2023). A short video is encoded twice: its frames by a Temporal Segment Network
# (a 2D ResNet-50 over sparsely sampled segments), its words by BERT over the on-screen text
# (OCR) and the speech (ASR); BERT fuses the two, its text tokens attending to the video
# segments through cross-attention. The fused [CLS] embedding is trained with a contrastive
# objective (videos of the same label together), and a video is classified by retrieval:
# the 10 nearest embeddings of a vector database of labelled videos and crawled external
# knowledge vote for their labels, weighted by similarity, and the highest score wins.
#
# No official code was found; this follows the paper's description (survey §4), and what it leaves
# open is chosen here and said so: TSN as std/models/video.mm's TSN_R50 (3 segments,
# torchvision ResNet-50 features, no consensus: the 3 segment features are the keys and
# values of the cross-attention), a Chinese BERT-base (bert-base-chinese, vocabulary 21,128,
# for the Chinese short-video texts the system targets) with cross-attention into the segments in every
# layer, OCR and ASR text as the two segments of one BERT input (token types 0 and 1), a
# 256-d projection, a supervised contrastive loss (temperature 0.07), 2 classes.
#
# Outside the graph: building and searching the vector database. The nearest-neighbour vote
# is written here against the store as data (`store_embeddings`, `store_labels`: the
# embeddings of the labelled videos and knowledge, computed by this model and kept by the
# trainer); an approximate index (as a vector database uses) would return the same top 10.
# OCR and ASR are run beforehand (their text is the input).
#
# Names: `backbone` has TSN's (torchvision ResNet-50) names as in TSN_R50 (see
# std/towers/resnet2d.mm for its exceptions), `bert` Hugging Face's BertModel names, with
# `crossattention` in every layer (the ALBEF-style layout of std/towers/bert.mm);
# `projection` has no official name.

import "std/nn/layers.mm"
import { ResNet } from "std/towers/resnet2d.mm"
import "std/towers/bert.mm"
import { SupConLoss } from "./dac.mm"

## The retrieval head: each query's k most similar store entries vote for their labels,
## weighted by the cosine similarity; the scores per class.
head NearestNeighbourVote(k: Int = 10, classes: Int = 2) {
  forward(query: [N, D], store: [M, D], store_labels: [M] int64) -> [N, classes] {
    let (similarity, neighbours) = topk(query @ store.T, k, axis: -1)        # [N, k]
    let votes = one_hot(gather(store_labels, neighbours, axis: 0), classes)  # [N, k, classes]
    return sum(unsqueeze(similarity, 2) * votes, [1])
  }
}

## The rumor detector: TSN (ResNet-50, 3 segments) + BERT-base with cross-attention + a
## 256-d contrastive embedding, classified by a 10-nearest-neighbour vote.
## published: none (the survey gives no figure and no official code was found; follows the paper's description: TSN ResNet-50, 23,508,032 without its classifier, and a Chinese BERT-base with cross-attention into the 2,048-d segment features in all 12 layers)
model RumorShortVideo(segments: Int = 3, image: Int = 224, embed: Int = 256, classes: Int = 2,
                      neighbours: Int = 10, temperature: Float = 0.07) {
  backbone = ResNet(num_classes: 0)
  bert = BertModel(vocab: 21_128, width: 768, depth: 12, heads: 12, fusion_layer: 0,
                   encoder_width: backbone.features)
  projection = Linear(bert.width, embed)
  retrieval = NearestNeighbourVote(neighbours, classes)
  contrastive = SupConLoss(temperature)

  # (the batch is V, not B: see TSN_R50 in std/models/video.mm)
  input frames: [V, segments, 3, image, image]
  ## OCR text and ASR transcript as one BERT input: [CLS] ocr [SEP] asr [SEP].
  input input_ids: [V, L] int64
  input token_type_ids: [V, L] int64
  input attention_mask: [V, L]
  input labels: [V] int64
  ## The vector database: embeddings (this model's) of labelled videos and external knowledge.
  input store_embeddings: [M, embed]
  input store_labels: [M] int64

  forward {
    let segment_features = reshape(backbone(reshape(frames, [V * segments, 3, image, image])),
                                   [V, segments, backbone.features])
    let fused = bert(input_ids, attention_mask: attention_mask, token_type_ids: token_type_ids,
                     encoder_hidden_states: segment_features)
    let embeddings = normalize(projection(bert.pooler(fused)))
    output embeddings: [V, embed] = embeddings
    let scores = retrieval(embeddings, normalize(store_embeddings), store_labels)
    output scores: [V, classes] = scores
    output prediction: [V] = argmax(scores, axis: 1)
    loss contrastive = contrastive(embeddings, labels)
  }

  task detect { outputs: scores, prediction }
  task index { outputs: embeddings; inputs: frames, input_ids, token_type_ids, attention_mask }
  task train { losses: contrastive; inputs: frames, input_ids, token_type_ids, attention_mask, labels }
  stage contrastive_training { train: backbone, bert, projection; tasks: train }
}

## The detector on tiny towers: a one-block-per-stage ResNet (stem width 4, expansion 2: 64
## features) over 2 segments of 32 x 32, a 2-layer BERT of width 64 (vocabulary 1,000), a
## 32-d embedding, 3 neighbours.
model RumorShortVideo_Tiny = RumorShortVideo(segments: 2, image: 32, embed: 32, neighbours: 3) with {
  backbone.layers = [1, 1, 1, 1]
  backbone.width = 4
  backbone.expansion = 2
  bert.vocab = 1000
  bert.width = 64
  bert.depth = 2
  bert.heads = 4
  bert.positions = 64
}
