//! Whisper's text decoder with a key/value cache for its self-attention too.
//!
//! candle-transformers' decoder caches only the cross-attention, so each step re-reads every
//! token so far: a 30-second window of ~130 tokens costs ~8,500 token passes instead of 130, which
//! made the decoder, not the encoder, most of the time. This one feeds one new token a step. The
//! weights are the same tensors, under the same names, as candle-transformers' model reads.

use candle_core::{Module, Result, Tensor, D};
use candle_nn::{layer_norm, linear, linear_no_bias, LayerNorm, Linear, VarBuilder};
use candle_transformers::models::whisper::Config;

struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    out: Linear,
    heads: usize,
}

impl Attention {
    fn load(d: usize, heads: usize, vb: VarBuilder) -> Result<Attention> {
        Ok(Attention {
            query: linear(d, d, vb.pp("q_proj"))?,
            key: linear_no_bias(d, d, vb.pp("k_proj"))?,
            value: linear(d, d, vb.pp("v_proj"))?,
            out: linear(d, d, vb.pp("out_proj"))?,
            heads,
        })
    }

    /// (batch, time, d) -> (batch, heads, time, d / heads)
    fn split_heads(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, d) = x.dims3()?;
        x.reshape((b, t, self.heads, d / self.heads))?
            .transpose(1, 2)?
            .contiguous()
    }

    /// Attention of queries `x` (batch, time, d) over keys and values already split into heads.
    fn attend(&self, x: &Tensor, k: &Tensor, v: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let (b, t, d) = x.dims3()?;
        let scale = ((d / self.heads) as f64).powf(-0.5);
        let q = (self.split_heads(&self.query.forward(x)?)? * scale)?;
        let mut scores = q.matmul(&k.transpose(2, 3)?.contiguous()?)?;
        if let Some(mask) = mask {
            scores = scores.broadcast_add(mask)?;
        }
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let mixed = weights.matmul(v)?.transpose(1, 2)?.reshape((b, t, d))?;
        self.out.forward(&mixed)
    }
}

struct Layer {
    attn_ln: LayerNorm,
    attn: Attention,
    cross_ln: LayerNorm,
    cross: Attention,
    mlp_ln: LayerNorm,
    fc1: Linear,
    fc2: Linear,
}

/// The decoder's weights; the per-window state lives in [`Cache`].
pub struct TextDecoder {
    embedding: Tensor,
    positions: Tensor,
    layers: Vec<Layer>,
    ln: LayerNorm,
}

/// One window's keys and values: the encoder's (computed once) and the tokens' so far.
pub struct Cache {
    cross: Vec<(Tensor, Tensor)>,
    own: Vec<Option<(Tensor, Tensor)>>,
    length: usize,
}

impl TextDecoder {
    /// Loads from the names under `model.decoder` of candle-transformers' Whisper.
    pub fn load(vb: VarBuilder, cfg: &Config) -> Result<TextDecoder> {
        let d = cfg.d_model;
        let heads = cfg.decoder_attention_heads;
        let layers = (0..cfg.decoder_layers)
            .map(|i| {
                let vb = vb.pp(format!("layers.{i}"));
                Ok(Layer {
                    attn_ln: layer_norm(d, 1e-5, vb.pp("self_attn_layer_norm"))?,
                    attn: Attention::load(d, heads, vb.pp("self_attn"))?,
                    cross_ln: layer_norm(d, 1e-5, vb.pp("encoder_attn_layer_norm"))?,
                    cross: Attention::load(d, heads, vb.pp("encoder_attn"))?,
                    mlp_ln: layer_norm(d, 1e-5, vb.pp("final_layer_norm"))?,
                    fc1: linear(d, 4 * d, vb.pp("fc1"))?,
                    fc2: linear(4 * d, d, vb.pp("fc2"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(TextDecoder {
            embedding: vb.get((cfg.vocab_size, d), "embed_tokens.weight")?,
            positions: vb.get((cfg.max_target_positions, d), "embed_positions.weight")?,
            layers,
            ln: layer_norm(d, 1e-5, vb.pp("layer_norm"))?,
        })
    }

    /// A fresh cache for a window whose encoder output is `audio` (1, frames, d).
    pub fn start(&self, audio: &Tensor) -> Result<Cache> {
        let cross = self
            .layers
            .iter()
            .map(|l| {
                Ok((
                    l.cross.split_heads(&l.cross.key.forward(audio)?)?,
                    l.cross.split_heads(&l.cross.value.forward(audio)?)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Cache {
            own: vec![None; self.layers.len()],
            cross,
            length: 0,
        })
    }

    /// Feeds `tokens` after those already in `cache`; returns the logits (vocabulary,) of the
    /// next token.
    pub fn step(&self, tokens: &[u32], cache: &mut Cache) -> Result<Tensor> {
        let device = self.embedding.device();
        let n = tokens.len();
        let past = cache.length;
        let ids = Tensor::new(tokens, device)?;
        let mut x = self
            .embedding
            .index_select(&ids, 0)?
            .broadcast_add(&self.positions.narrow(0, past, n)?)?
            .unsqueeze(0)?;
        // New tokens see the cached ones and those before them among themselves.
        let mask = if n > 1 {
            let total = past + n;
            let values: Vec<f32> = (0..n)
                .flat_map(|i| {
                    (0..total).map(move |j| if j > past + i { f32::NEG_INFINITY } else { 0.0 })
                })
                .collect();
            Some(Tensor::from_vec(values, (n, total), device)?)
        } else {
            None
        };
        for (i, layer) in self.layers.iter().enumerate() {
            let h = layer.attn_ln.forward(&x)?;
            let k = layer.attn.split_heads(&layer.attn.key.forward(&h)?)?;
            let v = layer.attn.split_heads(&layer.attn.value.forward(&h)?)?;
            let (k, v) = match &cache.own[i] {
                Some((pk, pv)) => (Tensor::cat(&[pk, &k], 2)?, Tensor::cat(&[pv, &v], 2)?),
                None => (k, v),
            };
            x = (&x + layer.attn.attend(&h, &k, &v, mask.as_ref())?)?;
            cache.own[i] = Some((k, v));
            let h = layer.cross_ln.forward(&x)?;
            let (ck, cv) = &cache.cross[i];
            x = (&x + layer.cross.attend(&h, ck, cv, None)?)?;
            let h = layer.mlp_ln.forward(&x)?;
            x = (&x + layer.fc2.forward(&layer.fc1.forward(&h)?.gelu_erf()?)?)?;
        }
        cache.length += n;
        let last = self
            .ln
            .forward(&x.narrow(1, n - 1, 1)?)?
            .squeeze(0)?
            .squeeze(0)?;
        self.embedding
            .matmul(&last.unsqueeze(D::Minus1)?)?
            .squeeze(D::Minus1)
    }
}
