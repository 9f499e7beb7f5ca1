"""Our passages → llama-index nodes (the boundary with llama-index on the way in)."""
from __future__ import annotations

from typing import Any, ClassVar, Sequence

from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.schema import BaseNode, Document, NodeRelationship, RelatedNodeInfo, TextNode, TransformComponent

import re

from .models import SourceDoc
from .parse import parse_source

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]")

# Bump when parsing or node construction changes what is embedded: the next ingest then rebuilds.
PIPELINE_VERSION = 12  # 12: in plain text, a question asked right before another that shares its answer heads that passage, not every passage after it as a section; 11: a paragraph of bare URLs or autolinks only is a pointer (Sentence.link); 10: bare URLs and autolinks are shown as written (their address is what the sentence says); 9: a sentence that is only a link's text is marked (Sentence.link); 8: a list whose items are paragraphs is one passage per item; 7: hard-wrapped plain text read by blocks (index/plaintext.py), escaped link texts' offsets

# Metadata that dense matching sees besides the text: the section heading counts when matching.
EMBED_KEYS = ("section",)


def to_document(doc: SourceDoc) -> Document:
    """One source as a llama-index Document. Its hash (text + metadata) decides re-embedding, so the
    metadata holds only the source's name, never its absolute path: moving or cloning the project
    elsewhere must not re-embed anything."""
    return Document(id_=doc.source, text=doc.text, metadata={"source": doc.source},
                    excluded_embed_metadata_keys=["source"], excluded_llm_metadata_keys=["source"])


def passage_nodes(doc: SourceDoc, ref_doc_id: str) -> list[TextNode]:
    nodes: list[TextNode] = []
    src = RelatedNodeInfo(node_id=ref_doc_id)
    for p in doc.passages:
        meta = p.to_metadata()
        nodes.append(TextNode(
            id_=p.id, text=p.text, metadata=meta,
            excluded_embed_metadata_keys=[k for k in meta if k not in EMBED_KEYS],
            excluded_llm_metadata_keys=list(meta),
            relationships={NodeRelationship.SOURCE: src},
        ))
        for i, s in enumerate(p.sentences):
            smeta = {"level": "sentence", "passage_id": p.id, "index": i, "start": s.start, "end": s.end,
                     "context": sentence_context(p, i)}
            nodes.append(TextNode(
                id_=f"{p.id}#s{i}", text=s.text, metadata=smeta,
                excluded_embed_metadata_keys=[k for k in smeta if k != "context"], excluded_llm_metadata_keys=list(smeta),
                metadata_template="{value}", text_template="{metadata_str}. {content}" if smeta["context"] else "{content}",
                relationships={NodeRelationship.SOURCE: src},
            ))
        for i, text in sentence_pairs(p):
            pmeta = {"level": "pair", "passage_id": p.id, "index": i}
            nodes.append(TextNode(
                id_=f"{p.id}#p{i}", text=text, metadata=pmeta,
                excluded_embed_metadata_keys=list(pmeta), excluded_llm_metadata_keys=list(pmeta),
                relationships={NodeRelationship.SOURCE: src},
            ))
    for word in vocabulary(doc):
        nodes.append(TextNode(
            id_=f"{ref_doc_id}#term:{word}", text=word, metadata={"level": "term", "word": word},
            excluded_embed_metadata_keys=["level", "word"], excluded_llm_metadata_keys=["level", "word"],
            relationships={NodeRelationship.SOURCE: src},
        ))
    return nodes


def vocabulary(doc: SourceDoc) -> list[str]:
    """The document's content words (lower case), embedded once at ingest so that a question's word the
    text never uses can still be matched to its nearest word in the text (countries → nations)."""
    from bm25s.stopwords import STOPWORDS_EN

    stop = set(STOPWORDS_EN)
    words: dict[str, None] = {}
    for p in doc.passages:
        for w in _WORD.findall(p.section + " " + p.text):
            w = w.lower().replace("’", "'").removesuffix("'s")
            if len(w) >= 3 and w not in stop:
                words[w] = None
    return sorted(words)


def sentence_pairs(p):
    """Each two neighbouring sentences of a passage as one text: (i, sentence i + sentence i+1). Embedded at ingest,
    so a sentence can be matched read with the one before it or the one after it: one leaning on the one before it
    ("This means …") or a topic sentence the next one explains matches a question better read together — on the
    golden rows the answer sentence ranks first by cosine for 0.45 of the questions, by adding the better of its two
    pairs, 0.51."""
    for i in range(len(p.sentences) - 1):
        yield i, f"{p.sentences[i].text} {p.sentences[i + 1].text}"


def sentence_context(p, i: int) -> str:
    """What a sentence is embedded with, so it is matched in context: an FAQ answer with its question,
    a list item with the text introducing the list, any other sentence with its section heading."""
    if p.kind == "faq":
        return p.question if i > 0 else ""
    if p.is_item(i):
        intro = [s.text for j, s in enumerate(p.sentences) if not p.is_item(j)]
        return " ".join(intro) if intro else p.section
    return p.section


class PassageParser(TransformComponent):
    """IngestionPipeline step: a source Document → passage nodes + sentence nodes.

    ``progress`` (optional, an ``index.ingest.Progress``): one step of a "Parsing" bar per document."""

    _progress: Any = PrivateAttr(default=None)

    def __init__(self, progress: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._progress = progress

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        bar = self._progress.bar("Parsing", len(nodes), "doc") if self._progress is not None else None
        for node in nodes:
            meta = node.metadata
            doc = parse_source(meta["source"], meta.get("path", meta["source"]), node.get_content())
            out.extend(passage_nodes(doc, node.id_))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return out


class LazyEmbedding(TransformComponent):
    """IngestionPipeline step: the embedding, loaded only when some node needs it (a no-op ingest, every source
    unchanged, never loads the model).

    Each distinct text is embedded once per run (a one-sentence passage and its sentence, a word several sources
    use), and texts go to the model shortest first in chunks of ``CHUNK``, so short texts are not padded to long
    ones: on the 8 seed + corpus articles, 4,594 texts → 3,299 embedded, 12.9 s → 6.9 s, the same vectors
    (ONNX Runtime's are independent of the batch). ``embedded`` counts the texts the model was given."""

    CHUNK: ClassVar[int] = 512

    _settings: Any = PrivateAttr(default=None)
    _progress: Any = PrivateAttr(default=None)
    _embedded: int = PrivateAttr(default=0)

    def __init__(self, settings: Any, progress: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._settings = settings
        self._progress = progress

    @property
    def embedded(self) -> int:
        return self._embedded

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        if not nodes:
            return nodes
        from llama_index.core.schema import MetadataMode

        from .embed import embed_texts

        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        distinct = sorted(set(texts), key=lambda t: (len(t), t))
        bar = self._progress.bar("Embedding", len(distinct), "text") if self._progress is not None else None
        vectors: dict[str, list[float]] = {}
        for i in range(0, len(distinct), self.CHUNK):
            part = distinct[i: i + self.CHUNK]
            vectors.update(zip(part, embed_texts(self._settings, part)))
            if bar is not None:
                bar.update(len(part))
        if bar is not None:
            bar.close()
        for node, text in zip(nodes, texts):
            node.embedding = vectors[text]
        self._embedded += len(distinct)
        return nodes
