/**
 * issue 22: a GGUF's tokenizer as a Hugging Face tokenizer.json, so an agent's `tokenizer:` can
 * name the very tokenizer llama.cpp runs (the GGUF carries the vocabulary and merges; the
 * pre-tokenizer is llama.cpp's named `pre` type). Byte-level BPE (`gpt2`) only, with the
 * pre-tokenizers of SmolLM (digits one by one) and GPT-2; the real-model test checks the result
 * token for token against the engine on every message of its runs.
 */
import type { GgufMetadata } from './engine.js';

/** llama.cpp's token types: 3 control (`<|im_start|>`), 4 user-defined. */
const SPECIAL_TYPES = new Set([3, 4]);

const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };

function preTokenizer(pre: string | undefined): Record<string, unknown> {
  switch (pre ?? 'default') {
    case 'smollm':
      return { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, BYTE_LEVEL] };
    case 'gpt-2':
    case 'default':
      return BYTE_LEVEL;
    default:
      throw new Error(`the GGUF's pre-tokenizer '${pre}' has no tokenizer.json equivalent here (smollm and gpt-2 only)`);
  }
}

export function ggufTokenizerJson(metadata: GgufMetadata): Record<string, unknown> {
  const ggml = metadata.tokenizer?.ggml;
  if (!ggml?.tokens || !ggml.merges) throw new Error('the GGUF has no tokenizer.ggml.tokens or merges');
  if (ggml.model !== 'gpt2') throw new Error(`the GGUF's tokenizer model is '${ggml.model}', not gpt2 (byte-level BPE)`);
  const tokens = ggml.tokens;
  const types = ggml.token_type ?? [];
  const vocab: Record<string, number> = {};
  tokens.forEach((t, id) => {
    vocab[t] = id;
  });
  const added = tokens
    .map((content, id) => ({ id, content, type: types[id] ?? 1 }))
    .filter((t) => SPECIAL_TYPES.has(t.type))
    .map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.type === 3 }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: preTokenizer(ggml.pre),
    post_processor: null,
    decoder: { ...BYTE_LEVEL, add_prefix_space: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: ggml.merges,
    },
  };
}
