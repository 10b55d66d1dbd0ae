"""Tiny real models and servers for executor tests.

Both models are random-weight Llama networks with a byte-level vocabulary,
but their embedding and output matrices carry one planted signal so that
greedy (and even temperature-1) decoding is predictable: after any
non-digit the model says "1", after digit d it says d+1, and after "9" it
ends the answer (end-of-sequence). Every answer is therefore "123456789"
cut short by max_tokens or a stop sequence, which lets tests assert exact
text, token counts and finish reasons against real inference engines.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from local_server import LocalJSONServer

N_EMBD = 64
N_HEAD = 4
N_LAYER = 2
N_FF = 128
N_CTX = 2048
EXPECTED = "123456789"     # the full answer every prompt gets
CHAT_TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")

# GGUF vocabulary: <unk> <s> </s> then one token per byte (llama.cpp byte fallback).
UNK, BOS, EOS = 0, 1, 2
N_SPECIAL = 3


def _planted_matrices(n_vocab: int, byte_token, eos: int, seed: int = 0):
    """(embedding, output) matrices, shape (n_vocab, N_EMBD), with the digit chain planted.

    Embedding dimension 0 marks "any other token", dimensions 1..10 mark
    digits 0..9; the output matrix maps each mark to the next token with a
    margin the small random layers cannot overturn.
    """
    rng = np.random.default_rng(seed)
    embd = rng.normal(0, 0.02, (n_vocab, N_EMBD)).astype(np.float32)
    out = rng.normal(0, 0.02, (n_vocab, N_EMBD)).astype(np.float32)
    embd[:, 0] = 1.0
    for d in range(10):
        tok = byte_token(ord(str(d)))
        embd[tok, 0] = 0.0
        embd[tok, 1 + d] = 1.0
        out[byte_token(ord(str(d + 1))) if d < 9 else eos, 1 + d] = 3.0
    out[byte_token(ord("1")), 0] = 3.0
    return embd, out


def _layer_weights(rng):
    w = lambda *shape: rng.normal(0, 0.02, shape).astype(np.float32)  # noqa: E731
    return {
        "attn_norm": np.ones(N_EMBD, np.float32), "ffn_norm": np.ones(N_EMBD, np.float32),
        "q": w(N_EMBD, N_EMBD), "k": w(N_EMBD, N_EMBD), "v": w(N_EMBD, N_EMBD), "o": w(N_EMBD, N_EMBD),
        "gate": w(N_FF, N_EMBD), "up": w(N_FF, N_EMBD), "down": w(N_EMBD, N_FF),
    }


def write_tiny_gguf(path: str | Path) -> Path:
    """Write a ~0.5 MB llama-architecture GGUF with a byte vocabulary and chat template."""
    import gguf

    path = Path(path)
    n_vocab = N_SPECIAL + 256
    byte_token = lambda b: N_SPECIAL + b  # noqa: E731
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + [gguf.TokenType.BYTE] * 256
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * n_vocab)
    writer.add_token_types(types)
    writer.add_unk_token_id(UNK)
    writer.add_bos_token_id(BOS)
    writer.add_eos_token_id(EOS)
    writer.add_add_bos_token(True)
    writer.add_add_space_prefix(False)  # no "▁" prefix: prompts tokenize to plain bytes
    writer.add_chat_template(CHAT_TEMPLATE)

    embd, out = _planted_matrices(n_vocab, byte_token, EOS)
    writer.add_tensor("token_embd.weight", embd)
    rng = np.random.default_rng(1)
    for i in range(N_LAYER):
        lw = _layer_weights(rng)
        for name, key in [("attn_norm", "attn_norm"), ("ffn_norm", "ffn_norm"), ("attn_q", "q"),
                          ("attn_k", "k"), ("attn_v", "v"), ("attn_output", "o"),
                          ("ffn_gate", "gate"), ("ffn_up", "up"), ("ffn_down", "down")]:
            writer.add_tensor(f"blk.{i}.{name}.weight", lw[key])
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, np.float32))
    writer.add_tensor("output.weight", out)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table (byte-level BPE alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def save_tiny_hf_model(directory: str | Path) -> Path:
    """Save a tiny LlamaForCausalLM and a byte-level fast tokenizer with a chat template."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    directory = Path(directory)
    specials = ["<unk>", "<s>", "</s>", "<pad>"]
    byte_chars = _bytes_to_unicode()
    vocab = {tok: i for i, tok in enumerate(specials)}
    for b in range(256):
        vocab[byte_chars[b]] = len(specials) + b
    # BPE without merges over a byte-level alphabet: every byte is one token.
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                        unk_token="<unk>", pad_token="<pad>")
    tokenizer.chat_template = CHAT_TEMPLATE

    config = LlamaConfig(vocab_size=len(vocab), hidden_size=N_EMBD, intermediate_size=N_FF,
                         num_hidden_layers=N_LAYER, num_attention_heads=N_HEAD, num_key_value_heads=N_HEAD,
                         max_position_embeddings=N_CTX, bos_token_id=1, eos_token_id=2, pad_token_id=3,
                         tie_word_embeddings=False)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    embd, out = _planted_matrices(len(vocab), lambda b: len(specials) + b, eos=2)
    rng = np.random.default_rng(1)
    with torch.no_grad():
        model.model.embed_tokens.weight.copy_(torch.from_numpy(embd))
        model.lm_head.weight.copy_(torch.from_numpy(out))
        for layer in model.model.layers:
            lw = _layer_weights(rng)
            for mod, key in [(layer.self_attn.q_proj, "q"), (layer.self_attn.k_proj, "k"),
                             (layer.self_attn.v_proj, "v"), (layer.self_attn.o_proj, "o"),
                             (layer.mlp.gate_proj, "gate"), (layer.mlp.up_proj, "up"),
                             (layer.mlp.down_proj, "down")]:
                mod.weight.copy_(torch.from_numpy(lw[key]))
    model.generation_config.do_sample = False
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def llama_cpp_server(model_path: str | Path, startup_timeout: float = 120.0):
    """Run llama-cpp-python's OpenAI-compatible server on 127.0.0.1; yield its /v1 base URL."""
    port = free_port()
    log = open(Path(model_path).with_suffix(".server.log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "1024", "--n_threads", "1"],
        stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}: "
                                   f"{Path(log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base_url + "/models", timeout=2) as resp:
                    json.load(resp)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("llama_cpp.server did not start in time") from None
                time.sleep(0.2)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# --- a fake OpenAI-compatible server, only for injecting faults and delays ---

class FakeOpenAIServer(LocalJSONServer):
    """A real HTTP server on 127.0.0.1 speaking just enough of the OpenAI API.

    It answers "echo: <last message>" and misbehaves on request: a prompt that
    starts with "faults:429,500,..." gets those faults on its first attempts,
    in order, then succeeds. Faults: 429 (Retry-After: 1), 429date
    (Retry-After as an HTTP date 2 s ahead), 500, 400, 401, hang (sleep past
    the client's timeout), drop (close the connection without answering).
    Every attempt is logged in `attempts` as (prompt, monotonic time, body).
    `delay` makes every successful answer take that long (benchmarks).
    """

    def __init__(self, delay: float = 0.0, hang_s: float = 5.0, reasoning: str | None = None):
        super().__init__()
        self.delay, self.hang_s, self.reasoning = delay, hang_s, reasoning
        self.attempts: list[tuple[str, float, dict]] = []
        self._lock = threading.Lock()

    def attempts_for(self, prompt: str) -> list[tuple[str, float, dict]]:
        return [a for a in self.attempts if a[0] == prompt]

    def _handle(self, handler, body: dict) -> None:
        import email.utils

        chat = handler.path.endswith("/chat/completions")
        prompt = body["messages"][-1]["content"] if chat else body["prompt"]
        with self._lock:
            attempt = sum(1 for a in self.attempts if a[0] == prompt)
            self.attempts.append((prompt, time.monotonic(), body))
        faults = prompt.split()[0][len("faults:"):].split(",") if prompt.startswith("faults:") else []
        fault = faults[attempt] if attempt < len(faults) else "ok"
        if fault == "drop":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "hang":
            time.sleep(self.hang_s)
            handler.close_connection = True
            return
        if fault != "ok":
            status = int(fault[:3])
            headers = {}
            if fault == "429":
                headers["Retry-After"] = "1"
            elif fault == "429date":
                headers["Retry-After"] = email.utils.formatdate(time.time() + 2, usegmt=True)
            return self.send_json(handler, status, {"error": {"message": f"injected {fault}", "type": "fault"}},
                              headers)
        if self.delay:
            time.sleep(self.delay)
        text = f"echo: {prompt}"
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split()),
                 "total_tokens": len(prompt.split()) + len(text.split())}
        if chat:
            message = {"role": "assistant", "content": text}
            if self.reasoning:
                message["reasoning_content"] = self.reasoning
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            payload = {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
                       "model": body.get("model"), "choices": [choice], "usage": usage}
        else:
            choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
            payload = {"id": "cmpl-1", "object": "text_completion", "created": int(time.time()),
                       "model": body.get("model"), "choices": [choice], "usage": usage}
        self.send_json(handler, 200, payload)


if __name__ == "__main__":
    # `python tests/fixtures_models.py fake-server DELAY`: serve until killed,
    # printing the base URL first (the benchmark runs the server in its own process).
    if len(sys.argv) >= 2 and sys.argv[1] == "fake-server":
        with FakeOpenAIServer(delay=float(sys.argv[2]) if len(sys.argv) > 2 else 0.0) as fake:
            print(fake.base_url, flush=True)
            fake._thread.join()


# --- pytest fixtures (every test module gets them: tests/conftest.py) ---

try:
    import pytest
except ImportError:  # the benchmark imports this module without pytest
    pytest = None

if pytest is not None:
    @pytest.fixture(scope="session")
    def tiny_gguf(tmp_path_factory) -> Path:
        return write_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")

    @pytest.fixture(scope="session")
    def llama_server(tiny_gguf) -> str:
        """Base URL (…/v1) of llama-cpp-python's server running the tiny GGUF."""
        with llama_cpp_server(tiny_gguf) as url:
            yield url
