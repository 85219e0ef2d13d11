// Package hub is Qwen Studio's local model manager: the catalog of Qwen3 and Qwen3-VL models, resumable
// and verified downloads into the Hugging Face cache, discovery of models already on disk, and the memory
// estimate that says whether a model fits.
//
// # References
//
// [ParseRef] accepts catalog short names (qwen3:8b, qwen3:8b-q4_k_m, qwen3-vl:4b, qwen3:0.6b-safetensors),
// hub repositories (hf://ORG/REPO[@REV][:FILE_OR_QUANT], ms://ORG/REPO... for ModelScope) and local paths.
// [Resolve] finds a reference on disk without touching the network, or returns a *NotDownloadedError
// saying what [Pull] would fetch. Pull downloads what is missing and returns the same thing Resolve would.
//
// # Storage
//
// Downloads go into the standard Hugging Face hub cache (HF_HUB_CACHE, HF_HOME/hub, default
// ~/.cache/huggingface/hub): models--ORG--NAME/blobs/SHA256, snapshots/COMMIT/FILE as a relative symlink
// to the blob, refs/main. Files huggingface_hub downloaded are reused, and ours are usable by it; the two
// even share lock files (.locks/models--ORG--NAME/SHA256.lock) and partial files (blobs/SHA256.incomplete).
//
// # Downloads
//
// [Downloader] asks the hub for the file's size and checksum (X-Linked-Etag, the LFS sha256; for small
// files the git blob id), checks free disk space, takes the lock, then fetches byte ranges, several at
// once for large files, into blobs/SHA256.incomplete. A sidecar (SHA256.incomplete.parts) records which
// ranges are written, so a restarted pull continues where the last one stopped. Failed or stalled
// requests are retried with exponential backoff; the budget counts failures in a row, so progress resets
// it. When every byte is there the whole file is hashed; only a match is renamed to blobs/SHA256 and
// linked into the snapshot, and a mismatch deletes the partial file. Progress (bytes, speed, ETA) goes to
// a callback; cancelling the context stops everything and keeps what was written.
//
// A partial file written by several ranges has gaps until it is complete. huggingface_hub resumes a
// partial file from its size, assuming no gaps; it would produce a corrupt file from one of ours that
// was interrupted (ours never do: they verify). Resuming from huggingface_hub's partial files is safe.
//
// # Discovery
//
// [Discover] lists models wherever they are: the HF cache (GGUF files and safetensors folders), the user's
// GGUF folders, LM Studio's (~/.lmstudio/models, ~/.cache/lm-studio/models) and llama.cpp's download cache
// ($LLAMA_CACHE, ~/.cache/llama.cpp). Architecture, quantization, context and shapes come from each GGUF
// header through llm/gguf; official file names are matched to catalog models. Files are used in place,
// never copied, and only the HF cache's are ever deleted ([PlanRemove]). Resolve and Pull look in the same
// places, so a model LM Studio already downloaded is not downloaded again.
//
// # Memory fit
//
// [EstimateFit] adds the weights (memory-mapped, resident once used), the KV cache at the chosen context
// (F16), the vision tower (projector plus image activations) and the runtime (batch activations, output
// head buffers, tokenizer tables, the program) and compares the total with the memory available now
// (platform.ReadMemory): "fits" within 80% of it, "tight" up to all of it, "won't fit" beyond. The runtime
// part was checked against the peak RSS of a generated model filled to its context.
//
// # Sources
//
// [HF] talks to huggingface.co or a mirror (HF_ENDPOINT; HF_TOKEN for gated repositories, sent only to
// the hub's own host, never to the CDN it redirects to). [ModelScope] talks to modelscope.cn
// (MODELSCOPE_ENDPOINT), whose listing carries the sha256 of every file. The source is chosen per pull
// (Options.Source, the ms:// prefix) or by QWEN_STUDIO_SOURCE.
package hub
